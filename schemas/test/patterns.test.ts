import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { schemas } from '../index.js'

/** Every `pattern` in every schema, with where it is. */
function collectPatterns(node: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(node)) node.forEach((n, i) => collectPatterns(n, `${path}/${i}`, out))
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && typeof value === 'string') out.set(value, out.get(value) ?? path)
      else collectPatterns(value, `${path}/${key}`, out)
    }
  }
  return out
}

const patterns = new Map<string, string>()
for (const s of schemas) collectPatterns(s, s.$id, patterns)

const SIZE = 64 * 1024
/** Prefixes that each pattern's repeated parts can eat, so a regex that backtracks badly has room to. */
const PREFIXES = ['a', 'A', '0', '1m', '1.5h', 'a-', 'a.', 'a.a', 'a-a', 'a_', 'a/', 'a:', 'aa:a', 'a,', '-', '.', 'ab-c.d/', 'sha256:a']
const BREAKERS = ['!', '-', '.', '\u0000', ' ', '_', '/']

const adversarial = (prefix: string, breaker: string): string =>
  prefix.repeat(Math.ceil(SIZE / prefix.length)).slice(0, SIZE - breaker.length) + breaker

/** Best of three runs, in milliseconds: the regex's cost, not a GC pause. */
function time(re: RegExp, input: string): number {
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const start = performance.now()
    re.test(input)
    best = Math.min(best, performance.now() - start)
  }
  return best
}

describe('patterns resist catastrophic backtracking', () => {
  it('found the patterns', () => {
    expect(patterns.size).toBeGreaterThanOrEqual(10)
  })

  it.each([...patterns.entries()])('%s answers a 64 KiB adversarial string in under 10 ms', (pattern) => {
    // Ajv compiles patterns with the `u` flag.
    const re = new RegExp(pattern, 'u')
    let worst = { ms: 0, input: '' }
    for (const prefix of PREFIXES) {
      for (const breaker of BREAKERS) {
        const input = adversarial(prefix, breaker)
        expect(input.length).toBe(SIZE)
        const ms = time(re, input)
        if (ms > worst.ms) worst = { ms, input: `${JSON.stringify(prefix)} x ${SIZE} + ${JSON.stringify(breaker)}` }
      }
    }
    expect(worst.ms, `worst case ${worst.input}`).toBeLessThan(10)
  })
})
