import { RE2JS } from 're2js'

/** A compiled user pattern: `test` finds it anywhere in a text, in time linear in the text. */
export interface UserRegex {
  test(text: string): boolean
}

const cache = new Map<string, UserRegex | null>()
const CACHE_MAX = 256

/**
 * Compiles a pattern from a manifest (`contentMatch`, `outputMatch`, `bodyMatch`, CEL
 * `matches()`) with RE2 semantics on a linear-time engine (re2js), so no pattern can backtrack
 * (DECISIONS §9, THREATS T17). Returns `null` for a pattern RE2 does not accept (lookarounds and
 * backreferences are not RE2). Compiled patterns are cached.
 *
 * @example
 * compileUserRegex('(a+)+$')?.test('a'.repeat(10_000) + '!') // false, at once
 */
export function compileUserRegex(pattern: string): UserRegex | null {
  const cached = cache.get(pattern)
  if (cached !== undefined) return cached
  let compiled: UserRegex | null
  try {
    const re = RE2JS.compile(pattern)
    compiled = { test: (text) => re.test(text) }
  } catch {
    compiled = null
  }
  if (cache.size >= CACHE_MAX) cache.clear()
  cache.set(pattern, compiled)
  return compiled
}
