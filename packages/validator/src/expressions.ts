import { parse as parseCel } from '@marcbachmann/cel-js'

/** The variables an expression may use (DECISIONS §3). */
export const EXPRESSION_ROOTS: ReadonlySet<string> = new Set(['params', 'inputs', 'nodes', 'goal'])

/** What an expression reads: a node's outputs or phase, or a root variable. */
export type ExpressionReference =
  | { readonly type: 'root'; readonly name: string; readonly start: number; readonly end: number }
  | { readonly type: 'node'; readonly node: string; readonly field: 'outputs' | 'phase' | undefined; readonly output?: string; readonly start: number; readonly end: number }

/** The outcome of parsing one CEL expression. */
export type ExpressionParse =
  | { readonly ok: true; readonly references: readonly ExpressionReference[] }
  | { readonly ok: false; readonly message: string; readonly offset: number }

interface AstNode {
  readonly op: string
  readonly args: unknown
  readonly start?: number
  readonly end?: number
}

const isAst = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && typeof (v as AstNode).op === 'string'

/**
 * Parses a CEL expression with a maintained CEL library and lists what it reads, so that the
 * validator can check node references against the graph. Offsets are into `source`.
 *
 * @example
 * parseExpression('nodes.build.outputs.tag != ""') // { ok: true, references: [{ type: 'node', node: 'build', field: 'outputs', output: 'tag', … }] }
 */
export function parseExpression(source: string): ExpressionParse {
  return parsedExpressions.get(source)
}

/** A memo of one pure function (of a string, unless `K` says otherwise), holding at most `limit` results. */
export interface BoundedMemo<T, K = string> {
  /** Returns the result for `key`: the remembered one, or a new one, remembered. */
  get(key: K): T
  /** How many results are remembered. */
  size(): number
}

/**
 * Creates a memo of `compute`, a pure function whose results are frozen (so sharing them is not
 * observable), or changed only by the one caller that owns the memo. It holds at most `limit` results: when full, it forgets them all and starts again,
 * which costs no bookkeeping per hit.
 *
 * @example
 * const lengths = createBoundedMemo(2, (s) => Object.freeze({ length: s.length }))
 * lengths.get('ab') === lengths.get('ab') // true
 */
export function createBoundedMemo<T, K = string>(limit: number, compute: (key: K) => T): BoundedMemo<T, K> {
  const remembered = new Map<K, T>()
  return {
    get(key) {
      const known = remembered.get(key)
      if (known !== undefined) return known
      if (remembered.size >= limit) remembered.clear()
      const result = compute(key)
      remembered.set(key, result)
      return result
    },
    size: () => remembered.size,
  }
}

// Plans repeat the same `${{ }}` inputs and `when` conditions across nodes and files.
const MAX_REMEMBERED = 4096
const parsedExpressions = createBoundedMemo(MAX_REMEMBERED, (source) => deepFreeze(parseUncached(source)))

function deepFreeze(parsed: ExpressionParse): ExpressionParse {
  if (parsed.ok) for (const ref of parsed.references) Object.freeze(ref)
  if (parsed.ok) Object.freeze(parsed.references)
  return Object.freeze(parsed)
}

function parseUncached(source: string): ExpressionParse {
  let ast: unknown
  try {
    ast = parseCel(source).ast
  } catch (error) {
    const text = String((error as Error)?.message ?? error)
    const message = text.split('\n', 1)[0] || 'invalid expression'
    return { ok: false, message, offset: caretOffset(text) }
  }
  const references: ExpressionReference[] = []
  const bound = new Set<string>()
  collect(ast, references, bound)
  return { ok: true, references }
}

/** Reads the offset of the caret in the library's code frame (`>    1 | a ||` / `      ^`). */
function caretOffset(text: string): number {
  const lines = text.split('\n')
  const caretLine = lines.findIndex((l) => /^\s*\^/.test(l))
  const frame = lines[caretLine - 1]
  if (caretLine < 1 || frame === undefined) return 0
  const bar = frame.indexOf('| ')
  const caret = lines[caretLine]!.indexOf('^')
  return bar < 0 ? 0 : Math.max(0, caret - (bar + 2))
}

/** Names a member access step: `a.b` gives "b", `a["b"]` gives "b", anything else nothing. */
function step(node: AstNode): { target: unknown; name: string | undefined } | undefined {
  if (node.op === '.' || node.op === '.?') {
    const [target, name] = node.args as [unknown, unknown]
    return { target, name: typeof name === 'string' ? name : undefined }
  }
  if (node.op === '[]' || node.op === '[?]') {
    const [target, index] = node.args as [unknown, unknown]
    return { target, name: isAst(index) && index.op === 'value' && typeof index.args === 'string' ? index.args : undefined }
  }
  return undefined
}

