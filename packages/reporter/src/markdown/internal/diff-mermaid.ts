import type { EdgeDiff, GraphNodeLike, NodeDiff, NormalizedEdge, NormalizedGraph, PlanDiff } from '@planspec/core'
import { assignMermaidIds } from '../../internal/assign-mermaid-ids.js'
import { escapeMermaidLabel } from '../../internal/escape-mermaid-label.js'
import { indexGraph, labelNode, type GraphIndex, type IndexedNode, type NodeShape } from '../../internal/index-graph.js'

/**
 * Largest diagram drawn, well inside what GitHub's Mermaid accepts (`maxTextSize` 50,000,
 * `maxEdges` 500) and what a reader can follow.
 */
export const MERMAID_LIMITS = { chars: 20_000, edges: 500, nodes: 300 } as const

/** One way to draw a Plan diff: the fenced diagram and how much of the graph it shows. */
export interface DiagramForm {
  readonly mermaid: string
  readonly shown: number
  readonly total: number
  readonly scope: 'all' | 'neighbourhood' | 'changes'
  /** Estimated width of the drawing at its natural size, in CSS pixels (see {@link estimateWidth}). */
  readonly width: number
}

const BRACKETS: Readonly<Record<Exclude<NodeShape, 'group'>, readonly [string, string]>> = {
  task: ['[', ']'],
  gate: ['{', '}'],
  external: ['[[', ']]'],
  other: ['([', '])'],
  missing: ['([', '])'],
}

// GitHub Primer colours, each with its own text colour so that neither mermaid theme (GitHub
// picks `default` or `dark` from the reader's theme) changes how a node reads: green added, red
// removed, yellow changed, a yellow dashed border for rewired; unchanged nodes are gray, with the
// border telling the kind (blue Task, purple Gate, dashed External).
const CLASS_STYLES = {
  added: 'fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,color:#0f3d1d',
  removed: 'fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:4 3,color:#6e0f14',
  changed: 'fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#3b2300',
  rewired: 'fill:#f6f8fa,stroke:#9a6700,stroke-width:2px,stroke-dasharray:4 3,color:#1f2328',
} as const
type ChangeClass = keyof typeof CLASS_STYLES
const KIND_STYLES: Readonly<Record<NodeShape, string>> = {
  task: 'fill:#f6f8fa,stroke:#0969da,color:#1f2328',
  gate: 'fill:#f6f8fa,stroke:#8250df,color:#1f2328',
  external: 'fill:#f6f8fa,stroke:#57606a,stroke-dasharray:4 3,color:#1f2328',
  group: 'fill:#eaeef2,stroke:#8c959f,color:#1f2328',
  other: 'fill:#f6f8fa,stroke:#57606a,color:#1f2328',
  missing: 'fill:#ffebe9,stroke:#cf222e,stroke-dasharray:3 3,color:#6e0f14',
}
/** Edges: a gray with at least 4:1 contrast on GitHub's white and on its dark background (#0d1117). */
const DEFAULT_LINK_STYLE = 'stroke:#6e7781,stroke-width:1.5px'
const PREFIX: Readonly<Record<ChangeClass, string>> = { added: '+ ', removed: '− ', changed: '~ ', rewired: '↻ ' }
const LINK_STYLES: Readonly<Record<Exclude<EdgeDiff['action'], 'unchanged'>, string>> = {
  added: 'stroke:#1a7f37,stroke-width:2px',
  removed: 'stroke:#cf222e,stroke-dasharray:4 3',
  retyped: 'stroke:#9a6700,stroke-width:2px',
}

/**
 * Lists the ways to draw a Plan diff, largest first, each within {@link MERMAID_LIMITS}: the whole
 * union graph; the changed nodes (and the endpoints of changed dependencies) with their direct
 * neighbours; the changed nodes alone. Empty when even the last is too large.
 */
export function diagramForms(plan: PlanDiff): DiagramForm[] {
  const changed = new Set<string>()
  for (const node of plan.nodes) if (classOf(node) !== undefined) changed.add(node.id)
  for (const edge of plan.edges) if (edge.action !== 'unchanged') changed.add(edge.from).add(edge.to)
  const neighbourhood = new Set(changed)
  for (const edge of plan.edges) {
    if (changed.has(edge.from)) neighbourhood.add(edge.to)
    if (changed.has(edge.to)) neighbourhood.add(edge.from)
  }
  const total = plan.nodes.length
  const scopes: [DiagramForm['scope'], ReadonlySet<string> | undefined][] = [
    ['all', undefined],
    ['neighbourhood', neighbourhood],
    ['changes', changed],
  ]
  const forms: DiagramForm[] = []
  for (const [scope, keep] of scopes) {
    const drawn = draw(plan, keep)
    if (drawn !== undefined && (forms.length === 0 || drawn.shown < (forms[forms.length - 1] as DiagramForm).shown)) forms.push({ ...drawn, total, scope })
  }
  return forms
}

