/** Stores `value` under `key` in a bounded map, dropping the oldest entries past `max`. */
export function rememberBlob<T>(map: Map<string, T>, max: number, key: string, value: T): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > max) {
    const oldest = map.keys().next()
    if (oldest.done) break
    map.delete(oldest.value)
  }
}
