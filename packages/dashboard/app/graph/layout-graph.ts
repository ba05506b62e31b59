import { Graph, layout } from '@dagrejs/dagre'
import type { NormalizedGraph } from '@planspec/core'
import { displayText } from '../model/display-text.js'

/** A node placed by the layout (centre coordinates). */
export interface PlacedNode {
  readonly id: string
  readonly kind: string | undefined
  readonly label: string
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** A Group drawn as a cluster around its children. */
export interface PlacedGroup extends PlacedNode {
  readonly depth: number
}

/** An edge as a polyline. */
export interface PlacedEdge {
  readonly from: string
  readonly to: string
  readonly soft: boolean
  readonly points: readonly { readonly x: number; readonly y: number }[]
}

/** A laid-out plan graph. */
export interface GraphLayout {
  readonly width: number
  readonly height: number
  readonly nodes: readonly PlacedNode[]
  readonly groups: readonly PlacedGroup[]
  readonly edges: readonly PlacedEdge[]
}

const NODE_HEIGHT = 40
const CHAR_WIDTH = 7.2
const MAX_LABEL = 32
const LARGE_GRAPH = 60

/**
 * Lays a plan graph out top to bottom with dagre (a maintained Sugiyama-style layout): Task,
 * Gate and External nodes by rank along hard and soft edges, Groups as compound clusters around
 * the nodes they list (a node listed by several groups sits in the first; a group never inside
 * itself), ids that edges name but no node declares as `missing` nodes. Labels are the node's
 * name or id, shortened and with invisible characters made visible. Pure apart from dagre.
 */
export function layoutGraph(graph: NormalizedGraph): GraphLayout {
  const hasGroups = graph.nodes.some((node) => node.kind === 'Group')
  const g = new Graph({ compound: hasGroups, multigraph: false })
  // Network simplex gives the tidiest ranks but grows fast; past a few dozen nodes the longest-path
  // ranker keeps a 200-node plan's first paint well under a second.
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 48, marginx: 16, marginy: 16, ranker: graph.nodes.length > LARGE_GRAPH ? 'longest-path' : 'network-simplex' })
  g.setDefaultEdgeLabel(() => ({}))
  const kinds = new Map<string, string | undefined>()
  const labels = new Map<string, string>()
  const add = (id: string, kind: string | undefined, name: string | undefined): void => {
    if (kinds.has(id)) return
    kinds.set(id, kind)
    const label = displayText(name ?? id, MAX_LABEL)
    labels.set(id, label)
    const gate = kind === 'Gate'
    g.setNode(id, { width: Math.max(72, Math.min(280, label.length * CHAR_WIDTH + (gate ? 64 : 36))), height: gate ? NODE_HEIGHT + 12 : NODE_HEIGHT })
  }
  for (const node of graph.nodes) add(node.id, node.kind, node.kind === 'Group' && node.mode !== undefined ? `${node.name ?? node.id} (${node.mode})` : node.name)
  for (const edge of graph.edges) {
    add(edge.from, undefined, undefined)
    add(edge.to, undefined, undefined)
  }
  // Groups: the first group that lists a node holds it, unless that would put a group inside itself.
  const parentOf = new Map<string, string>()
  const groups = graph.nodes.filter((node) => node.kind === 'Group')
  for (const group of groups) {
    for (const child of group.children ?? []) {
      if (!hasGroups || !kinds.has(child) || parentOf.has(child) || isAncestorOrSelf(child, group.id, parentOf)) continue
      parentOf.set(child, group.id)
      g.setParent(child, group.id)
    }
  }
  for (const edge of graph.edges) {
    // One drawn edge per pair (a hard edge wins over a soft one); self-loops and group edges are validation errors.
    if (edge.from === edge.to || kinds.get(edge.from) === 'Group' || kinds.get(edge.to) === 'Group') continue
    const existing = g.edge(edge.from, edge.to) as { soft?: boolean } | undefined
    if (existing !== undefined && (existing.soft !== true || edge.type === 'soft')) continue
    g.setEdge(edge.from, edge.to, { soft: edge.type === 'soft' })
  }
  layout(g)
  const depthOf = (id: string): number => {
    let depth = 0
    for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) depth++
    return depth
  }
  const nodes: PlacedNode[] = []
  const placedGroups: PlacedGroup[] = []
  for (const [id, kind] of kinds) {
    const placed = g.node(id) as { x: number; y: number; width: number; height: number } | undefined
    if (placed === undefined || !Number.isFinite(placed.x)) continue
    const entry = { id, kind, label: labels.get(id) ?? id, x: placed.x, y: placed.y, width: placed.width, height: placed.height }
    if (kind === 'Group') placedGroups.push({ ...entry, depth: depthOf(id) })
    else nodes.push(entry)
  }
  const edges: PlacedEdge[] = g.edges().map((e: { v: string; w: string }) => {
    const label = g.edge(e) as { points?: { x: number; y: number }[]; soft?: boolean }
    return { from: e.v, to: e.w, soft: label.soft === true, points: label.points ?? [] }
  })
  const size = g.graph() as { width?: number; height?: number }
  placedGroups.sort((a, b) => a.depth - b.depth)
  return { width: Math.max(1, size.width ?? 1), height: Math.max(1, size.height ?? 1), nodes, groups: placedGroups, edges }
}

function isAncestorOrSelf(candidate: string, group: string, parentOf: ReadonlyMap<string, string>): boolean {
  for (let at: string | undefined = group; at !== undefined; at = parentOf.get(at)) if (at === candidate) return true
  return false
}
