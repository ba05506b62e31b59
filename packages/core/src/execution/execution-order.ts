import type { NormalizedGraph } from '../graph-types.js'

/**
 * Orders the non-Group nodes for execution: a topological order over every edge (hard and soft)
 * that, among the nodes available at each step, always takes the earliest in file order. Ready
 * nodes therefore dispatch after their soft predecessors, then in file order. Deterministic.
 * Edges to unknown nodes or Groups are ignored; nodes on a cycle are returned in `cycle`.
 *
 * @example
 * ```ts
 * executionOrder(normalizeGraph({ nodes: [{ id: 'b', kind: 'Task' }, { id: 'a', kind: 'Task' }], edges: [{ from: 'a', to: 'b', type: 'soft' }] }))
 * // { order: ['a', 'b'], cycle: [] }
 * ```
 */
export function executionOrder(graph: NormalizedGraph): ExecutionOrder {
  const cached = orders.get(graph)
  if (cached !== undefined) return cached
  const computed = computeOrder(graph)
  orders.set(graph, computed)
  return computed
}

/** The execution order of a graph and the nodes left out because they sit on a cycle. */
export interface ExecutionOrder {
  readonly order: readonly string[]
  readonly cycle: readonly string[]
}

/**
 * Orders computed per graph. A NormalizedGraph is immutable by contract and every reconcile round
 * of an Execution asks again for the same graph, so the memo is unobservable and turns an
 * O(n²)-per-round sort into a lookup; the WeakMap lets the entry go with its graph.
 */
const orders = new WeakMap<NormalizedGraph, ExecutionOrder>()

/** Kahn's algorithm, taking the earliest available node in file order at each step. */
function computeOrder(graph: NormalizedGraph): ExecutionOrder {
  const ids = graph.nodes.filter((node) => node.kind !== 'Group').map((node) => node.id)
  const position = new Map(ids.map((id, index) => [id, index]))
  const successors = new Map<string, string[]>(ids.map((id) => [id, []]))
  const inDegree = new Map<string, number>(ids.map((id) => [id, 0]))
  for (const edge of graph.edges) {
    const targets = successors.get(edge.from)
    if (targets === undefined || !position.has(edge.to)) continue
    targets.push(edge.to)
    inDegree.set(edge.to, (inDegree.get(edge.to) as number) + 1)
  }
  const available = new Set(ids.filter((id) => inDegree.get(id) === 0))
  const order: string[] = []
  while (available.size > 0) {
    // Linear scan for the earliest available node: plans hold at most 1000 nodes.
    const next = [...available].reduce((best, id) => ((position.get(id) as number) < (position.get(best) as number) ? id : best))
    available.delete(next)
    order.push(next)
    for (const target of successors.get(next) as string[]) {
      const remaining = (inDegree.get(target) as number) - 1
      inDegree.set(target, remaining)
      if (remaining === 0) available.add(target)
    }
  }
  const placed = new Set(order)
  return Object.freeze({ order: Object.freeze(order), cycle: Object.freeze(ids.filter((id) => !placed.has(id))) })
}
