import { subjectOf } from '../../object-key.js'
import type { ReviewResourceLike } from '../review-types.js'

/** Resources by `subjectOf(kind, namespace, name)`; a repeated identity keeps its first resource. */
export type ResourceIndex = ReadonlyMap<string, ReviewResourceLike>

/** Indexes resources by identity (the validator reports duplicates; the first one wins here). */
export function indexResources(resources: readonly ReviewResourceLike[]): ResourceIndex {
  const index = new Map<string, ReviewResourceLike>()
  for (const resource of resources) {
    const key = subjectOf(resource.kind, resource.namespace, resource.name)
    if (!index.has(key)) index.set(key, resource)
  }
  return index
}

/** Finds a resource by kind, namespace and name. */
export function findResource(index: ResourceIndex, kind: string, namespace: string, name: string): ReviewResourceLike | undefined {
  return index.get(subjectOf(kind, namespace, name))
}
