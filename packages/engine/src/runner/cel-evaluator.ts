import { Environment, serialize } from '@marcbachmann/cel-js'
import type { CelEvaluate } from '@planspec/core'
import { compileUserRegex } from '../internal/user-regex.js'
import { estimateCelCost, type CelAstNode } from './cel-cost.js'

/** Limits of {@link createCelEvaluator}. */
export interface CelLimits {
  /** Most work units an expression may cost over the variables it sees (default 1,000,000). */
  readonly maxCost?: number
  /** Largest string, list or map an expression may build or walk (default 16 Mi characters or elements). */
  readonly maxSize?: number
}

/** Default cost limit: the per-expression runtime limit Kubernetes gives CEL, as an order of size. */
export const DEFAULT_CEL_COST_LIMIT = 1_000_000
const DEFAULT_SIZE_LIMIT = 16 * 1024 * 1024

// CEL's matches() has RE2 semantics; cel-js runs it on JavaScript's backtracking RegExp. The
// expression is rewritten (on its AST) to call this linear-time RE2 twin instead.
const RE2_MATCHES = 're2Matches'

type Compiled = { readonly run: (context: Record<string, unknown>) => unknown; readonly ast: CelAstNode }

/**
 * Creates the CEL evaluator the engine injects into core's controllers (DECISIONS §3: a
 * maintained CEL library, not a home-made one). Every evaluation is bounded (DECISIONS §9):
 * `matches()` runs on a linear-time RE2 engine (re2js), and an expression whose estimated cost
 * over the actual variables (`estimateCelCost`: comprehensions × their ranges, string and list
 * walks, regex text × pattern) is over `maxCost`, or that would build a value over `maxSize`, is
 * refused before it runs. Parsed expressions are cached; results are converted to JSON values
 * (CEL integers are bigints: they become numbers when they fit). Never throws: an evaluation
 * error or a refusal is `{ ok: false, message }`.
 *
 * @example
 * const evaluate = createCelEvaluator()
 * evaluate('nodes.build.outputs.tag != ""', { nodes: { build: { outputs: { tag: 'v1' } } } }) // { ok: true, value: true }
 */
export function createCelEvaluator(limits: CelLimits = {}): CelEvaluate {
  const maxCost = limits.maxCost ?? DEFAULT_CEL_COST_LIMIT
  const maxSize = limits.maxSize ?? DEFAULT_SIZE_LIMIT
  const env = new Environment({ unlistedVariablesAreDyn: true }).registerFunction(`string.${RE2_MATCHES}(string): bool`, (text: string, pattern: string) => {
    const regex = compileUserRegex(pattern)
    if (regex === null) throw new Error(`invalid RE2 regular expression: ${pattern}`)
    return regex.test(text)
  })
  const cache = new Map<string, Compiled>()
  const compile = (expression: string): Compiled => {
    let compiled = cache.get(expression)
    if (compiled !== undefined) return compiled
    const parsed = env.parse(expression) as unknown as { (context: Record<string, unknown>): unknown; ast: CelAstNode }
    const rewritten = usesMatches(parsed.ast) ? (env.parse(serialize(withRe2Matches(parsed.ast) as never)) as unknown as typeof parsed) : parsed
    compiled = { run: rewritten, ast: parsed.ast }
    if (cache.size > 1000) cache.clear()
    cache.set(expression, compiled)
    return compiled
  }
  return (expression, variables) => {
    try {
      const compiled = compile(expression)
      const cost = estimateCelCost(compiled.ast, variables as Record<string, unknown>)
      if (cost.cost > maxCost) return { ok: false, message: `the expression is too costly to evaluate: its estimated cost ${cost.cost} is over the limit ${maxCost}` }
      if (cost.peakSize > maxSize) return { ok: false, message: `the expression is too costly to evaluate: it may build a value of ${cost.peakSize} characters or elements, over the limit ${maxSize}` }
      return { ok: true, value: toJson(compiled.run(variables as Record<string, unknown>)) }
    } catch (error) {
      return { ok: false, message: String((error as Error)?.message ?? error).split('\n', 1)[0] || 'evaluation failed' }
    }
  }
}

function usesMatches(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(usesMatches)
  if (node === null || typeof node !== 'object' || typeof (node as CelAstNode).op !== 'string' || (node as CelAstNode).op === 'value') return false
  const ast = node as CelAstNode
  return (ast.op === 'rcall' && Array.isArray(ast.args) && ast.args[0] === 'matches') || usesMatches(ast.args)
}

/** A copy of the AST whose `x.matches(p)` calls are `x.re2Matches(p)`; everything else is kept as parsed. */
function withRe2Matches(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withRe2Matches)
  if (node === null || typeof node !== 'object' || typeof (node as CelAstNode).op !== 'string' || (node as CelAstNode).op === 'value') return node
  const ast = node as CelAstNode
  const args = withRe2Matches(ast.args)
  return { ...ast, args: ast.op === 'rcall' && Array.isArray(args) && args[0] === 'matches' ? [RE2_MATCHES, ...args.slice(1)] : args }
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
