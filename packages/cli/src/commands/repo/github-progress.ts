import type { ExecutionChange } from '@planspec/agent'
import { commitStateForPhase, type ProgressUpdate } from '@planspec/github'
import { renderProgressMarkdown, type ProgressGate } from '@planspec/reporter'

/** Where progress goes and what it may say about Gates. */
export interface ProgressContext {
  readonly owner: string
  readonly repo: string
  /** RFC 3339 time of the rendering (running nodes show how long they have run). */
  readonly now: string
  /** Who may approve a Gate (namespace, name), to say who the run waits on. */
  readonly gate: (namespace: string, name: string) => ProgressGate | undefined
}

const DONE = new Set(['Succeeded', 'Skipped'])

/**
 * Turns a status change of a run into the progress update for GitHub: the execution progress
 * Markdown (sticky marker `progress/<namespace>/<name>`, Gate nodes naming their reviewers and
 * quorum) for the pull request that introduced the Execution, and a commit status on that commit
 * whose state follows the phase (`commitStateForPhase`). Pure.
 *
 * @example
 * progressReporter.report(progressUpdateOf(change, { owner, repo, now, gate: resolver.progressGate }))
 */
export function progressUpdateOf(change: ExecutionChange, context: ProgressContext): ProgressUpdate {
  const gates = new Map<string, ProgressGate>()
  for (const node of change.graph.nodes) {
    if (node.kind !== 'Gate' || node.gateRef === undefined) continue
    const gate = context.gate(node.gateRef.namespace ?? change.namespace, node.gateRef.name)
    if (gate !== undefined) gates.set(node.id, gate)
  }
  const body = renderProgressMarkdown(
    { execution: change.subject, graph: change.graph, status: change.status, now: context.now, gates },
    { marker: `progress/${change.namespace}/${change.name}` },
  )
  return {
    owner: context.owner,
    repo: context.repo,
    namespace: change.namespace,
    execution: change.name,
    commit: change.commit,
    body,
    status: { state: commitStateForPhase(change.status.phase), description: describeProgress(change) },
  }
}

/**
 * Says where a run stands in one line, for its commit status: phase, reason and nodes done, e.g.
 * `Blocked (AwaitingApproval): 2 of 4 nodes done` (a reason that repeats the phase is left
 * out). Group nodes are not counted. Pure.
 *
 * @example
 * describeProgress(change) // 'Succeeded: 4 of 4 nodes done'
 */
export function describeProgress(change: Pick<ExecutionChange, 'graph' | 'status'>): string {
  const nodes = change.graph.nodes.filter((node) => node.kind !== 'Group')
  const done = nodes.filter((node) => DONE.has(change.status.nodeStatuses?.[node.id]?.phase ?? 'Pending')).length
  const phase = change.status.phase ?? 'Pending'
  const reason = change.status.reason === undefined || change.status.reason === phase ? '' : ` (${change.status.reason})`
  return `${phase}${reason}: ${done} of ${nodes.length} nodes done`
}
