import type { EdgeDiff, GraphNodeLike, NodeDiff, NormalizedEdge, NormalizedGraph, PlanDiff } from '@planspec/core'
import { assignMermaidIds } from '../../internal/assign-mermaid-ids.js'
import { flattenText } from '../../internal/flatten-text.js'
import { indexGraph, labelNode, type IndexedNode, type NodeShape } from '../../internal/index-graph.js'

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
}

const BRACKETS: Readonly<Record<Exclude<NodeShape, 'group'>, readonly [string, string]>> = {
  task: ['[', ']'],
  gate: ['{', '}'],
  external: ['[[', ']]'],
  other: ['([', '])'],
  missing: ['([', '])'],
}

// GitHub Primer colours: green added, red removed, yellow changed, dashed yellow rewired.
const CLASS_STYLES = {
  added: 'fill:#dafbe1,stroke:#1a7f37,color:#0f3d1d',
  removed: 'fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4 3,color:#6e0f14',
  changed: 'fill:#fff8c5,stroke:#9a6700,color:#3b2300',
  rewired: 'fill:#ffffff,stroke:#9a6700,stroke-dasharray:4 3,color:#3b2300',
} as const
type ChangeClass = keyof typeof CLASS_STYLES
const PREFIX: Readonly<Record<ChangeClass, string>> = { added: '+ ', removed: '− ', changed: '~ ', rewired: '↻ ' }
const LINK_STYLES: Readonly<Record<Exclude<EdgeDiff['action'], 'unchanged'>, string>> = {
  added: 'stroke:#1a7f37,stroke-width:2px',
  removed: 'stroke:#cf222e,stroke-dasharray:4 3',
  retyped: 'stroke:#9a6700,stroke-width:2px',
}
// Mermaid entity codes; `#` too so user text cannot spell an entity, backticks so it cannot close
// the fence, `@` so nothing reads as a mention.
const ENTITIES: Readonly<Record<string, string>> = { '#': '#35;', '"': '#quot;', '&': '#amp;', '<': '#lt;', '>': '#gt;', '`': '#96;', '@': '#64;' }

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
function draw(plan: PlanDiff, keep: ReadonlySet<string> | undefined): { mermaid: string; shown: number } | undefined {
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
    const label = escapeLabel((change === undefined ? '' : PREFIX[change]) + labelNode(entry))
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
  for (const name of Object.keys(CLASS_STYLES) as ChangeClass[]) {
    const members = nodes.filter((n) => classOf(n) === name).map((n) => idOf(n.id))
    if (members.length > 0) lines.push(`  classDef ${name} ${CLASS_STYLES[name]}`, `  class ${members.join(',')} ${name}`)
  }
  for (const action of Object.keys(LINK_STYLES) as (keyof typeof LINK_STYLES)[]) {
    const links = edges.flatMap((e, i) => (e.action === action ? [i] : []))
    if (links.length > 0) lines.push(`  linkStyle ${links.join(',')} ${LINK_STYLES[action]}`)
  }
  const mermaid = `\`\`\`mermaid\n${lines.join('\n')}\n\`\`\``
  return mermaid.length > MERMAID_LIMITS.chars ? undefined : { mermaid, shown: nodes.length }
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

/** Escapes a label for a quoted Mermaid node label, on one line. */
function escapeLabel(text: string): string {
  return flattenText(text).replace(/[#"&<>`@]/g, (c) => ENTITIES[c] as string)
}
