import { compareResources, hasLabels, referencedBy, type IndexedResource, type ResourceIndex } from '@planspec/core'
import type { StoredResource } from '@planspec/core'
import type { StoreTransaction } from '../store/api-store.js'

/** Turns a stored object into what core's controllers read (namespace resolved, generation from metadata). */
export function indexedResource(object: StoredResource): IndexedResource {
  return {
    kind: object.kind,
    namespace: object.metadata.namespace ?? 'default',
    name: object.metadata.name,
    object,
    generation: object.metadata.generation ?? 1,
    ...(object.status === undefined ? {} : { status: object.status }),
  }
}

/**
 * Builds core's read-only {@link ResourceIndex} over one store transaction: lookups go to the
 * transaction (so a reconcile sees one consistent snapshot), each list is read once per index and
 * sorted by namespace, then name, like every index. Label and reference lookups filter the list.
 *
 * @example
 * store.transact((tx) => reconcileResources(transactionIndex(tx), facts, now))
 */
export function transactionIndex(tx: StoreTransaction): ResourceIndex {
  const lists = new Map<string, IndexedResource[]>()
  const list = (kind: string, namespace?: string): IndexedResource[] => {
    const id = `${kind}\u0000${namespace ?? ''}`
    let items = lists.get(id)
    if (items === undefined) {
      items = tx.list(kind, namespace).map(indexedResource).sort(compareResources)
      lists.set(id, items)
    }
    return items
  }
  return {
    get: (kind, namespace, name) => {
      const object = tx.get({ kind, namespace, name })
      return object === undefined ? undefined : indexedResource(object)
    },
    list,
    labelled: (kind, namespace, matchLabels) => list(kind, namespace).filter((r) => hasLabels(r, matchLabels)),
    referrers: (kind, field, target) => list(kind).filter((r) => referencedBy(r, field).includes(`${target.namespace}/${target.name}`)),
  }
}