/** Unwinds a chain of member accesses down to its root identifier. */
function chain(node: AstNode): { root: AstNode; names: (string | undefined)[] } | undefined {
  const names: (string | undefined)[] = []
  let current: unknown = node
  while (isAst(current)) {
    if (current.op === 'id') return { root: current, names: names.reverse() }
    const s = step(current)
    if (!s) return undefined
    names.push(s.name)
    current = s.target
  }
  return undefined
}

function collect(node: unknown, out: ExpressionReference[], bound: ReadonlySet<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collect(child, out, bound)
    return
  }
  if (!isAst(node)) return
  if (node.op === 'id') {
    const name = node.args as string
    if (!bound.has(name)) out.push({ type: 'root', name, start: node.start ?? 0, end: node.end ?? 0 })
    return
  }
  const s = step(node)
  if (s) {
    const c = chain(node)
    if (c && c.root.args === 'nodes' && !bound.has('nodes')) {
      reportNodeChain(c.names, node, out)
      collectIndexes(node, out, bound)
      return
    }
  }
  // Comprehension macros (all, exists, map, filter, ...) bind a loop variable in their body.
  if (node.op === 'call' || node.op === 'rcall') {
    const args = node.args as unknown[]
    const [fn, target, callArgs] = node.op === 'rcall' ? (args as [string, unknown, unknown[]]) : [args[0] as string, undefined, args[1] as unknown[]]
    if (MACROS.has(fn) && Array.isArray(callArgs) && isAst(callArgs[0]) && callArgs[0].op === 'id') {
      const inner = new Set(bound)
      inner.add(callArgs[0].args as string)
      collect(target, out, bound)
      collect(callArgs.slice(1), out, inner)
      return
    }
    collect(target, out, bound)
    collect(callArgs, out, bound)
    return
  }
  collect(node.args, out, bound)
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

function collectIndexes(node: unknown, out: ExpressionReference[], bound: ReadonlySet<string>): void {
  // Index expressions inside a chain (nodes[x]) may themselves read variables.
  let current: unknown = node
  while (isAst(current) && current.op !== 'id') {
    if (current.op === '[]' || current.op === '[?]') {
      const [, index] = current.args as [unknown, unknown]
      if (!(isAst(index) && index.op === 'value')) collect(index, out, bound)
    }
    current = (current.args as unknown[])[0]
  }
}

function reportNodeChain(names: (string | undefined)[], node: AstNode, out: ExpressionReference[]): void {
  const [id, field, output] = names
  const start = node.start ?? 0
  const end = node.end ?? 0
  if (id === undefined) {
    out.push({ type: 'root', name: 'nodes', start, end })
    return
  }
  const f = field === 'outputs' || field === 'phase' ? field : undefined
  out.push({ type: 'node', node: id, field: f, output: f === 'outputs' ? output : undefined, start, end })
}

/** One `${{ … }}` template of a string, with its parse when it is terminated (see {@link parseTemplates}). */
export interface ParsedTemplate extends Omit<Template, 'expression'> {
  readonly parsed?: ExpressionParse
}

/**
 * Finds the `${{ }}` templates of a string and parses each terminated one: what
 * `findTemplates(text)` and `parseExpression(template.expression)` give, remembered per string
 * (frozen, in a bounded memo), because plans repeat the same inputs across nodes and files.
 *
 * @example
 * parseTemplates('tag=${{ nodes.build.outputs.tag }}') // [{ start: 6, end: 33, terminated: true, parsed: { ok: true, references: [...] } }]
 */
export function parseTemplates(text: string): readonly ParsedTemplate[] {
  return parsedTemplates.get(text)
}

const parsedTemplates = createBoundedMemo(MAX_REMEMBERED, (text) =>
  Object.freeze(findTemplates(text).map((t): ParsedTemplate => Object.freeze({ start: t.start, end: t.end, terminated: t.terminated, ...(t.terminated ? { parsed: parseExpression(t.expression) } : {}) }))),
)

/** One `${{ … }}` template inside a string, with offsets of the expression into that string. */
export interface Template {
  readonly expression: string
  readonly start: number
  readonly end: number
  readonly terminated: boolean
}

/**
 * Finds the `${{ <CEL> }}` templates of a string input (DECISIONS §3, data flow).
 *
 * @example
 * findTemplates('tag=${{ nodes.build.outputs.tag }}') // [{ expression: ' nodes.build.outputs.tag ', start: 7, … }]
 */
export function findTemplates(text: string): Template[] {
  const templates: Template[] = []
  let from = 0
  for (;;) {
    const open = text.indexOf('${{', from)
    if (open < 0) return templates
    const close = text.indexOf('}}', open + 3)
    if (close < 0) {
      templates.push({ expression: text.slice(open + 3), start: open + 3, end: text.length, terminated: false })
      return templates
    }
    templates.push({ expression: text.slice(open + 3, close), start: open + 3, end: close, terminated: true })
    from = close + 2
  }
}
