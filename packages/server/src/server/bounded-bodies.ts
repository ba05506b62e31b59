/** Response bodies kept under a key, within a size and a count (see {@link createBoundedBodies}). */
export interface BoundedBodies<E extends { readonly body: Buffer }> {
  /** The entry under `key`, if any. */
  get(key: string): E | undefined
  /** Keeps `entry` under `key`, dropping the oldest entries to stay within the bounds; a body larger than the whole budget is not kept. */
  put(key: string, entry: E): void
  /** Drops the entry under `key`, if any. */
  drop(key: string): void
  /** Drops every entry. */
  clear(): void
}

/**
 * Creates the store of the server's response caches (the object cache and the list cache):
 * entries in insertion order, at most `maxEntries` of them and `maxBytes` of bodies, the oldest
 * dropped first when a new one would not fit.
 *
 * @example
 * const bodies = createBoundedBodies<{ body: Buffer }>(1024 * 1024, 100)
 * bodies.put('a', { body: Buffer.from('{}') })
 * bodies.get('a')?.body // <Buffer 7b 7d>
 */
export function createBoundedBodies<E extends { readonly body: Buffer }>(maxBytes: number, maxEntries: number): BoundedBodies<E> {
  const entries = new Map<string, E>()
  let bytes = 0
  const drop = (key: string): void => {
    const entry = entries.get(key)
    if (entry === undefined) return
    entries.delete(key)
    bytes -= entry.body.length
  }
  return {
    get: (key) => entries.get(key),
    put(key, entry) {
      if (entry.body.length > maxBytes) return
      drop(key)
      while (entries.size >= maxEntries || (entries.size > 0 && bytes + entry.body.length > maxBytes)) drop(entries.keys().next().value as string)
      entries.set(key, entry)
      bytes += entry.body.length
    },
    drop,
    clear() {
      entries.clear()
      bytes = 0
    },
  }
}
