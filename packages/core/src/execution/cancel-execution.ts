import type { NormalizedGraph } from '../graph-types.js'
import type { ExecutionStatus, NodeStatus } from '../model/generated.js'
import type { Action } from './execution-types.js'
import { DISPATCH_KEY, RETRY_AT_KEY, dispatchIntentOf, patchNode } from './execution-extensions.js'
import { isTerminalPhase } from './step-context.js'
import { transitionExecution } from './transition-execution.js'

/**
 * Cancels an Execution: every non-terminal, non-Group node becomes `Cancelled` (reason
 * `CancelledByUser`), each recorded attempt gets a `cancel-attempt` action, and the run ends
 * `Cancelled`. Group statuses are left for the caller to derive.
 *
 * @example
 * ```ts
 * cancelExecution(status, graph, now).actions // [{ type: 'cancel-attempt', node: 'a', runId: 'u/a/1', reason: 'Cancelled' }]
 * ```
 */
export function cancelExecution(status: ExecutionStatus, graph: NormalizedGraph, now: string): { status: ExecutionStatus; actions: Action[] } {
  const actions: Action[] = []
  const nodeStatuses: Record<string, NodeStatus> = { ...(status.nodeStatuses as Record<string, NodeStatus>) }
  for (const node of graph.nodes) {
    const current = nodeStatuses[node.id] ?? { phase: 'Pending', attempt: 0 }
    if (node.kind === 'Group' || isTerminalPhase(current.phase)) continue
    const intent = dispatchIntentOf(current)
    if (intent !== undefined) actions.push({ type: 'cancel-attempt', node: node.id, runId: intent.runId, reason: 'Cancelled' })
    nodeStatuses[node.id] = patchNode(
      current,
      { phase: 'Cancelled', reason: 'CancelledByUser', completionTime: now },
      { [DISPATCH_KEY]: undefined, [RETRY_AT_KEY]: undefined },
      ['message'],
    )
  }
  return { status: transitionExecution({ ...status, nodeStatuses }, 'Cancelled', 'CancelledByUser', 'cancelled by user', now), actions }
}
