import type { NormalizedGraph } from '../graph-types.js'
import type { NodeStatus } from '../model/generated.js'

type NodePhase = NonNullable<NodeStatus['phase']>

/**
 * Derives the display status of every Group node from its children (DECISIONS §3): `Running` if
 * any child runs or is blocked, else `Failed` if any failed, else `Succeeded` when all succeeded
 * or were skipped, else `Cancelled` when all finished, else `Pending`. Nested groups are derived
 * first; unknown children are ignored and a group cycle is broken (the inner visit counts as
 * `Pending`). Returns a new node-status map, or `nodes` itself when the graph has no Group.
 *
 * @example
 * ```ts
 * deriveGroupStatuses(graph, { a: { phase: 'Running' } }).g?.phase // 'Running' for a group g with child a
 * ```
 */
export function deriveGroupStatuses(graph: NormalizedGraph, nodes: Readonly<Record<string, NodeStatus>>): Record<string, NodeStatus> {
  // Most plans have no groups: then there is nothing to derive and no map to copy every round.
  if (!graph.nodes.some((node) => node.kind === 'Group')) return nodes as Record<string, NodeStatus>
  const out: Record<string, NodeStatus> = { ...nodes }
  const visiting = new Set<string>()
  const phaseOf = (id: string): NodePhase => {
    const node = graph.nodeById.get(id)
    if (node?.kind !== 'Group') return out[id]?.phase ?? 'Pending'
    if (visiting.has(id)) return 'Pending'
    if (derived.has(id)) return (out[id] as NodeStatus).phase as NodePhase
    visiting.add(id)
    const phases = (node.children ?? []).filter((child) => graph.nodeById.has(child)).map(phaseOf)
    visiting.delete(id)
    const phase = groupPhase(phases)
    out[id] = { phase }
    derived.add(id)
    return phase
  }
  const derived = new Set<string>()
  for (const node of graph.nodes) if (node.kind === 'Group') phaseOf(node.id)
  return out
}

/** Combines child phases into a group phase. */
function groupPhase(phases: readonly NodePhase[]): NodePhase {
  if (phases.some((phase) => phase === 'Running' || phase === 'Blocked')) return 'Running'
  if (phases.includes('Failed')) return 'Failed'
  if (phases.every((phase) => phase === 'Succeeded' || phase === 'Skipped')) return 'Succeeded'
  if (phases.every((phase) => phase === 'Succeeded' || phase === 'Skipped' || phase === 'Cancelled')) return 'Cancelled'
  return 'Pending'
}
