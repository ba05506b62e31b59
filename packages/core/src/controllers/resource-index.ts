import { matchesLabels, type LabelsLike } from '../label-selector.js'
import { subjectOf } from '../object-key.js'

/** One desired resource as the controllers read it: identity, the object, its generation and last status. */
export interface IndexedResource {
  readonly kind: string
  /** Always resolved (the object's `metadata.namespace`, else the repository default). */
  readonly namespace: string
  readonly name: string
  /** The desired object (apiVersion, kind, metadata, spec); its `status` is never read. */
  readonly object: Readonly<Record<string, unknown>>
  /** Observed spec generation (git mode: counted by the status branch; server mode: `metadata.generation`). */
  readonly generation: number
  /** The status last written by a controller, if any. */
  readonly status?: unknown
}

/**
 * A read-only view of the desired resources and their last statuses, as both shells hold them (the
 * agent's git snapshot, the server's store transaction). Lookups return resources sorted by
 * namespace, then name, so every implementation gives the controllers the same order.
 */
export interface ResourceIndex {
  /** Returns one resource, or undefined. */
  get(kind: string, namespace: string, name: string): IndexedResource | undefined
  /** Lists the resources of a kind, in one namespace or (without it) in all. */
  list(kind: string, namespace?: string): readonly IndexedResource[]
  /** Lists the resources of a kind in a namespace whose `metadata.labels` carry every pair of `matchLabels`. */
  labelled(kind: string, namespace: string, matchLabels: LabelsLike): readonly IndexedResource[]
  /**
   * Lists the resources of a kind (any namespace) whose `spec[field]` references `target`: the
   * field holds an object reference, or a map of them (`nodeBindings`); a reference without a
   * namespace names the holder's own.
   */
  referrers(kind: string, field: string, target: { readonly namespace: string; readonly name: string }): readonly IndexedResource[]
}

type Obj = Readonly<Record<string, unknown>>
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/** Returns a resource's `metadata` object (empty when absent). */
export function metadataOf(resource: IndexedResource): Obj {
  return asObj(resource.object.metadata)
}

/** Returns a resource's `spec` object (empty when absent). */
export function specOf(resource: IndexedResource): Obj {
  return asObj(resource.object.spec)
}

/** Orders resources by namespace, then name (code units): the order every index returns. */
export function compareResources(a: IndexedResource, b: IndexedResource): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/**
 * Returns the `namespace/name` keys a resource's `spec[field]` references: one object reference,
 * or each value of a map of them. Malformed values (no string `name`) reference nothing.
 */
export function referencedBy(resource: IndexedResource, field: string): string[] {
  const value = specOf(resource)[field]
  const refs = typeof asObj(value).name === 'string' ? [value] : Object.values(asObj(value))
  return refs.flatMap((ref) => {
    const r = asObj(ref)
    if (typeof r.name !== 'string') return []
    const namespace = typeof r.namespace === 'string' && r.namespace !== '' ? r.namespace : resource.namespace
    return [`${namespace}/${r.name}`]
  })
}

/** Tells whether a resource's labels carry every pair of `matchLabels`. */
export function hasLabels(resource: IndexedResource, matchLabels: LabelsLike): boolean {
  return matchesLabels(matchLabels, asObj(metadataOf(resource).labels) as LabelsLike)
}

/**
 * Builds the in-memory {@link ResourceIndex} over a list of resources (the agent's snapshot, and
 * tests). Lookups by kind and reference are indexed once; a later duplicate key wins.
 *
 * @example
 * const index = indexResources([{ kind: 'Plan', namespace: 'default', name: 'p', object, generation: 1 }])
 * index.get('Plan', 'default', 'p')?.generation // 1
 */
export function indexResources(resources: readonly IndexedResource[]): ResourceIndex {
  const byKey = new Map<string, IndexedResource>()
  for (const r of resources) byKey.set(subjectOf(r.kind, r.namespace, r.name), r)
  const byKind = new Map<string, IndexedResource[]>()
  for (const r of [...byKey.values()].sort(compareResources)) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r])
  const references = new Map<string, Map<string, IndexedResource[]>>()
  const referenceMap = (kind: string, field: string): Map<string, IndexedResource[]> => {
    const id = `${kind}\u0000${field}`
    let map = references.get(id)
    if (map === undefined) {
      map = new Map()
      for (const r of byKind.get(kind) ?? []) for (const key of new Set(referencedBy(r, field))) map.set(key, [...(map.get(key) ?? []), r])
      references.set(id, map)
    }
    return map
  }
  return {
    get: (kind, namespace, name) => byKey.get(subjectOf(kind, namespace, name)),
    list: (kind, namespace) => (byKind.get(kind) ?? []).filter((r) => namespace === undefined || r.namespace === namespace),
    labelled: (kind, namespace, matchLabels) => (byKind.get(kind) ?? []).filter((r) => r.namespace === namespace && hasLabels(r, matchLabels)),
    referrers: (kind, field, target) => referenceMap(kind, field).get(`${target.namespace}/${target.name}`) ?? [],
  }
}
