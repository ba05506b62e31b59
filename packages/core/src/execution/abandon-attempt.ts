import type { ExecutionStatus } from '../model/generated.js'
import { DISPATCH_KEY, START_MS_KEY, dispatchIntentOf, patchNode } from './execution-extensions.js'

/**
 * Takes back an attempt that was recorded as dispatching but provably never reached its provider
 * (the shell crashed between writing the intent and dispatching, THREATS T1): the node returns to
 * `Pending` with the attempt counter one lower, so the next reconcile dispatches the very same
 * attempt, under the same runId, exactly once. Any other node, or a node without an intent, is
 * returned unchanged (idempotent).
 *
 * @example
 * ```ts
 * abandonAttempt(status, 'build') // build: Running attempt 2 (never dispatched) → Pending attempt 1
 * ```
 */
export function abandonAttempt(status: ExecutionStatus, node: string): ExecutionStatus {
  const current = status.nodeStatuses?.[node]
  if (current === undefined || current.phase !== 'Running' || dispatchIntentOf(current) === undefined) return status
  const next = patchNode(current, { phase: 'Pending', attempt: Math.max(0, (current.attempt ?? 1) - 1) }, { [DISPATCH_KEY]: undefined, [START_MS_KEY]: undefined }, ['startTime'])
  return { ...status, nodeStatuses: { ...status.nodeStatuses, [node]: next } }
}
