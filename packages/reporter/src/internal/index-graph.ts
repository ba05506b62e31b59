import type { GraphNodeLike, NormalizedGraph } from '@planspec/core'
import { shapeOfKind, type PaletteShape } from '../graph/graph-palette.js'

/** How a node is drawn. `missing` marks an id that edges or group children name but no node declares. */
export type NodeShape = PaletteShape

/** A node as the graph renderers see it. */
export interface IndexedNode {
  readonly id: string
  readonly shape: NodeShape
  /** The declared node; absent for `missing` nodes. */
  readonly node?: GraphNodeLike
}

/** A graph prepared for drawing: nodes deduplicated and every node placed in at most one group. */
export interface GraphIndex {
  /** Declared nodes (first of each id, file order), then missing ids in order of first mention. */
  readonly nodes: readonly IndexedNode[]
  readonly byId: ReadonlyMap<string, IndexedNode>
  /** The group a node is drawn in: the first group (file order) that lists it, unless that would nest a group in itself. */
  readonly parentOf: ReadonlyMap<string, string>
  /** The ids drawn directly inside each group, in the group's `children` order. */
  readonly placed: ReadonlyMap<string, readonly string[]>
  /** Every group that lists a node, in file order, without repeats. */
  readonly memberships: ReadonlyMap<string, readonly string[]>
  /** Ids drawn outside every group, in `nodes` order. */
  readonly roots: readonly string[]
}

/**
 * Indexes a normalized graph for drawing. Upstream leaves undefined a node listed in several
 * groups and a group that lists itself or an ancestor (RESOURCES 2.6); this draws such a node in
 * the first group only and never nests a group in itself, so every renderer terminates.
 */
export function indexGraph(graph: NormalizedGraph): GraphIndex {
  const nodes: IndexedNode[] = []
  const byId = new Map<string, IndexedNode>()
  const add = (entry: IndexedNode): void => {
    nodes.push(entry)
    byId.set(entry.id, entry)
  }
  for (const node of graph.nodes) {
    if (!byId.has(node.id)) add({ id: node.id, shape: shapeOfKind(node.kind), node })
  }
  const groups = nodes.flatMap((n) => (n.shape === 'group' ? [n.node as GraphNodeLike] : []))
  const mentioned = [...graph.edges.flatMap((e) => [e.from, e.to]), ...groups.flatMap((g) => g.children ?? [])]
  for (const id of mentioned) {
    if (!byId.has(id)) add({ id, shape: 'missing' })
  }

  const parentOf = new Map<string, string>()
  const placed = new Map<string, string[]>()
  const memberships = new Map<string, string[]>()
  for (const group of groups) {
    const inside: string[] = []
    placed.set(group.id, inside)
    for (const child of group.children ?? []) {
      const listed = memberships.get(child) ?? []
      if (!listed.includes(group.id)) listed.push(group.id)
      memberships.set(child, listed)
      if (parentOf.has(child) || isAncestorOrSelf(child, group.id, parentOf)) continue
      parentOf.set(child, group.id)
      inside.push(child)
    }
  }
  const roots = nodes.filter((n) => !parentOf.has(n.id)).map((n) => n.id)
  return { nodes, byId, parentOf, placed, memberships, roots }
}

/** Lists the groups that list `id` but do not draw it (it is drawn in its first group only). */
export function otherGroupsOf(index: GraphIndex, id: string): string[] {
  const parent = index.parentOf.get(id)
  return (index.memberships.get(id) ?? []).filter((group) => group !== parent)
}

/** Labels a node for drawing: its name, else its id; a group adds its mode, a missing id says so. */
export function labelNode(entry: IndexedNode): string {
  if (entry.node === undefined) return `${entry.id} (missing)`
  const label = entry.node.name ?? entry.id
  return entry.shape === 'group' && entry.node.mode !== undefined ? `${label} (${entry.node.mode})` : label
}

function isAncestorOrSelf(candidate: string, group: string, parentOf: ReadonlyMap<string, string>): boolean {
  for (let at: string | undefined = group; at !== undefined; at = parentOf.get(at)) {
    if (at === candidate) return true
  }
  return false
}
