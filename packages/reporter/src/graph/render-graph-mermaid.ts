import type { NormalizedGraph } from '@planspec/core'
import type { GraphRenderOptions } from '../types.js'
import { assignMermaidIds } from '../internal/assign-mermaid-ids.js'
import { escapeMermaidLabel } from '../internal/escape-mermaid-label.js'
import { flattenText } from '../internal/flatten-text.js'
import { indexGraph, labelNode, otherGroupsOf, type IndexedNode, type NodeShape } from '../internal/index-graph.js'
import { NODE_PALETTE, type NodeStyle } from './graph-palette.js'

// Opening and closing brackets of each node shape; groups are subgraphs instead.
const BRACKETS: Record<Exclude<NodeShape, 'group'>, readonly [string, string]> = {
  task: ['[', ']'], // rectangle
  gate: ['{', '}'], // rhombus
  external: ['[[', ']]'], // subroutine
  other: ['([', '])'], // stadium: a kind this version does not know
  missing: ['([', '])'], // stadium, styled as an error: named by an edge or group but never declared
}

// From the shared palette; a dashed border is drawn 4 3 (External) or 3 3 (missing ids).
const CLASS_STYLES = Object.fromEntries(
  (Object.entries(NODE_PALETTE) as [NodeShape, NodeStyle][]).map(([shape, style]) => [
    shape,
    `fill:${style.fill},stroke:${style.stroke},${style.dashed ? `stroke-dasharray:${shape === 'missing' ? '3 3' : '4 3'},` : ''}color:${style.text}`,
  ]),
) as Record<NodeShape, string>

/**
 * Renders a plan graph as a Mermaid `flowchart TD`, ready for a fenced ```` ```mermaid ```` block.
 *
 * Shapes by kind: Task `id["label"]` (rectangle), Gate `id{"label"}` (rhombus), External
 * `id[["label"]]` (subroutine), an unknown kind `id(["label"])` (stadium), and a Group is a
 * `subgraph id ["label (mode)"] … end` around the nodes it lists; nested groups nest. A node
 * listed by several groups is drawn in the first and a `%%` comment names the others. An id that
 * edges or groups name but no node declares is drawn as a stadium with class `missing`. Hard
 * edges are `-->`, soft edges `-.->`. One `classDef` per kind present styles the nodes, with its
 * own text colour, and edges are a gray that reads in mermaid's light and dark themes.
 *
 * Labels are the node's `name`, else its id, with `"`, `#`, `&`, `<`, `>`, backticks and `@` turned
 * into entity codes and line breaks into spaces, so a label can neither end its node nor add
 * statements. Ids are mapped to `[A-Za-z0-9_]`; keywords such as `end` get an `n_` prefix. Pure.
 *
 * @example
 * const body = '```mermaid\n' + renderGraphMermaid(graph, { title: plan.metadata.name }) + '```\n'
 */
export function renderGraphMermaid(graph: NormalizedGraph, options: GraphRenderOptions = {}): string {
  const index = indexGraph(graph)
  const ids = assignMermaidIds(index.nodes.map((n) => n.id))
  const idOf = (id: string): string => ids.get(id) as string
  const lines: string[] = []
  if (options.title !== undefined) lines.push('---', `title: ${JSON.stringify(flattenText(options.title))}`, '---')
  lines.push('flowchart TD')

  const emit = (entry: IndexedNode, indent: string): void => {
    const others = otherGroupsOf(index, entry.id)
    if (others.length > 0) {
      const parent = index.parentOf.get(entry.id)
      const drawn = parent === undefined ? 'at the top level' : `in ${idOf(parent)}`
      lines.push(`${indent}%% ${idOf(entry.id)} is also listed in ${others.map(idOf).join(', ')}; drawn ${drawn} only`)
    }
    const label = escapeMermaidLabel(labelNode(entry))
    if (entry.shape !== 'group') {
      const [open, close] = BRACKETS[entry.shape]
      lines.push(`${indent}${idOf(entry.id)}${open}"${label}"${close}`)
      return
    }
    lines.push(`${indent}subgraph ${idOf(entry.id)} ["${label}"]`)
    for (const child of index.placed.get(entry.id) as readonly string[]) {
      emit(index.byId.get(child) as IndexedNode, `${indent}  `)
    }
    lines.push(`${indent}end`)
  }
  for (const id of index.roots) emit(index.byId.get(id) as IndexedNode, '  ')

  for (const edge of graph.edges) {
    lines.push(`  ${idOf(edge.from)} ${edge.type === 'soft' ? '-.->' : '-->'} ${idOf(edge.to)}`)
  }
  for (const shape of Object.keys(CLASS_STYLES) as NodeShape[]) {
    const members = index.nodes.filter((n) => n.shape === shape).map((n) => idOf(n.id))
    if (members.length === 0) continue
    lines.push(`  classDef ${shape} ${CLASS_STYLES[shape]}`, `  class ${members.join(',')} ${shape}`)
  }
  // A gray with 4:1 contrast on GitHub's white and dark backgrounds, and on the light group fill.
  if (graph.edges.length > 0) lines.push('  linkStyle default stroke:#6e7781,stroke-width:1.5px')
  return `${lines.join('\n')}\n`
}

