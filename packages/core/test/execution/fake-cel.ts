import type { CelEvaluate, CelResult } from '../../src/execution/execution-types.js'

/**
 * Evaluates a tiny CEL subset for tests only: `true`, `false`, integers, "strings", dotted paths
 * (`params.x`, `nodes.a.outputs.y`), one `==` or `!=` between two of them, and `fail("msg")` which
 * returns an evaluation error. A missing path is an error ("no such key"), like CEL.
 */
export const fakeCel: CelEvaluate = (expression, variables) => {
  const text = expression.trim()
  const failure = /^fail\("([^"]*)"\)$/.exec(text)
  if (failure !== null) return { ok: false, message: failure[1] as string }
  const comparison = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(text)
  if (comparison !== null) {
    const left = term(comparison[1] as string, variables)
    const right = term(comparison[3] as string, variables)
    if (!left.ok) return left
    if (!right.ok) return right
    const equal = JSON.stringify(left.value) === JSON.stringify(right.value)
    return { ok: true, value: comparison[2] === '==' ? equal : !equal }
  }
  return term(text, variables)
}

function term(text: string, variables: Readonly<Record<string, unknown>>): CelResult {
  const t = text.trim()
  if (t === 'true') return { ok: true, value: true }
  if (t === 'false') return { ok: true, value: false }
  if (/^-?\d+$/.test(t)) return { ok: true, value: Number(t) }
  const str = /^"([^"]*)"$/.exec(t)
  if (str !== null) return { ok: true, value: str[1] }
  let value: unknown = variables
  for (const key of t.split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) return { ok: false, message: `no such key: ${key}` }
    value = (value as Record<string, unknown>)[key]
  }
  return { ok: true, value }
}
