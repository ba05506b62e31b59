import { initialStatus, STATUS_KINDS, type StatusKind, StoreAlreadyExistsError, StoreConflictError, StoreNotFoundError, type ObjectKey, type StoredResource, type WatchEvent, canonicalJson } from '@planspec/core'
import type { StoreTransaction } from './api-store.js'
import { assemble, composeMetadata, keyOf, systemMetadata, userMetadata } from './build-object.js'
import type { Statements } from './sqlite-tables.js'

const STATUS_KIND_SET: ReadonlySet<string> = new Set<string>(STATUS_KINDS)

/** What the write primitives need from the store around them. */
export interface WriteContext {
  readonly statements: Statements
  readonly now: () => string
  readonly newUid: () => string
  readonly clusterScoped: ReadonlySet<string>
  /** Allocates the next global resourceVersion (inside the open transaction). */
  readonly nextVersion: () => number
  /** Persists a change: the object row and the event row, and queues the event for after commit. */
  readonly record: (type: WatchEvent['type'], key: ObjectKey, version: number, object: StoredResource) => void
}

/** Builds the synchronous write API used inside a transaction (see `StoreTransaction`). */
export function transactionApi(ctx: WriteContext): StoreTransaction {
  const { statements: st } = ctx
  const read = (key: ObjectKey): StoredResource | undefined => {
    const row = st.getObject.get(key.kind, key.namespace, key.name)
    return row === undefined ? undefined : (JSON.parse(row.data) as StoredResource)
  }
  const readExisting = (key: ObjectKey): StoredResource => {
    const found = read(key)
    if (found === undefined) throw new StoreNotFoundError(key)
    return found
  }
  // Writes must name the version they were computed from: no blind last-write-wins (M3).
  const checkVersion = (key: ObjectKey, stored: StoredResource, given: string | undefined): void => {
    if (given !== stored.metadata.resourceVersion) throw new StoreConflictError(key, given, String(stored.metadata.resourceVersion))
  }

  return {
    get: read,
    list(kind, namespace) {
      const rows = namespace === undefined ? st.listKind.all(kind) : st.listKindNs.all(kind, namespace)
      return rows.map((row) => JSON.parse(row.data) as StoredResource)
    },
    create(object) {
      const key = keyOf(object, ctx.clusterScoped)
      if (st.getObject.get(key.kind, key.namespace, key.name) !== undefined) throw new StoreAlreadyExistsError(key)
      const version = ctx.nextVersion()
      const creationTimestamp = ctx.now()
      const metadata = composeMetadata(key, { uid: ctx.newUid(), resourceVersion: String(version), generation: 1, creationTimestamp }, userMetadata(object.metadata))
      // A status sent with create is ignored; the server's initial status is written instead (RESOURCES 0.7).
      const status = STATUS_KIND_SET.has(object.kind) ? initialStatus(object.kind as StatusKind, 1, creationTimestamp) : undefined
      const saved = assemble(object, metadata, status)
      ctx.record('ADDED', key, version, saved)
      return saved
    },
    update(object) {
      const key = keyOf(object, ctx.clusterScoped)
      const stored = readExisting(key)
      checkVersion(key, stored, object.metadata.resourceVersion)
      const specChanged = canonicalJson(object.spec ?? null) !== canonicalJson(stored.spec ?? null)
      const version = ctx.nextVersion()
      const system = { ...systemMetadata(stored.metadata), resourceVersion: String(version), generation: (stored.metadata.generation ?? 1) + (specChanged ? 1 : 0) }
      // Status is not part of an update: the stored status is kept whatever the caller sent.
      const saved = assemble(object, composeMetadata(key, system, userMetadata(object.metadata)), stored.status)
      ctx.record('MODIFIED', key, version, saved)
      return saved
    },
    updateStatus(object) {
      const key = keyOf(object, ctx.clusterScoped)
      const stored = readExisting(key)
      checkVersion(key, stored, object.metadata.resourceVersion)
      const version = ctx.nextVersion()
      const saved = assemble(stored, { ...stored.metadata, resourceVersion: String(version) }, object.status)
      ctx.record('MODIFIED', key, version, saved)
      return saved
    },
    delete(key, options = {}) {
      const stored = readExisting(key)
      if (options.resourceVersion !== undefined) checkVersion(key, stored, options.resourceVersion)
      const version = ctx.nextVersion()
      const gone = { ...stored, metadata: { ...stored.metadata, resourceVersion: String(version) } }
      ctx.record('DELETED', key, version, gone)
      return gone
    },
    markDeleting(key, options = {}) {
      const stored = readExisting(key)
      if (options.resourceVersion !== undefined) checkVersion(key, stored, options.resourceVersion)
      if (stored.metadata.deletionTimestamp !== undefined) return stored
      const version = ctx.nextVersion()
      const metadata = { ...stored.metadata, resourceVersion: String(version), deletionTimestamp: ctx.now(), deletionGracePeriodSeconds: 0 }
      const saved = assemble(stored, metadata, stored.status)
      ctx.record('MODIFIED', key, version, saved)
      return saved
    },
  }
}
