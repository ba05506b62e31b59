import type { GraphNodeLike, NormalizedEdge, NormalizedGraph, PlanGraphLike } from './graph-types.js'
import { findCycleIn } from './internal/find-cycle-in.js'
import { edgePairKeys } from './internal/edge-pair-keys.js'

/**
 * Normalizes `spec.graph` (RESOURCES 2.8, G5):
 * - Nodes keep file order; a repeated id keeps its first node, and the later duplicates (and their
 *   `dependsOn`) are ignored. The validator reports G1 from the raw graph.
 * - Explicit edges come first, in file order, with their effective type: `soft` only when written
 *   `soft`, otherwise `hard` (an unknown type is a schema error; treating it as blocking is the
 *   safe reading).
 * - Then each `dependsOn` item `A` of node `N` adds `A → N` (hard), in node then item order, unless
 *   `edges` already holds an edge `A → N`: explicit edges win, even a soft one.
 * - An edge equal to an earlier one (same from, to and effective type) goes to `duplicates`. This
 *   includes a `dependsOn` item restating an explicit hard edge and a repeated `dependsOn` item; a
 *   `dependsOn` item overridden by an explicit soft edge is dropped without being a duplicate.
 * - Edges whose endpoints do not exist, and self-loops, are kept: the validator reports them (G2,
 *   G3, G7). The other graph functions ignore edges to unknown nodes.
 *
 * @example
 * ```ts
 * const g = normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }] })
 * g.edges // [{ from: 'a', to: 'b', type: 'hard', source: { kind: 'dependsOn', nodeIndex: 1, itemIndex: 0 } }]
 * ```
 */
export function normalizeGraph(graph: PlanGraphLike): NormalizedGraph {
  const nodes: GraphNodeLike[] = []
  const nodeById = new Map<string, GraphNodeLike>()
  const edges: NormalizedEdge[] = []
  const duplicates: NormalizedEdge[] = []
  // Per (from, to) pair, what was seen: an explicit edge, a hard edge, a soft edge (PAIR_* bits).
  const pairs = new Map<number | string, number>()
  const pairKey = edgePairKeys()

  const add = (edge: NormalizedEdge, key: number | string, bits: number): void => {
    const bit = edge.type === 'hard' ? PAIR_HARD : PAIR_SOFT
    if ((bits & bit) !== 0) {
      duplicates.push(edge)
    } else {
      pairs.set(key, bits | bit)
      edges.push(edge)
    }
  }

  const written = graph.edges ?? []
  for (let index = 0; index < written.length; index++) {
    const edge = written[index]!
    const key = pairKey(edge.from, edge.to)
    const bits = (pairs.get(key) ?? 0) | PAIR_EXPLICIT
    pairs.set(key, bits)
    add({ from: edge.from, to: edge.to, type: edge.type === 'soft' ? 'soft' : 'hard', source: { kind: 'edge', index } }, key, bits)
  }

  graph.nodes.forEach((node, nodeIndex) => {
    if (nodeById.has(node.id)) return
    nodeById.set(node.id, node)
    nodes.push(node)
    const dependsOn = node.dependsOn ?? []
    for (let itemIndex = 0; itemIndex < dependsOn.length; itemIndex++) {
      const from = dependsOn[itemIndex] as string
      const key = pairKey(from, node.id)
      const bits = pairs.get(key) ?? 0
      // Explicit edges win (RESOURCES 2.8 rule 2): an explicit soft A → N silences dependsOn A.
      const overridden = (bits & PAIR_EXPLICIT) !== 0 && (bits & PAIR_HARD) === 0
      if (!overridden) add({ from, to: node.id, type: 'hard', source: { kind: 'dependsOn', nodeIndex, itemIndex } }, key, bits)
    }
  })

  return { nodes, nodeById, edges, duplicates }
}

const PAIR_EXPLICIT = 1
const PAIR_HARD = 2
const PAIR_SOFT = 4

/**
 * Finds a cycle in the normalized graph, considering every edge type (G4: the normalized graph,
 * hard and soft edges alike, must be acyclic) unless `edgeFilter` narrows the edges. Edges that
 * touch unknown nodes are ignored; a self-loop is a cycle. Iterative and deterministic: roots are
 * tried in node order and edges in `edges` order, and the first cycle met is returned as a closed
 * path starting and ending with the same node.
 *
 * @example
 * ```ts
 * findCycle(normalizeGraph({ nodes: [{ id: 'a', kind: 'Task', dependsOn: ['b'] }, { id: 'b', kind: 'Task', dependsOn: ['a'] }] }))
 * // ['a', 'b', 'a']
 * ```
 */
export function findCycle(graph: NormalizedGraph, edgeFilter?: (edge: NormalizedEdge) => boolean): string[] | undefined {
  // Most graphs have no cycle: Kahn's count over numbered nodes says so without building lists.
  if (isAcyclic(graph, edgeFilter)) return undefined
  const successors = adjacency(graph, 'forward', edgeFilter)
  return findCycleIn(
    graph.nodes.map((node) => node.id),
    successors,
  )
}

