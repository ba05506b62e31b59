/**
 * A static upper bound on the work a CEL expression does over the variables it will see (the
 * cost-limit model of cel-go and Kubernetes, adapted): every AST node costs one unit; a
 * comprehension (`all`, `exists`, `exists_one`, `map`, `filter`) costs its range's size times its
 * body; string and list operations cost the sizes they walk (a regex match costs text × pattern:
 * RE2 is linear in both). Sizes come from the actual variables where a path resolves, else from
 * the largest collection the path could reach. Pure.
 */

/** One node of cel-js's AST: `op` and `args` (a value, a name, or child nodes). */
export interface CelAstNode {
  readonly op: string
  readonly args: unknown
}

/** The outcome of {@link estimateCelCost}: work units, and the largest value size met on the way. */
export interface CelCost {
  readonly cost: number
  readonly peakSize: number
}

interface Est {
  readonly cost: number
  /** Upper bound of the value's length: characters, bytes, elements or entries (1 for scalars). */
  readonly size: number
  /** Upper bound of the size of anything nested inside the value. */
  readonly inner: number
  /** The actual value, when the expression's path resolves in the variables. */
  readonly value?: unknown
  readonly known: boolean
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])
const LINEAR_STRING = new Set(['contains', 'startsWith', 'endsWith', 'indexOf', 'lastIndexOf', 'lowerAscii', 'upperAscii', 'trim', 'substring', 'charAt', 'reverse', 'quote'])

const isNode = (value: unknown): value is CelAstNode => typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string'
const nodes = (value: unknown): CelAstNode[] => (Array.isArray(value) ? value.filter(isNode) : [])

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length
  if (value instanceof Uint8Array || Array.isArray(value)) return value.length
  if (value instanceof Map) return value.size
  if (value !== null && typeof value === 'object') return Object.keys(value).length
  return 1
}

/** The largest size of anything nested in `value` (bounded walk: a cap of visited values keeps it cheap). */
function innerOf(value: unknown, budget = { left: 100_000 }): number {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || budget.left-- <= 0) return 0
  const children = Array.isArray(value) ? value : value instanceof Map ? [...value.values(), ...value.keys()] : [...Object.values(value), ...Object.keys(value)]
  let max = 0
  for (const child of children) max = Math.max(max, sizeOf(child), innerOf(child, budget))
  return max
}

const known = (value: unknown, cost: number): Est => ({ cost, size: sizeOf(value), inner: innerOf(value), value, known: true })
const unknown = (cost: number, size: number, inner: number): Est => ({ cost, size: Math.max(1, size), inner: Math.max(0, inner), known: false })

/**
 * Estimates the cost of evaluating `ast` with `variables` (see the module note). The estimate is
 * an upper bound: an expression under the limit may do less, never more.
 *
 * @example
 * estimateCelCost(parse('l.map(x, l.map(y, x + y))').ast, { l: range(1000) }) // { cost: ~3e6, ... }
 */
