import { createBoundedBodies } from './bounded-bodies.js'

/** Options of {@link createListCache}. */
export interface ListCacheOptions {
  /** The store's resourceVersion now (a list answered at another version is never served again). */
  readonly version: () => string
  /** How many secrets the redactor knows: a new one makes every cached body stale. */
  readonly redactions: () => number
  /** Most bytes held (default 64 MiB); the oldest entries go first. */
  readonly maxBytes?: number
  /** Most entries held (default 256). */
  readonly maxEntries?: number
}

/** Finished list responses, ready to send. */
export interface ListCache {
  /** The body answered for `key` at the store's current version, or undefined. */
  get(key: string): Buffer | undefined
  /** Keeps `body` (already redacted) for `key`, tagged with the version it was read at. */
  set(key: string, version: string, body: Buffer): void
}

interface Entry {
  readonly version: string
  readonly redactions: number
  readonly body: Buffer
}

/**
 * Creates the cache of list responses. A list's bytes depend only on its request (kind, namespace,
 * selectors, limit, continue token) and on the store's content, which only a write changes, and
 * every write moves the resourceVersion: an entry is served only while the store is still at the
 * version it was read at and the redactor knows no new secret, so a cached answer is byte for byte
 * the answer a fresh read would give. Authorization is not cached: it runs on every request
 * before the cache is asked.
 *
 * @example
 * const cache = createListCache({ version: () => store.currentResourceVersion(), redactions: () => redactor.size })
 * cache.set('Goal|default|500|', '42', Buffer.from('{"items":[]}'))
 * cache.get('Goal|default|500|') // the bytes while the store is at 42
 */
export function createListCache(options: ListCacheOptions): ListCache {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  const maxEntries = options.maxEntries ?? 256
  const entries = createBoundedBodies<Entry>(maxBytes, maxEntries)
  return {
    get(key) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (entry.version !== options.version() || entry.redactions !== options.redactions()) {
        entries.drop(key)
        return undefined
      }
      return entry.body
    },
    set(key, version, body) {
      entries.put(key, { version, redactions: options.redactions(), body })
    },
  }
}