/**
 * Tells whether the graph has no cycle over the edges between known nodes that pass `edgeFilter`
 * (the edges {@link findCycle} walks), by Kahn's algorithm over numbered nodes and typed arrays.
 */
function isAcyclic(graph: NormalizedGraph, edgeFilter?: (edge: NormalizedEdge) => boolean): boolean {
  const count = graph.nodes.length
  const numberOf = new Map<string, number>()
  for (let i = 0; i < count; i++) numberOf.set(graph.nodes[i]!.id, i)
  const from = new Int32Array(graph.edges.length)
  const to = new Int32Array(graph.edges.length)
  const inDegree = new Int32Array(count)
  const outDegree = new Int32Array(count + 1)
  let kept = 0
  for (const edge of graph.edges) {
    const a = numberOf.get(edge.from)
    const b = numberOf.get(edge.to)
    if (a === undefined || b === undefined || (edgeFilter !== undefined && !edgeFilter(edge))) continue
    if (a === b) return false
    from[kept] = a
    to[kept] = b
    kept++
    inDegree[b]!++
    outDegree[a + 1]!++
  }
  // Successors as one array sliced by node (offsets from the out-degrees).
  for (let i = 0; i < count; i++) outDegree[i + 1]! += outDegree[i]!
  const successors = new Int32Array(kept)
  const fill = outDegree.slice(0, count)
  for (let e = 0; e < kept; e++) successors[fill[from[e]!]!++] = to[e]!
  const ready = new Int32Array(count)
  let tail = 0
  for (let i = 0; i < count; i++) if (inDegree[i] === 0) ready[tail++] = i
  for (let head = 0; head < tail; head++) {
    const node = ready[head]!
    for (let s = outDegree[node]!; s < outDegree[node + 1]!; s++) {
      const next = successors[s]!
      if (--inDegree[next]! === 0) ready[tail++] = next
    }
  }
  return tail === count
}

/**
 * Orders the nodes in layers with Kahn's algorithm over every edge type: layer 0 holds the nodes
 * with no predecessor, layer k the nodes whose predecessors all sit in earlier layers; within a
 * layer nodes keep file order. Group nodes are left out, and so are the edges that touch them:
 * groups are presentational (DECISIONS §3) and are never dispatched (an edge touching a group is a
 * validation error of its own). Edges to unknown nodes are ignored. When the remaining graph has a
 * cycle, returns `{ cycle }` instead, as {@link findCycle} reports it on the same edges.
 *
 * @example
 * ```ts
 * topologicalLayers(normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }, { id: 'c', kind: 'Task' }] }))
 * // [['a', 'c'], ['b']]
 * ```
 */
export function topologicalLayers(graph: NormalizedGraph): string[][] | { cycle: string[] } {
  const ids = graph.nodes.filter((node) => node.kind !== 'Group').map((node) => node.id)
  const position = new Map(ids.map((id, index) => [id, index]))
  const layerable = (edge: NormalizedEdge): boolean => position.has(edge.from) && position.has(edge.to)
  const successors = adjacency(graph, 'forward', layerable)
  const inDegree = new Map(ids.map((id) => [id, 0]))
  for (const targets of successors.values()) {
    for (const target of targets) inDegree.set(target, (inDegree.get(target) as number) + 1)
  }

  const layers: string[][] = []
  let placed = 0
  let current = ids.filter((id) => inDegree.get(id) === 0)
  while (current.length > 0) {
    layers.push(current)
    placed += current.length
    const next: string[] = []
    for (const id of current) {
      for (const target of successors.get(id) ?? []) {
        const remaining = (inDegree.get(target) as number) - 1
        inDegree.set(target, remaining)
        if (remaining === 0) next.push(target)
      }
    }
    current = next.sort((a, b) => (position.get(a) as number) - (position.get(b) as number))
  }
  // Nodes left unplaced all have a predecessor among themselves, so a cycle exists on these edges.
  if (placed < ids.length) return { cycle: findCycle(graph, layerable) as string[] }
  return layers
}

/**
 * Returns the transitive predecessors of `nodeId` through hard edges only: the nodes whose outputs
 * and phases a `when` or `${{ }}` expression of `nodeId` may read (DECISIONS §3). Edges to unknown
 * nodes are ignored; an unknown `nodeId` has no ancestors. The node itself is included only when it
 * sits on a hard cycle. Iteration order is breadth-first, nearest first, edges in `edges` order.
 *
 * @example
 * ```ts
 * hardAncestors(normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }] }), 'b') // Set {'a'}
 * ```
 */
export function hardAncestors(graph: NormalizedGraph, nodeId: string): Set<string> {
  return reachable(predecessors(graph, 'hard'), nodeId)
}

