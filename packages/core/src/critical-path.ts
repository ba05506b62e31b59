import type { NormalizedGraph } from './graph-types.js'
import { topologicalLayers } from './graph.js'

/** The outcome of {@link criticalPath}: the chain of nodes that decides when a run ends. */
export interface CriticalPath {
  /** Node ids from the first to the last, following hard edges. Empty for an empty or cyclic graph. */
  readonly nodes: readonly string[]
  /** When the last node of the chain ends, from the start of the run. */
  readonly durationMs: number
  /** Each node's start and end on that timeline (hard predecessors first, soft edges ignored). */
  readonly start: ReadonlyMap<string, number>
  readonly end: ReadonlyMap<string, number>
}

/**
 * Computes the critical path of a plan: every node starts when its last hard predecessor ends
 * (soft edges never block, DECISIONS §3) and takes `durationMs(id)`; the path is the chain of hard
 * edges back from the node that ends last, through the predecessor that ended last at each step
 * (the first in edge order on a tie). With durations from node timeouts it is the simulated path
 * (`planspec simulate`); with the durations a run measured it is the real one. Group nodes should
 * be given 0. A cyclic graph has no path. Pure.
 *
 * @example
 * ```ts
 * const g = normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }, { id: 'c', kind: 'Task' }] })
 * criticalPath(g, (id) => (id === 'c' ? 5 : 2)) // { nodes: ['c'], durationMs: 5, ... }
 * ```
 */
export function criticalPath(graph: NormalizedGraph, durationMs: (id: string) => number): CriticalPath {
  const start = new Map<string, number>()
  const end = new Map<string, number>()
  const layered = topologicalLayers(graph)
  if (!Array.isArray(layered)) return { nodes: [], durationMs: 0, start, end }
  const via = new Map<string, string | undefined>()
  const incoming = new Map<string, string[]>()
  for (const edge of graph.edges) {
    if (edge.type !== 'hard') continue
    const list = incoming.get(edge.to)
    if (list === undefined) incoming.set(edge.to, [edge.from])
    else list.push(edge.from)
  }
  for (const layer of layered) {
    for (const id of layer) {
      let begin = 0
      let from: string | undefined
      for (const predecessor of incoming.get(id) ?? []) {
        const predecessorEnd = end.get(predecessor)
        if (predecessorEnd === undefined) continue
        if (from === undefined || predecessorEnd > begin) {
          begin = predecessorEnd
          from = predecessor
        }
      }
      start.set(id, begin)
      end.set(id, begin + Math.max(0, durationMs(id)))
      via.set(id, from)
    }
  }
  let last: string | undefined
  for (const [id, e] of end) if (last === undefined || e > (end.get(last) as number)) last = id
  const nodes: string[] = []
  for (let at = last; at !== undefined; at = via.get(at)) nodes.unshift(at)
  return { nodes, durationMs: last === undefined ? 0 : (end.get(last) as number), start, end }
}
