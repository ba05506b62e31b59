/**
 * Serializes a JSON value canonically: object keys sorted at every depth, no whitespace, arrays in
 * order, `undefined` written as `null`. Two values that are equal as JSON give the same text, so
 * a digest of it is stable across YAML formatting and key order (an RFC 8785-like form; shells
 * hash it, core has no crypto).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, 'x'] }) // '{"a":[true,"x"],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
