import { asObject, type Obj } from './read-value.js'

/**
 * Tells whether two JSON-like values are equal: same primitives (`Object.is`), arrays equal item
 * by item, objects with the same own keys and equal values whatever the key order.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]))
  }
  const left = asObject(a)
  const right = asObject(b)
  if (left === undefined || right === undefined) return false
  const keys = Object.keys(left)
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]))
}

/**
 * Lists the dotted paths where two objects differ, descending into nested objects (never arrays)
 * until `depth` levels, in sorted order. A key present on one side only is a difference at its
 * own path. Keys in `ignore` (dotted paths) are skipped.
 *
 * @example
 * changedFields({ spec: { a: 1, b: { c: 2 } } }, { spec: { a: 1, b: { c: 3 } } }, 2) // ['spec.b']
 */
export function changedFields(a: Obj, b: Obj, depth: number, ignore: ReadonlySet<string> = new Set(), prefix = ''): string[] {
  const out: string[] = []
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const path = prefix + key
    if (ignore.has(path) || deepEqual(a[key], b[key])) continue
    const left = asObject(a[key])
    const right = asObject(b[key])
    if (depth > 1 && left !== undefined && right !== undefined) out.push(...changedFields(left, right, depth - 1, ignore, `${path}.`))
    else out.push(path)
  }
  return out
}
