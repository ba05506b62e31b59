import type { NormalizedGraph } from '@planspec/core'
import type { GraphRenderOptions } from '../types.js'
import { indexGraph } from '../internal/index-graph.js'

/**
 * Renders a plan graph as pretty JSON (2 spaces, trailing newline) for other tools:
 * `{ title?, nodes: [{ id, kind, name?, groups? }], edges: [{ from, to, type, source }],
 * groups: [{ id, children, mode }] }`.
 *
 * Nodes are the declared nodes in file order (the first of a duplicated id); `groups` lists every
 * group that names the node, and is left out, like `name`, when empty. Edges keep their order and
 * say where they came from: `source` is `edge` or `dependsOn`. `groups` has one entry per Group
 * node with its children as written and its `mode` (`null` when not set). Ids that edges name
 * but no node declares are not invented here: the data says what the file says. Pure.
 *
 * @example
 * const { nodes, edges } = JSON.parse(renderGraphJson(graph))
 */
export function renderGraphJson(graph: NormalizedGraph, options: GraphRenderOptions = {}): string {
  const index = indexGraph(graph)
  const declared = index.nodes.flatMap((entry) => (entry.node === undefined ? [] : [entry.node]))
  const nodes = declared.map((node) => {
    const groups = index.memberships.get(node.id) ?? []
    return {
      id: node.id,
      kind: node.kind,
      ...(node.name === undefined ? {} : { name: node.name }),
      ...(groups.length === 0 ? {} : { groups }),
    }
  })
  const edges = graph.edges.map((edge) => ({ from: edge.from, to: edge.to, type: edge.type, source: edge.source.kind }))
  const groups = declared
    .filter((node) => node.kind === 'Group')
    .map((node) => ({ id: node.id, children: node.children ?? [], mode: node.mode ?? null }))
  const document = { ...(options.title === undefined ? {} : { title: options.title }), nodes, edges, groups }
  return `${JSON.stringify(document, null, 2)}\n`
}