/** Draws the nodes in `keep` (all when undefined), or undefined when over the limits. */
function draw(plan: PlanDiff, keep: ReadonlySet<string> | undefined): { mermaid: string; shown: number; width: number } | undefined {
  const kept = (id: string): boolean => keep === undefined || keep.has(id)
  const nodes = plan.nodes.filter((n) => kept(n.id) && (keep === undefined || n.kind !== 'Group' || classOf(n) !== undefined))
  const edges = plan.edges.filter((e) => kept(e.from) && kept(e.to))
  if (nodes.length > MERMAID_LIMITS.nodes || edges.length > MERMAID_LIMITS.edges) return undefined
  const inGraph = new Set(nodes.map((n) => n.id))
  const likes = nodes.map((n): GraphNodeLike => ({ id: n.id, kind: n.kind, ...(n.name === undefined ? {} : { name: n.name }), ...(n.children === undefined ? {} : { children: n.children.filter((c) => inGraph.has(c)) }) }))
  const graph: NormalizedGraph = {
    nodes: likes,
    nodeById: new Map(likes.map((n) => [n.id, n])),
    edges: edges.map((e, index): NormalizedEdge => ({ from: e.from, to: e.to, type: (e.after ?? e.before) as NormalizedEdge['type'], source: { kind: 'edge', index } })),
    duplicates: [],
  }
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const index = indexGraph(graph)
  const ids = assignMermaidIds(index.nodes.map((n) => n.id))
  const idOf = (id: string): string => ids.get(id) as string
  const lines = ['flowchart TD']
  const emit = (entry: IndexedNode, indent: string): void => {
    const change = entry.node === undefined ? undefined : classOf(byId.get(entry.id) as NodeDiff)
    const label = escapeMermaidLabel((change === undefined ? '' : PREFIX[change]) + labelNode(entry))
    if (entry.shape !== 'group') {
      const [open, close] = BRACKETS[entry.shape]
      lines.push(`${indent}${idOf(entry.id)}${open}"${label}"${close}`)
      return
    }
    lines.push(`${indent}subgraph ${idOf(entry.id)} ["${label}"]`)
    for (const child of index.placed.get(entry.id) as readonly string[]) emit(index.byId.get(child) as IndexedNode, `${indent}  `)
    lines.push(`${indent}end`)
  }
  for (const id of index.roots) emit(index.byId.get(id) as IndexedNode, '  ')
  edges.forEach((e) => lines.push(`  ${idOf(e.from)} ${arrow(e)} ${idOf(e.to)}`))
  for (const shape of Object.keys(KIND_STYLES) as NodeShape[]) {
    const members = index.nodes.filter((n) => n.shape === shape && (n.node === undefined || classOf(byId.get(n.id) as NodeDiff) === undefined)).map((n) => idOf(n.id))
    if (members.length > 0) lines.push(`  classDef k_${shape} ${KIND_STYLES[shape]}`, `  class ${members.join(',')} k_${shape}`)
  }
  for (const name of Object.keys(CLASS_STYLES) as ChangeClass[]) {
    const members = nodes.filter((n) => classOf(n) === name).map((n) => idOf(n.id))
    if (members.length > 0) lines.push(`  classDef ${name} ${CLASS_STYLES[name]}`, `  class ${members.join(',')} ${name}`)
  }
  if (edges.length > 0) lines.push(`  linkStyle default ${DEFAULT_LINK_STYLE}`)
  for (const action of Object.keys(LINK_STYLES) as (keyof typeof LINK_STYLES)[]) {
    const links = edges.flatMap((e, i) => (e.action === action ? [i] : []))
    if (links.length > 0) lines.push(`  linkStyle ${links.join(',')} ${LINK_STYLES[action]}`)
  }
  const mermaid = `\`\`\`mermaid\n${lines.join('\n')}\n\`\`\``
  return mermaid.length > MERMAID_LIMITS.chars ? undefined : { mermaid, shown: nodes.length, width: estimateWidth(index, graph) }
}

/**
 * Estimates how wide mermaid draws a `flowchart TD` (dagre): nodes are ranked by their longest
 * path from a source, and the widest rank is the sum of its node widths (about 8 px a label
 * character plus padding) and the gaps between them. Groups add their padding around their
 * members. Good to about a fifth, which is enough to tell a graph GitHub would shrink to
 * unreadable labels from one it shows at its size.
 */
export function estimateWidth(index: GraphIndex, graph: NormalizedGraph): number {
  const rank = new Map<string, number>()
  const drawn = index.nodes.filter((n) => n.shape !== 'group')
  const incoming = new Map<string, string[]>()
  for (const e of graph.edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e.from])
  const rankOf = (id: string, seen: ReadonlySet<string>): number => {
    const known = rank.get(id)
    if (known !== undefined) return known
    const from = (incoming.get(id) ?? []).filter((p) => !seen.has(p))
    const r = from.length === 0 ? 0 : 1 + Math.max(...from.map((p) => rankOf(p, new Set([...seen, id]))))
    rank.set(id, r)
    return r
  }
  const widths = new Map<number, number[]>()
  for (const n of drawn) {
    const r = rankOf(n.id, new Set([n.id]))
    const nesting = depthOf(index, n.id)
    widths.set(r, [...(widths.get(r) ?? []), labelNode(n).length * 8 + 40 + nesting * 32])
  }
  const layers = [...widths.values()].map((list) => list.reduce((a, b) => a + b, 0) + 50 * (list.length - 1))
  return Math.round(Math.max(0, ...layers) + 16)
}

/** How many groups a node is drawn in. */
function depthOf(index: GraphIndex, id: string): number {
  let depth = 0
  for (let at = index.parentOf.get(id); at !== undefined; at = index.parentOf.get(at)) depth += 1
  return depth
}

/** The highlight class of a node, or undefined when it is unchanged. */
function classOf(node: NodeDiff): ChangeClass | undefined {
  if (node.action !== 'unchanged') return node.action
  return node.rewired ? 'rewired' : undefined
}

/** The arrow of an edge: its type in head (base for removed ones); removed edges end in a cross. */
function arrow(edge: EdgeDiff): string {
  const soft = (edge.after ?? edge.before) === 'soft'
  if (edge.action === 'removed') return soft ? '-.-x' : '--x'
  if (edge.action === 'added' && !soft) return '==>'
  return soft ? '-.->' : '-->'
}

