import type { NormalizedGraph } from '../graph-types.js'
import type { ExecutionStatus, NodeStatus } from '../model/generated.js'
import { ATTEMPT_BASE_KEY, DISPATCH_KEY, FIRST_FAILURE_KEY, RETRY_AT_KEY, patchNode } from './execution-extensions.js'
import { transitionExecution } from './transition-execution.js'

/**
 * Re-opens a `Failed` Execution (`planspec retry`): its failed nodes (only those in `nodes` when
 * given), every `Cancelled` node and every `Skipped` node that is not `ConditionFalse` go back to
 * `Pending`. Attempts keep counting (the next attempt is `attempt + 1`) and get a fresh retry
 * budget; succeeded work is kept. The run goes back to `Running` with reason `RetryRequested`.
 *
 * @example
 * ```ts
 * reopenExecution(failedStatus, graph, undefined, now).phase // 'Running'
 * ```
 */
export function reopenExecution(status: ExecutionStatus, graph: NormalizedGraph, nodes: readonly string[] | undefined, now: string): ExecutionStatus {
  const nodeStatuses: Record<string, NodeStatus> = {}
  for (const [id, node] of Object.entries(status.nodeStatuses ?? {})) {
    if (node === undefined) continue
    const failed = node.phase === 'Failed' && (nodes === undefined || nodes.includes(id))
    const stopped = node.phase === 'Cancelled' || (node.phase === 'Skipped' && node.reason !== 'ConditionFalse')
    const reopen = graph.nodeById.get(id)?.kind !== 'Group' && (failed || stopped)
    nodeStatuses[id] = reopen
      ? patchNode(
          node,
          { phase: 'Pending' },
          { [ATTEMPT_BASE_KEY]: node.attempt ?? 0, [RETRY_AT_KEY]: undefined, [DISPATCH_KEY]: undefined },
          ['reason', 'message', 'completionTime', 'outputs'],
        )
      : node
  }
  const extensions: Record<string, unknown> = { ...status.extensions }
  delete extensions[FIRST_FAILURE_KEY]
  const reopened: ExecutionStatus = { ...status, nodeStatuses, extensions }
  delete reopened.completionTime
  return transitionExecution(reopened, 'Running', 'RetryRequested', 'retry requested', now)
}