/**
 * Tells whether `candidate` is a hard ancestor of `nodeId`: the same answer as
 * `hardAncestors(graph, nodeId).has(candidate)`, found by a breadth-first search that stops at
 * `candidate`, so checking an expression's direct producer costs one step, not the whole ancestry.
 * The predecessor lists are built once per graph and kept while the graph lives; a caller that
 * asks about many short-lived graphs (the validator) uses {@link hardAncestorTest} instead.
 *
 * @example
 * ```ts
 * isHardAncestor(normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }] }), 'b', 'a') // true
 * ```
 */
export function isHardAncestor(graph: NormalizedGraph, nodeId: string, candidate: string): boolean {
  return searchAncestor(predecessors(graph, 'hard'), nodeId, candidate)
}

/**
 * Returns a function that answers {@link isHardAncestor} for one graph, from predecessor lists
 * built on its first call and kept only as long as the function is. Unlike `isHardAncestor`, it
 * leaves nothing in the per-graph memo: a memo entry of a graph that is dropped at once (the
 * validator checks one Plan after another) lives on until a full garbage collection, so every
 * plan's nodes would be copied out of the young generation.
 *
 * @example
 * ```ts
 * const isAncestor = hardAncestorTest(normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }] }))
 * isAncestor('b', 'a') // true
 * ```
 */
export function hardAncestorTest(graph: NormalizedGraph): (nodeId: string, candidate: string) => boolean {
  let lists: Map<string, string[]> | undefined
  return (nodeId, candidate) => searchAncestor((lists ??= adjacency(graph, 'backward', isHardEdge)), nodeId, candidate)
}

const isHardEdge = (edge: NormalizedEdge): boolean => edge.type === 'hard'

/** Whether `candidate` is reachable from `nodeId` over predecessor `lists`, searched breadth-first. */
function searchAncestor(lists: ReadonlyMap<string, readonly string[]>, nodeId: string, candidate: string): boolean {
  // The common case, a direct predecessor, without allocating the search.
  const direct = lists.get(nodeId)
  if (direct === undefined) return false
  if (direct.includes(candidate)) return true
  const found = new Set<string>()
  const queue = [nodeId]
  for (let head = 0; head < queue.length; head += 1) {
    for (const next of lists.get(queue[head] as string) ?? []) {
      if (next === candidate) return true
      if (found.has(next)) continue
      found.add(next)
      queue.push(next)
    }
  }
  return false
}

/**
 * Returns the transitive predecessors of `nodeId` through every edge, hard and soft. Same rules as
 * {@link hardAncestors} otherwise.
 *
 * @example
 * ```ts
 * ancestors(normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task' }], edges: [{ from: 'a', to: 'b', type: 'soft' }] }), 'b') // Set {'a'}
 * ```
 */
export function ancestors(graph: NormalizedGraph, nodeId: string): Set<string> {
  return reachable(predecessors(graph, 'all'), nodeId)
}

/**
 * Predecessor lists per graph, built once: callers ask for the ancestors of every node in turn
 * (1000 nodes × 10,000 edges would otherwise rebuild the index 1000 times). A NormalizedGraph is
 * immutable by contract, and the WeakMap lets the index go with its graph, so this memo is not
 * observable.
 */
const predecessorIndex = new WeakMap<NormalizedGraph, { hard?: Map<string, string[]>; all?: Map<string, string[]> }>()

/** Returns the (memoised) predecessor lists of a graph over hard edges or over all edges. */
function predecessors(graph: NormalizedGraph, which: 'hard' | 'all'): Map<string, string[]> {
  let entry = predecessorIndex.get(graph)
  if (entry === undefined) {
    entry = {}
    predecessorIndex.set(graph, entry)
  }
  const cached = entry[which]
  if (cached !== undefined) return cached
  const built = adjacency(graph, 'backward', which === 'hard' ? isHardEdge : undefined)
  entry[which] = built
  return built
}

/** Builds successor (forward) or predecessor (backward) lists over edges between known nodes. */
function adjacency(
  graph: NormalizedGraph,
  direction: 'forward' | 'backward',
  edgeFilter: (edge: NormalizedEdge) => boolean = () => true,
): Map<string, string[]> {
  const lists = new Map<string, string[]>()
  for (const edge of graph.edges) {
    if (!graph.nodeById.has(edge.from) || !graph.nodeById.has(edge.to) || !edgeFilter(edge)) continue
    const [key, value] = direction === 'forward' ? [edge.from, edge.to] : [edge.to, edge.from]
    const list = lists.get(key)
    if (list === undefined) lists.set(key, [value])
    else list.push(value)
  }
  return lists
}

/** Collects every node reachable from `start` (excluding `start` unless a cycle leads back). */
function reachable(lists: ReadonlyMap<string, readonly string[]>, start: string): Set<string> {
  const found = new Set<string>()
  const queue = [start]
  for (let head = 0; head < queue.length; head += 1) {
    for (const next of lists.get(queue[head] as string) ?? []) {
      if (found.has(next)) continue
      found.add(next)
      queue.push(next)
    }
  }
  return found
}