export function estimateCelCost(ast: CelAstNode, variables: Readonly<Record<string, unknown>>): CelCost {
  let peak = 0
  const track = (est: Est): Est => {
    if (est.size > peak) peak = est.size
    return est
  }
  const visit = (node: CelAstNode, scope: ReadonlyMap<string, Est>): Est => track(estimate(node, scope))
  const estimate = (node: CelAstNode, scope: ReadonlyMap<string, Est>): Est => {
    const args = node.args
    switch (node.op) {
      case 'value':
        return known(args, 1)
      case 'id': {
        const name = String(args)
        const bound = scope.get(name)
        if (bound !== undefined) return { ...bound, cost: 1 }
        return Object.hasOwn(variables, name) ? known(variables[name], 1) : unknown(1, 1, 0)
      }
      case '.':
      case '[]': {
        const [target, key] = Array.isArray(args) ? args : []
        const from = isNode(target) ? visit(target, scope) : unknown(0, 1, 0)
        const index = isNode(key) ? visit(key, scope) : { cost: 0, known: true, value: key, size: 1, inner: 0 }
        const cost = from.cost + index.cost + 1
        if (from.known && index.known && from.value !== null && typeof from.value === 'object') {
          const child = from.value instanceof Map ? from.value.get(index.value) : (from.value as Record<string, unknown>)[String(index.value)]
          if (child !== undefined) return known(child, cost)
        }
        return unknown(cost, from.inner, from.inner)
      }
      case 'list': {
        const items = nodes(args).map((item) => visit(item, scope))
        return unknown(items.reduce((sum, item) => sum + item.cost, 1), items.length, Math.max(0, ...items.map((item) => Math.max(item.size, item.inner))))
      }
      case 'map': {
        const pairs = (Array.isArray(args) ? args : []).flatMap((pair) => nodes(pair)).map((part) => visit(part, scope))
        return unknown(pairs.reduce((sum, part) => sum + part.cost, 1), pairs.length / 2, Math.max(0, ...pairs.map((part) => Math.max(part.size, part.inner))))
      }
      case '?:': {
        const [condition, yes, no] = nodes(args).map((part) => visit(part, scope)) as [Est, Est, Est]
        return unknown(condition.cost + Math.max(yes.cost, no.cost), Math.max(yes.size, no.size), Math.max(yes.inner, no.inner))
      }
      case '+': {
        const [a, b] = nodes(args).map((part) => visit(part, scope)) as [Est, Est]
        return unknown(a.cost + b.cost + a.size + b.size, a.size + b.size, Math.max(a.inner, b.inner))
      }
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
      case 'in': {
        const [a, b] = nodes(args).map((part) => visit(part, scope)) as [Est, Est]
        return unknown(a.cost + b.cost + Math.max(a.size, b.size), 1, 0)
      }
      case 'call':
        return call(node, scope)
      case 'rcall':
        return receiverCall(node, scope)
      default: {
        const parts = isNode(args) ? [visit(args, scope)] : nodes(args).map((part) => visit(part, scope))
        return unknown(parts.reduce((sum, part) => sum + part.cost, 1), 1, 0)
      }
    }
  }
  const call = (node: CelAstNode, scope: ReadonlyMap<string, Est>): Est => {
    const [name, rawArgs] = Array.isArray(node.args) ? (node.args as [string, unknown]) : ['', []]
    const parts = nodes(rawArgs).map((part) => visit(part, scope))
    const cost = parts.reduce((sum, part) => sum + part.cost, 1)
    if (name === 'has' || name === 'size') return unknown(cost, 1, 0)
    const walked = parts.reduce((sum, part) => sum + part.size, 0)
    return unknown(cost + walked, Math.max(1, ...parts.map((part) => part.size)), Math.max(0, ...parts.map((part) => part.inner)))
  }
  const receiverCall = (node: CelAstNode, scope: ReadonlyMap<string, Est>): Est => {
    const [name, receiverNode, rawArgs] = Array.isArray(node.args) ? (node.args as [string, unknown, unknown]) : ['', undefined, []]
    const argNodes = nodes(rawArgs)
    if (name === 'bind' && isNode(receiverNode) && receiverNode.op === 'id' && receiverNode.args === 'cel' && argNodes.length === 3) {
      const [variable, init, body] = argNodes as [CelAstNode, CelAstNode, CelAstNode]
      const bound = visit(init, scope)
      const inner = visit(body, new Map(scope).set(String(variable.args), bound))
      return unknown(bound.cost + inner.cost, inner.size, inner.inner)
    }
    const receiver = isNode(receiverNode) ? visit(receiverNode, scope) : unknown(0, 1, 0)
    if (MACROS.has(name) && argNodes.length >= 2) {
      // Two-variable forms (all(k, v, p), exists(k, v, p)) bind an index or key and the element.
      const twoVars = argNodes.length === 3 && name !== 'map'
      const element: Est = unknown(0, receiver.inner, receiver.inner)
      const inner = new Map(scope)
      if (twoVars) inner.set(String(argNodes[0]!.args), unknown(0, receiver.inner, receiver.inner)).set(String(argNodes[1]!.args), element)
      else inner.set(String(argNodes[0]!.args), element)
      const body = argNodes.slice(twoVars ? 2 : 1).map((part) => visit(part, inner))
      const perElement = body.reduce((sum, part) => sum + part.cost, 1)
      const produced = body.at(-1)!
      const collects = name === 'map' || name === 'filter'
      return unknown(receiver.cost + receiver.size * perElement, collects ? receiver.size : 1, collects ? Math.max(produced.size, produced.inner, receiver.inner) : 0)
    }
    const parts = argNodes.map((part) => visit(part, scope))
    const argCost = parts.reduce((sum, part) => sum + part.cost, 0)
    const argSize = parts.reduce((sum, part) => sum + part.size, 0)
    const cost = receiver.cost + argCost + 1
    switch (name) {
      case 'matches':
      case 're2Matches':
        return unknown(cost + receiver.size * (argSize + 1), 1, 0)
      case 'size':
        return unknown(cost, 1, 0)
      case 'split':
        return unknown(cost + receiver.size + argSize, receiver.size, receiver.size)
      case 'join':
        return unknown(cost + receiver.size * (receiver.inner + argSize + 1), receiver.size * (receiver.inner + argSize), 0)
      case 'replace': {
        const replacement = parts[1]?.size ?? 1
        return unknown(cost + receiver.size * (argSize + 1), receiver.size * Math.max(1, replacement), 0)
      }
      default:
        if (LINEAR_STRING.has(name)) return unknown(cost + receiver.size + argSize, receiver.size, 0)
        return unknown(cost + receiver.size + argSize, Math.max(receiver.size, ...parts.map((part) => part.size)), Math.max(receiver.inner, ...parts.map((part) => part.inner)))
    }
  }
  const total = visit(ast, new Map())
  return { cost: total.cost, peakSize: peak }
}
