import type { ExecutionStatus, NormalizedGraph } from '@planspec/core'

/**
 * Renders a run's node table for a terminal: one line per node with its phase, attempt, reason
 * and duration, then the Execution's phase. Pure: the caller redraws it in place.
 */
export function renderProgress(graph: NormalizedGraph, status: ExecutionStatus, options: { title: string }): string {
  const rows = graph.nodes.filter((n) => n.kind !== 'Group').map((n) => {
    const s = status.nodeStatuses?.[n.id]
    const took = s?.startTime && s.completionTime ? `${((Date.parse(s.completionTime) - Date.parse(s.startTime)) / 1000).toFixed(1)}s` : ''
    return [n.id, n.kind.toLowerCase(), s?.phase ?? 'Pending', s?.attempt ? String(s.attempt) : '', s?.reason ?? '', took]
  })
  const header = ['NODE', 'KIND', 'PHASE', 'ATTEMPT', 'REASON', 'TOOK']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [options.title, line(header), ...rows.map(line), `phase: ${status.phase ?? 'Pending'}${status.reason ? ` (${status.reason})` : ''}`, ''].join('\n')
}

/** Lists the node and execution transitions between two statuses, one line each, for logs. */
export function transitionLines(previous: ExecutionStatus | undefined, next: ExecutionStatus): string[] {
  const lines: string[] = []
  for (const [id, node] of Object.entries(next.nodeStatuses ?? {})) {
    const before = previous?.nodeStatuses?.[id]
    if (!node || (before?.phase === node.phase && before?.attempt === node.attempt)) continue
    lines.push(`node ${id} ${node.phase}${node.attempt ? ` attempt=${node.attempt}` : ''}${node.reason ? ` reason=${node.reason}` : ''}${node.message && node.phase === 'Failed' ? ` message=${JSON.stringify(node.message)}` : ''}`)
  }
  if (previous?.phase !== next.phase) lines.push(`execution ${next.phase}${next.reason ? ` reason=${next.reason}` : ''}`)
  return lines
}
