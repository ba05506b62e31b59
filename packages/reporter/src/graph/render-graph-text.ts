import type { NormalizedEdge, NormalizedGraph } from '@planspec/core'
import type { GraphRenderOptions } from '../types.js'
import { textWidth } from '../internal/expand-line.js'
import { indexGraph, type IndexedNode } from '../internal/index-graph.js'
import { layerNodes } from '../internal/layer-nodes.js'
import { pluralize } from '../internal/pluralize.js'
import { sanitizeTerminal } from '../internal/sanitize-terminal.js'

interface Row {
  readonly marker: string
  readonly kind: string
  readonly id: string
  readonly needs: string
}

/**
 * Renders a plan graph as a plain-text outline for terminals. A header counts nodes, groups,
 * edges and layers. Nodes follow in topological layers (Kahn's algorithm over hard and soft
 * edges; a node's layer is its longest path from a root), in file order within a layer, one per
 * line with aligned columns: a `◆` mark for gates, the kind, the id, and `← a, b (soft: c)`
 * listing where its edges come from. Groups take no layer; they are listed last as
 * `[group build: schema, writer (sequence)]`. Nodes on a cycle are listed under `cycle (not
 * layered)`, and ids that edges or groups name but no node declares appear as kind `missing`.
 *
 * Control characters in ids and names are made visible, so graph content cannot drive the
 * terminal. No colour. Pure; ends with a newline.
 *
 * @example
 * process.stdout.write(renderGraphText(graph, { title: 'plan/release-1' }))
 */
export function renderGraphText(graph: NormalizedGraph, options: GraphRenderOptions = {}): string {
  const index = indexGraph(graph)
  const layered = index.nodes.filter((n) => n.shape !== 'group')
  const groups = index.nodes.filter((n) => n.shape === 'group')
  const { layers, cyclic } = layerNodes(layered.map((n) => n.id), graph.edges)
  const soft = graph.edges.filter((e) => e.type === 'soft').length
  const incoming = new Map<string, NormalizedEdge[]>()
  for (const edge of graph.edges) {
    const list = incoming.get(edge.to)
    if (list === undefined) incoming.set(edge.to, [edge])
    else list.push(edge)
  }
  const toRow = (id: string): Row => describeNode(index.byId.get(id) as IndexedNode, incoming.get(id) ?? [])

  const counts = [pluralize(layered.length, 'node')]
  if (groups.length > 0) counts.push(pluralize(groups.length, 'group'))
  counts.push(`${pluralize(graph.edges.length, 'edge')}${soft > 0 ? ` (${soft} soft)` : ''}`)
  counts.push(pluralize(layers.length, 'layer'))
  if (cyclic.length > 0) counts.push(`${cyclic.length} on a cycle`)
  const lines = options.title === undefined ? [] : [sanitizeTerminal(options.title)]
  lines.push(counts.join(' · '))

  const sections: { readonly heading: string; readonly rows: readonly Row[] }[] = layers.map((ids, i) => ({
    heading: `layer ${i + 1}`,
    rows: ids.map(toRow),
  }))
  if (cyclic.length > 0) {
    sections.push({ heading: 'cycle (not layered)', rows: cyclic.map(toRow) })
  }
  const rows = sections.flatMap((s) => s.rows)
  const kindWidth = Math.max(0, ...rows.map((r) => textWidth(r.kind)))
  const idWidth = Math.max(0, ...rows.map((r) => textWidth(r.id)))
  for (const section of sections) {
    lines.push('', section.heading)
    for (const row of section.rows) {
      const line = `  ${row.marker}${pad(row.kind, kindWidth)}  ${pad(row.id, idWidth)}  ${row.needs}`
      lines.push(line.trimEnd())
    }
  }
  if (groups.length > 0) {
    lines.push('', 'groups')
    for (const group of groups) lines.push(`  ${describeGroup(group)}`)
  }
  return `${lines.join('\n')}\n`
}

function describeNode(entry: IndexedNode, incoming: readonly NormalizedEdge[]): Row {
  const hard = incoming.filter((e) => e.type === 'hard').map((e) => sanitizeTerminal(e.from))
  const soft = incoming.filter((e) => e.type === 'soft').map((e) => sanitizeTerminal(e.from))
  const parts = hard.length > 0 ? [hard.join(', ')] : []
  if (soft.length > 0) parts.push(`(soft: ${soft.join(', ')})`)
  return {
    marker: entry.shape === 'gate' ? '◆ ' : '  ',
    kind: entry.node === undefined ? 'missing' : sanitizeTerminal(entry.node.kind.toLowerCase()),
    id: sanitizeTerminal(entry.id),
    needs: parts.length > 0 ? `← ${parts.join(' ')}` : '',
  }
}

function describeGroup(group: IndexedNode): string {
  const node = group.node as NonNullable<IndexedNode['node']>
  const children = node.children ?? []
  const list = children.length > 0 ? children.map(sanitizeTerminal).join(', ') : '(no children)'
  const mode = node.mode === undefined ? '' : ` (${sanitizeTerminal(node.mode)})`
  return `[group ${sanitizeTerminal(group.id)}: ${list}${mode}]`
}

function pad(text: string, width: number): string {
  return `${text}${' '.repeat(width - textWidth(text))}`
}
