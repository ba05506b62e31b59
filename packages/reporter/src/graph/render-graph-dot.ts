import type { NormalizedGraph } from '@planspec/core'
import type { GraphRenderOptions } from '../types.js'
import { indexGraph, labelNode, otherGroupsOf, type GraphIndex, type IndexedNode, type NodeShape } from '../internal/index-graph.js'
import { quoteDot } from '../internal/quote-dot.js'
import { NODE_PALETTE } from './graph-palette.js'

// Shapes are DOT's; colours come from the shared palette.
const DOT_SHAPES: Record<Exclude<NodeShape, 'group'>, readonly [shape: string, style: string]> = {
  task: ['box', '"rounded,filled"'],
  gate: ['diamond', 'filled'],
  external: ['component', 'filled'],
  other: ['ellipse', 'filled'],
  missing: ['ellipse', '"dashed,filled"'],
}
const NODE_ATTRIBUTES = Object.fromEntries(
  (Object.entries(DOT_SHAPES) as [Exclude<NodeShape, 'group'>, readonly [string, string]][]).map(([shape, [dotShape, style]]) => [
    shape,
    `shape=${dotShape}, style=${style}, fillcolor="${NODE_PALETTE[shape].fill}", color="${NODE_PALETTE[shape].stroke}"`,
  ]),
) as Record<Exclude<NodeShape, 'group'>, string>

/**
 * Renders a plan graph as a Graphviz `digraph` (`rankdir=TB`).
 *
 * Task is a rounded `box`, Gate a `diamond`, External a `component`, an unknown kind an
 * `ellipse`, and an id that edges or groups name but no node declares a dashed red ellipse. A
 * Group is a `subgraph "cluster_<id>"` labelled `name (mode)`, nested like the groups; it holds
 * an invisible anchor node with the group's id, so edges that touch a group end at the cluster's
 * border (`compound=true` with `lhead`/`ltail`, left out when the other end is inside that group). A node listed by several groups is drawn in the
 * first and a comment names the others. Edges keep their order; hard edges (explicit or from
 * `dependsOn`) are solid, soft edges `style=dashed`.
 *
 * Every id and label is a quoted, escaped DOT string, so no text can end a statement. Pure.
 *
 * @example
 * spawnSync('dot', ['-Tsvg'], { input: renderGraphDot(graph, { title: 'release-1' }) })
 */
export function renderGraphDot(graph: NormalizedGraph, options: GraphRenderOptions = {}): string {
  const index = indexGraph(graph)
  const lines = ['digraph plan {', '  rankdir=TB;', '  compound=true;', '  fontname="Helvetica";']
  if (options.title !== undefined) lines.push(`  label=${quoteDot(options.title)};`, '  labelloc=t;')
  lines.push('  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", color="#5f6368"];')

  const emit = (entry: IndexedNode, indent: string): void => {
    const others = otherGroupsOf(index, entry.id)
    if (others.length > 0) {
      lines.push(`${indent}// ${quoteDot(entry.id)} is also listed in ${others.map(quoteDot).join(', ')}; drawn here only`)
    }
    if (entry.shape !== 'group') {
      lines.push(`${indent}${quoteDot(entry.id)} [label=${quoteDot(labelNode(entry))}, ${NODE_ATTRIBUTES[entry.shape]}];`)
      return
    }
    lines.push(
      `${indent}subgraph ${quoteDot(`cluster_${entry.id}`)} {`,
      `${indent}  label=${quoteDot(labelNode(entry))};`,
      `${indent}  style="rounded,dashed";`,
      `${indent}  color="#9aa0a6";`,
      `${indent}  ${quoteDot(entry.id)} [shape=point, style=invis, width=0, height=0, label=""];`,
    )
    for (const child of index.placed.get(entry.id) as readonly string[]) {
      emit(index.byId.get(child) as IndexedNode, `${indent}  `)
    }
    lines.push(`${indent}}`)
  }
  for (const id of index.roots) emit(index.byId.get(id) as IndexedNode, '  ')

  for (const edge of graph.edges) {
    const attributes: string[] = []
    if (edge.type === 'soft') attributes.push('style=dashed')
    // Clipping at a cluster that holds the other end is meaningless; Graphviz warns and ignores it.
    if (isClippable(index, edge.from, edge.to)) attributes.push(`ltail=${quoteDot(`cluster_${edge.from}`)}`)
    if (isClippable(index, edge.to, edge.from)) attributes.push(`lhead=${quoteDot(`cluster_${edge.to}`)}`)
    const suffix = attributes.length === 0 ? '' : ` [${attributes.join(', ')}]`
    lines.push(`  ${quoteDot(edge.from)} -> ${quoteDot(edge.to)}${suffix};`)
  }
  lines.push('}')
  return `${lines.join('\n')}\n`
}

function isClippable(index: GraphIndex, group: string, other: string): boolean {
  if ((index.byId.get(group) as IndexedNode).shape !== 'group') return false
  for (let at = index.parentOf.get(other); at !== undefined; at = index.parentOf.get(at)) {
    if (at === group) return false
  }
  return other !== group
}
