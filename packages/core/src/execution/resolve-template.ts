import type { CelEvaluate } from './execution-types.js'

/** Outcome of resolving templates: the value, or the first evaluation error. */
export type TemplateResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string }

const OPEN = '${{'
const CLOSE = '}}'

/**
 * Resolves the `${{ <CEL> }}` templates of one string (DECISIONS §3, data flow). A string that is
 * exactly one template keeps the evaluated value's type; otherwise every template is replaced by
 * its value (strings as they are, anything else as JSON) inside the surrounding text. A string
 * without templates is returned unchanged. An unterminated `${{`, an empty expression or an
 * evaluation error gives `{ ok: false }` with a message naming the expression. Pure string code.
 *
 * @example
 * ```ts
 * resolveTemplate('${{ params.n }}', evaluate, { params: { n: 3 } }) // { ok: true, value: 3 }
 * resolveTemplate('n=${{ params.n }}', evaluate, { params: { n: 3 } }) // { ok: true, value: 'n=3' }
 * ```
 */
export function resolveTemplate(text: string, evaluate: CelEvaluate, variables: Readonly<Record<string, unknown>>): TemplateResult {
  const parts: unknown[] = []
  let cursor = 0
  for (let open = text.indexOf(OPEN); open !== -1; open = text.indexOf(OPEN, cursor)) {
    const close = text.indexOf(CLOSE, open + OPEN.length)
    if (close === -1) return { ok: false, message: `unterminated template at offset ${open}` }
    const expression = text.slice(open + OPEN.length, close).trim()
    if (expression === '') return { ok: false, message: `empty template at offset ${open}` }
    const result = evaluate(expression, variables)
    if (!result.ok) return { ok: false, message: `${expression}: ${result.message}` }
    if (open === 0 && close + CLOSE.length === text.length) return { ok: true, value: result.value }
    parts.push(text.slice(cursor, open), result.value)
    cursor = close + CLOSE.length
  }
  if (parts.length === 0) return { ok: true, value: text }
  parts.push(text.slice(cursor))
  return { ok: true, value: parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part) ?? 'null')).join('') }
}

/**
 * Resolves every string of a node's `inputs`, recursing into arrays and plain objects; other
 * values are kept. Returns the first error with the input path (`inputs.a.0`) in its message.
 *
 * @example
 * ```ts
 * resolveInputs({ msg: 'hi ${{ params.who }}' }, evaluate, { params: { who: 'bob' } }) // { ok: true, value: { msg: 'hi bob' } }
 * ```
 */
export function resolveInputs(
  inputs: Readonly<Record<string, unknown>>,
  evaluate: CelEvaluate,
  variables: Readonly<Record<string, unknown>>,
): { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly message: string } {
  const result = resolveValue(inputs, evaluate, variables, 'inputs')
  return result.ok ? { ok: true, value: result.value as Record<string, unknown> } : result
}

/** Resolves one value recursively; `path` names it in error messages. */
function resolveValue(value: unknown, evaluate: CelEvaluate, variables: Readonly<Record<string, unknown>>, path: string): TemplateResult {
  if (typeof value === 'string') {
    const result = resolveTemplate(value, evaluate, variables)
    return result.ok ? result : { ok: false, message: `${path}: ${result.message}` }
  }
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (const [index, item] of value.entries()) {
      const result = resolveValue(item, evaluate, variables, `${path}.${index}`)
      if (!result.ok) return result
      out.push(result.value)
    }
    return { ok: true, value: out }
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const result = resolveValue(item, evaluate, variables, `${path}.${key}`)
      if (!result.ok) return result
      out[key] = result.value
    }
    return { ok: true, value: out }
  }
  return { ok: true, value }
}

/**
 * Tells whether a value holds a `${{` template anywhere (strings, arrays and plain objects,
 * recursively): values without one resolve to themselves.
 *
 * @example
 * ```ts
 * containsTemplate({ a: ['x', '${{ params.n }}'] }) // true
 * ```
 */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(OPEN)
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsTemplate)
  return false
}
