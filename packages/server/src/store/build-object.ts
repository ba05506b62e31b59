import { DEFAULT_NAMESPACE, type ObjectKey, type StoredResource } from '@planspec/core'
import { kindInfo } from '@planspec/schemas'

/** Kinds that live outside namespaces: the cluster RBAC kinds and `Namespace` itself. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  ...Object.entries(kindInfo)
    .filter(([kind, info]) => !info.namespaced && kind !== 'List')
    .map(([kind]) => kind),
  'Namespace',
])

/** Metadata fields only the server writes (RESOURCES M1): client values are dropped. */
const SYSTEM_METADATA = new Set(['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'])

/** Metadata as the store writes it. */
export type Metadata = StoredResource['metadata']

/** Returns the key of an object: cluster-scoped kinds use the namespace `""`, others default to `default`. */
export function keyOf(object: StoredResource, clusterScoped: ReadonlySet<string>): ObjectKey {
  const namespace = clusterScoped.has(object.kind) ? '' : object.metadata.namespace || DEFAULT_NAMESPACE
  return { kind: object.kind, namespace, name: object.metadata.name }
}

/** Returns the client-owned metadata fields (labels, annotations, finalizers, ownerReferences, ...). */
export function userMetadata(metadata: Metadata): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(metadata)) {
    if (field !== 'name' && field !== 'namespace' && !SYSTEM_METADATA.has(field)) out[field] = value
  }
  return out
}

/**
 * Builds the metadata the store writes: name and namespace first, then the server fields, then
 * the client's own fields.
 */
export function composeMetadata(key: ObjectKey, system: Record<string, unknown>, user: Record<string, unknown>): Metadata {
  return { name: key.name, ...(key.namespace === '' ? {} : { namespace: key.namespace }), ...system, ...user } as Metadata
}

/**
 * Assembles a stored object: `apiVersion`, `kind`, `metadata`, the body fields of `source` (spec,
 * or the top-level fields of RBAC kinds), then `status` when given. Any status in `source` is ignored.
 */
export function assemble(source: StoredResource, metadata: Metadata, status: unknown): StoredResource {
  const body: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(source)) {
    if (field !== 'apiVersion' && field !== 'kind' && field !== 'metadata' && field !== 'status' && value !== undefined) body[field] = value
  }
  return { apiVersion: source.apiVersion, kind: source.kind, metadata, ...body, ...(status === undefined ? {} : { status }) }
}

/** Pulls the server-owned fields of stored metadata, to carry them over an update. */
export function systemMetadata(metadata: Metadata): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(metadata)) if (SYSTEM_METADATA.has(field)) out[field] = value
  return out
}
