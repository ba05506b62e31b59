import { parse } from '@marcbachmann/cel-js'
import type { CelEvaluate } from '@planspec/core'

/**
 * Creates the CEL evaluator the engine injects into core's controllers (DECISIONS §3: a
 * maintained CEL library, not a home-made one). Parsed expressions are cached; results are
 * converted to JSON values (CEL integers are bigints: they become numbers when they fit).
 * Never throws: an evaluation error is `{ ok: false, message }`.
 *
 * @example
 * const evaluate = createCelEvaluator()
 * evaluate('nodes.build.outputs.tag != ""', { nodes: { build: { outputs: { tag: 'v1' } } } }) // { ok: true, value: true }
 */
export function createCelEvaluator(): CelEvaluate {
  const cache = new Map<string, (context: Record<string, unknown>) => unknown>()
  return (expression, variables) => {
    try {
      let compiled = cache.get(expression)
      if (!compiled) {
        compiled = parse(expression) as unknown as (context: Record<string, unknown>) => unknown
        if (cache.size > 1000) cache.clear()
        cache.set(expression, compiled)
      }
      return { ok: true, value: toJson(compiled(variables as Record<string, unknown>)) }
    } catch (error) {
      return { ok: false, message: String((error as Error)?.message ?? error).split('\n', 1)[0] || 'evaluation failed' }
    }
  }
}

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]))
  if (Array.isArray(value)) return value.map(toJson)
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (value instanceof Date) return value.toISOString()
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]))
  return value
}
