/** Longest message text a provider puts in a result. */
const MAX_MESSAGE_CHARS = 512

/** Parses `text` as JSON and returns it when it is a plain object, else `undefined`. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return isPlainObject(value) ? value : undefined
}

/** Tells whether a value is a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Keeps only the declared output keys (UndeclaredOutput is not a failure: the rest are dropped
 * and named in `message`). Built with `Object.fromEntries`, so a `__proto__` key stays an own
 * key and never reaches a prototype (THREATS T9).
 */
export function keepDeclared(
  outputs: Readonly<Record<string, unknown>>,
  declared: readonly string[],
): { outputs: Record<string, unknown>; message?: string } {
  const allowed = new Set(declared)
  const entries = Object.entries(outputs)
  const kept = Object.fromEntries(entries.filter(([key]) => allowed.has(key))) as Record<string, unknown>
  const dropped = entries.filter(([key]) => !allowed.has(key)).map(([key]) => key)
  if (dropped.length === 0) return { outputs: kept }
  return { outputs: kept, message: clip(`UndeclaredOutput: dropped ${dropped.join(', ')}`) }
}

/** Cuts a message to a bounded length. */
export function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text
}

/** Returns the last non-empty line of `text`, trimmed, or `undefined`. */
export function lastLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
  return lines[lines.length - 1]
}
