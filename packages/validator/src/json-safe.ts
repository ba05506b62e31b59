/**
 * Tells whether JSON keeps a value exactly: only strings, finite numbers other than -0, booleans,
 * null, arrays and plain objects, nothing undefined. Such a value can travel as JSON text, and
 * `JSON.parse` gives back the same value in V8's most compact form.
 *
 * @example
 * isJsonSafe({ a: [1, 'x'] }) // true
 * isJsonSafe({ a: NaN })      // false
 */
export function isJsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  if (Array.isArray(value)) return value.every(isJsonSafe)
  if (typeof value === 'object') {
    for (const key of Object.keys(value)) if (!isJsonSafe((value as Record<string, unknown>)[key])) return false
    return true
  }
  return false
}
