import { type ObjectKey, type StoredResource, canonicalJson } from '@planspec/core'
import type { StoreTransaction } from '../store/api-store.js'
import { invalid } from './admit-object.js'
import { ApiError } from './error-catalog.js'
import { NAMESPACED_KINDS, type KindEntry } from './kinds.js'
import type { Identity } from './tokens.js'

/** The annotation the server sets on create to the authenticated creator (RESOURCES 10.3); clients cannot change it. */
export const CREATED_BY_ANNOTATION = 'planspec.io/created-by'

/** How a delete treats the objects that name the deleted one in their `ownerReferences`. */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan'

/** Returns the reviewer-style subject of an identity: `user:alice`, or the user as is when it already has a prefix (`svc:ci`). */
export function subjectOf(identity: Identity): string {
  return identity.user.includes(':') ? identity.user : `user:${identity.user}`
}

/** Creates the Namespace object when it does not exist yet (namespaces are created on first use). */
export function ensureNamespace(tx: StoreTransaction, namespace: string): void {
  if (tx.get({ kind: 'Namespace', namespace: '', name: namespace }) === undefined) {
    tx.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })
  }
}

/** Creates an admitted object; records its creator and creates its namespace when needed. */
export function createObject(tx: StoreTransaction, entry: KindEntry, object: StoredResource, identity: Identity): StoredResource {
  if (entry.namespaced && object.metadata.namespace !== undefined) ensureNamespace(tx, object.metadata.namespace)
  const annotations = { ...object.metadata.annotations, [CREATED_BY_ANNOTATION]: subjectOf(identity) }
  return tx.create({ ...object, metadata: { ...object.metadata, annotations } })
}

/** Reads an object or throws the API's 404. */
export function readObject(tx: StoreTransaction, entry: KindEntry, key: ObjectKey): StoredResource {
  const found = tx.get(key)
  if (found === undefined) throw new ApiError('NotFound', `${entry.plural} ${JSON.stringify(key.name)} not found`, { name: key.name, group: 'planspec.io', kind: entry.plural })
  return found
}

/**
 * Replaces spec and metadata of an existing object with an admitted one. `resourceVersion` is the
 * compare-and-swap precondition (required: an update without it is refused with 422, never applied
 * last-write-wins). Refuses (422) a changed Execution spec and new finalizers on an object being
 * deleted; keeps the creator annotation. When the last finalizer of an object being deleted goes,
 * the object is deleted.
 */
export function replaceObject(tx: StoreTransaction, entry: KindEntry, key: ObjectKey, object: StoredResource, resourceVersion: string | undefined): StoredResource {
  const stored = readObject(tx, entry, key)
  if (resourceVersion === undefined) {
    throw invalid(entry, key.name, [{ reason: 'FieldValueRequired', message: 'must be specified for an update', field: 'metadata.resourceVersion' }])
  }
  if (entry.kind === 'Execution' && canonicalJson(object.spec ?? null) !== canonicalJson(stored.spec ?? null)) {
    throw invalid(entry, key.name, [{ reason: 'FieldValueForbidden', message: 'an Execution spec is immutable after create; create a new Execution to run again', field: 'spec' }])
  }
  const finalizers = object.metadata.finalizers ?? []
  if (stored.metadata.deletionTimestamp !== undefined && finalizers.some((f) => !(stored.metadata.finalizers ?? []).includes(f))) {
    throw invalid(entry, key.name, [{ reason: 'FieldValueForbidden', message: 'no new finalizers may be added while the object is being deleted', field: 'metadata.finalizers' }])
  }
  const annotations: Record<string, string | undefined> = { ...object.metadata.annotations }
  const creator = stored.metadata.annotations?.[CREATED_BY_ANNOTATION]
  if (creator === undefined) delete annotations[CREATED_BY_ANNOTATION]
  else annotations[CREATED_BY_ANNOTATION] = creator
  const metadata = { ...object.metadata, resourceVersion, ...(Object.keys(annotations).length === 0 ? { annotations: undefined } : { annotations }) }
  const updated = tx.update({ ...object, metadata })
  if (updated.metadata.deletionTimestamp !== undefined && finalizers.length === 0) return deleteNow(tx, key, updated, 'Background')
  return updated
}

/** Preconditions and policy of a delete. */
export interface DeleteOptions {
  readonly resourceVersion?: string
  readonly uid?: string
  readonly propagationPolicy: PropagationPolicy
}

/**
 * Deletes an object (RESOURCES 9.2): an object with finalizers is only marked (`deletionTimestamp`);
 * otherwise it is removed and its dependents (objects in its namespace whose `ownerReferences`
 * carry its uid) are deleted too, recursively, or with `Orphan` released from the reference.
 * Preconditions (`uid`, `resourceVersion`) that do not match give 409.
 */
export function deleteObject(tx: StoreTransaction, entry: KindEntry, key: ObjectKey, options: DeleteOptions): StoredResource {
  const stored = readObject(tx, entry, key)
  if (options.uid !== undefined && options.uid !== stored.metadata.uid) {
    throw new ApiError('Conflict', `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${String(stored.metadata.uid)}`, { name: key.name, group: 'planspec.io', kind: entry.plural })
  }
  if ((stored.metadata.finalizers ?? []).length > 0) return tx.markDeleting(key, options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion })
  if (options.resourceVersion !== undefined && options.resourceVersion !== stored.metadata.resourceVersion) {
    return tx.delete(key, { resourceVersion: options.resourceVersion }) // throws the store's conflict
  }
  return deleteNow(tx, key, stored, options.propagationPolicy)
}

function deleteNow(tx: StoreTransaction, key: ObjectKey, stored: StoredResource, policy: PropagationPolicy): StoredResource {
  const deleted = tx.delete(key)
  const uid = stored.metadata.uid
  if (uid === undefined || key.namespace === '') return deleted
  for (const dependentKind of NAMESPACED_KINDS) {
    for (const dependent of tx.list(dependentKind.kind, key.namespace)) {
      const refs = dependent.metadata.ownerReferences ?? []
      if (!refs.some((ref) => ref.uid === uid)) continue
      const dependentKey = { kind: dependent.kind, namespace: key.namespace, name: dependent.metadata.name }
      if (policy === 'Orphan') {
        const remaining = refs.filter((ref) => ref.uid !== uid)
        tx.update({ ...dependent, metadata: { ...dependent.metadata, ownerReferences: remaining.length === 0 ? undefined : remaining } })
      } else if (tx.get(dependentKey) !== undefined) {
        deleteObject(tx, dependentKind, dependentKey, { propagationPolicy: policy })
      }
    }
  }
  return deleted
}

/**
 * Deletes a namespace and everything in it, in one transaction, emitting a DELETED event for each
 * object and then for the namespace. Finalizers do not hold a namespace deletion back. The
 * `default` namespace cannot be deleted (403).
 */
export function deleteNamespace(tx: StoreTransaction, namespace: string): StoredResource {
  if (namespace === 'default') throw new ApiError('Forbidden', 'namespace "default" may not be deleted', { name: namespace, kind: 'namespaces' })
  const key = { kind: 'Namespace', namespace: '', name: namespace }
  if (tx.get(key) === undefined) throw new ApiError('NotFound', `namespaces ${JSON.stringify(namespace)} not found`, { name: namespace, kind: 'namespaces' })
  for (const entry of NAMESPACED_KINDS) for (const object of tx.list(entry.kind, namespace)) tx.delete({ kind: entry.kind, namespace, name: object.metadata.name })
  return tx.delete(key)
}
