import type { ObjectKey } from '@planspec/core'
import type { ApiStore } from '../store/api-store.js'
import { createBoundedBodies } from './bounded-bodies.js'

/** Options of {@link createObjectCache}. */
export interface ObjectCacheOptions {
  /** The store whose change feed invalidates entries (every write, by this process or another, is an event). */
  readonly store: Pick<ApiStore, 'subscribe'>
  /** How many secrets the redactor knows: a new one makes every cached body stale. */
  readonly redactions: () => number
  /** Most bytes held (default 32 MiB); the least recently stored entries go first. */
  readonly maxBytes?: number
  /** Most entries held (default 10,000). */
  readonly maxEntries?: number
}

/** Finished GET responses of single objects, ready to send. */
export interface ObjectCache {
  /** The masked bytes of the object at `key` as last read, or undefined. */
  get(key: ObjectKey): Buffer | undefined
  /** Keeps `body` (the stored JSON, already masked) for `key`; call it in the same synchronous turn as the read. */
  set(key: ObjectKey, body: Buffer): void
  /** Stops following the store. Idempotent. */
  close(): void
}

interface Entry {
  readonly redactions: number
  readonly body: Buffer
}

const idOf = (key: ObjectKey): string => `${key.kind}\u0000${key.namespace}\u0000${key.name}`

/**
 * Creates the cache of single-object GET responses: the stored JSON of an object, masked once,
 * served as is while the object does not change. Entries are dropped by the store's change feed:
 * each committed write (ADDED, MODIFIED, DELETED) drops its object's entry before the write is
 * answered, and writes by other processes or replicas arrive on the same feed once the store has
 * caught up (the server does so before every request); a store that cannot say what changed
 * (`onReset`) drops everything. An entry also goes stale when the redactor learns a new secret.
 * Authorization is not cached: it runs on every request before the cache is asked.
 *
 * @example
 * const cache = createObjectCache({ store, redactions: () => redactor.size })
 * cache.set(key, Buffer.from(redactor.redact(store.getText(key)!)))
 * cache.get(key) // the bytes, until the object changes
 */
export function createObjectCache(options: ObjectCacheOptions): ObjectCache {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024
  const maxEntries = options.maxEntries ?? 10_000
  const entries = createBoundedBodies<Entry>(maxBytes, maxEntries)
  const unsubscribe = options.store.subscribe((event) => entries.drop(idOf(event.key)), () => entries.clear())
  let closed = false
  return {
    get(key) {
      const id = idOf(key)
      const entry = entries.get(id)
      if (entry === undefined) return undefined
      if (entry.redactions !== options.redactions()) {
        entries.drop(id)
        return undefined
      }
      return entry.body
    },
    set(key, body) {
      if (closed) return
      entries.put(idOf(key), { redactions: options.redactions(), body })
    },
    close() {
      if (closed) return
      closed = true
      unsubscribe()
      entries.clear()
    },
  }
}
