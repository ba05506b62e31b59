/**
 * Tells whether JSON text nests objects and arrays deeper than `max`, scanning the raw text (string
 * contents and escapes skipped) before anything parses it: deep nesting would overflow the stack of
 * later recursive steps such as `JSON.stringify` (THREATS T7, limits before expensive work).
 *
 * @example
 * jsonDeeperThan('[[[1]]]', 2) // true
 */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (inString) {
      if (code === 0x5c) i++ // backslash: skip the escaped character
      else if (code === 0x22) inString = false
    } else if (code === 0x22) inString = true
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > max) return true
    } else if (code === 0x7d || code === 0x5d) depth--
  }
  return false
}
