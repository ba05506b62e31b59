import type { EdgeType, GraphNodeLike, PlanGraphLike } from '../graph-types.js'
import { normalizeGraph } from '../graph.js'
import { subjectOf } from '../object-key.js'
import { changedFields } from './internal/changed-fields.js'
import { asArray, asObject, asString, specOf, stringsOf, type Obj } from './internal/read-value.js'
import type { EdgeDiff, NodeDiff, PlanDiff, ReviewResourceLike } from './review-types.js'

/** Node fields that are identity or dependencies (compared as edges), not node content. */
const NODE_IGNORED: ReadonlySet<string> = new Set(['id', 'dependsOn'])

/** A node of one side: what graph functions read, and the raw object for field comparison. */
interface SideNode {
  readonly like: GraphNodeLike
  readonly raw: Obj
}

/** One side of a Plan graph, read defensively and normalized. */
interface Side {
  readonly nodes: ReadonlyMap<string, SideNode>
  /** `[from, to]` JSON key → effective type (hard wins when both are written). */
  readonly edges: ReadonlyMap<string, { readonly from: string; readonly to: string; readonly type: EdgeType }>
}

/**
 * Computes the semantic diff of one Plan between base and head (DECISIONS §3 edge semantics):
 * nodes by id (added, removed, changed with the fields that differ), dependencies as
 * `from → to` pairs after normalization (added, removed, retyped hard ↔ soft), and which nodes
 * were rewired (an edge into them changed). Give `base` alone for a removed Plan and `head` alone
 * for an added one: every node and edge is then removed or added. The graph is read defensively:
 * nodes without a string id, malformed edges and non-string `dependsOn` items are ignored, and a
 * repeated id keeps its first node, as {@link normalizeGraph} does. Pure.
 *
 * @example
 * ```ts
 * const d = diffPlan(basePlan, headPlan)
 * d.nodes.filter((n) => n.action === 'added').map((n) => n.id) // ['notify']
 * d.edges.filter((e) => e.action === 'retyped')                 // [{ from: 'a', to: 'b', action: 'retyped', before: 'hard', after: 'soft' }]
 * ```
 */
export function diffPlan(base: ReviewResourceLike | undefined, head: ReviewResourceLike | undefined): PlanDiff {
  const either = (head ?? base) as ReviewResourceLike
  const before = readSide(base)
  const after = readSide(head)

  const edges: EdgeDiff[] = []
  for (const [key, edge] of after.edges) {
    const old = before.edges.get(key)
    const action = old === undefined ? 'added' : old.type === edge.type ? 'unchanged' : 'retyped'
    edges.push(old === undefined ? { from: edge.from, to: edge.to, action, after: edge.type } : { from: edge.from, to: edge.to, action, before: old.type, after: edge.type })
  }
  for (const [key, edge] of before.edges) {
    if (!after.edges.has(key)) edges.push({ from: edge.from, to: edge.to, action: 'removed', before: edge.type })
  }
  const rewiredTargets = new Set(edges.filter((e) => e.action !== 'unchanged').map((e) => e.to))

  const nodes: NodeDiff[] = []
  for (const [id, node] of after.nodes) {
    const old = before.nodes.get(id)
    if (old === undefined) {
      nodes.push(describeNode(node, 'added', [], false))
      continue
    }
    const fields = changedFields(old.raw, node.raw, 2, NODE_IGNORED)
    nodes.push(describeNode(node, fields.length > 0 ? 'changed' : 'unchanged', fields, rewiredTargets.has(id)))
  }
  for (const [id, node] of before.nodes) {
    if (!after.nodes.has(id)) nodes.push(describeNode(node, 'removed', [], false))
  }

  const count = <T extends { readonly action: string }>(list: readonly T[], action: string): number => list.filter((x) => x.action === action).length
  const counts = {
    nodesAdded: count(nodes, 'added'),
    nodesRemoved: count(nodes, 'removed'),
    nodesChanged: count(nodes, 'changed'),
    nodesRewired: nodes.filter((n) => n.rewired).length,
    edgesAdded: count(edges, 'added'),
    edgesRemoved: count(edges, 'removed'),
    edgesRetyped: count(edges, 'retyped'),
  }
  return {
    subject: subjectOf('Plan', either.namespace, either.name),
    namespace: either.namespace,
    name: either.name,
    action: base === undefined ? 'added' : head === undefined ? 'removed' : 'changed',
    ...(either.file === undefined ? {} : { file: either.file }),
    nodes,
    edges,
    counts,
    graphChanged: Object.values(counts).some((n) => n > 0),
  }
}

/** Builds the NodeDiff of a node, taking kind, name and children from the given side. */
function describeNode(node: SideNode, action: NodeDiff['action'], fields: readonly string[], rewired: boolean): NodeDiff {
  const { id, kind, name, children } = node.like
  return { id, kind, ...(name === undefined ? {} : { name }), ...(children === undefined ? {} : { children }), action, fields, rewired }
}

/** Reads and normalizes the graph of one side; an absent Plan has an empty graph. */
function readSide(plan: ReviewResourceLike | undefined): Side {
  const graph = asObject(specOf(plan?.value ?? {}).graph) ?? {}
  const raws = new Map<string, Obj>()
  const likes: GraphNodeLike[] = []
  for (const item of asArray(graph.nodes)) {
    const raw = asObject(item)
    const id = asString(raw?.id)
    if (raw === undefined || id === undefined) continue
    if (!raws.has(id)) raws.set(id, raw)
    likes.push(nodeLike(raw, id))
  }
  const written: PlanGraphLike = {
    nodes: likes,
    edges: asArray(graph.edges).flatMap((item) => {
      const edge = asObject(item)
      const from = asString(edge?.from)
      const to = asString(edge?.to)
      return from === undefined || to === undefined ? [] : [{ from, to, type: asString(edge?.type) }]
    }),
  }
  const normalized = normalizeGraph(written)
  const nodes = new Map<string, SideNode>()
  for (const like of normalized.nodes) nodes.set(like.id, { like, raw: raws.get(like.id) as Obj })
  const edges = new Map<string, { from: string; to: string; type: EdgeType }>()
  for (const edge of normalized.edges) {
    const key = JSON.stringify([edge.from, edge.to])
    const seen = edges.get(key)
    if (seen === undefined || edge.type === 'hard') edges.set(key, { from: edge.from, to: edge.to, type: edge.type })
  }
  return { nodes, edges }
}

/** Picks what graph functions and renderers read from a raw node. */
function nodeLike(raw: Obj, id: string): GraphNodeLike {
  const name = asString(raw.name)
  const children = Array.isArray(raw.children) ? stringsOf(raw.children) : undefined
  return {
    id,
    kind: asString(raw.kind) ?? '',
    ...(name === undefined ? {} : { name }),
    dependsOn: stringsOf(raw.dependsOn),
    ...(children === undefined ? {} : { children }),
  }
}
