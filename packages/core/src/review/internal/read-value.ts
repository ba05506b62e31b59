/** A plain object read from a manifest; other values read as absent. */
export type Obj = Readonly<Record<string, unknown>>

/** Returns the value when it is a plain object (not an array, not null), else undefined. */
export function asObject(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined
}

/** Returns the value when it is an array, else an empty array. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/** Returns the value when it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** Returns the strings of an array value, dropping everything else. */
export function stringsOf(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === 'string')
}

/** Reads `value.spec` as an object (empty when absent or malformed). */
export function specOf(value: Obj): Obj {
  return asObject(value.spec) ?? {}
}
