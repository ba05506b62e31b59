import type { ExecutionStatus, NodeStatus } from '../model/generated.js'
import { DISPATCH_KEY, dispatchIntentOf, patchNode } from './execution-extensions.js'
import type { AttemptResult } from './execution-types.js'

/**
 * Records the result of one attempt in an Execution status and returns the new status. The result
 * is ignored (the same status object is returned) unless it is for the node's current attempt
 * and that attempt is still in flight (its dispatch intent is recorded): late or repeated results
 * change nothing, so recording is idempotent. When `declaredOutputs` is given, output keys that
 * are neither declared nor custom (reverse-domain with a `.`, or `x-` prefixed) are dropped and
 * named in the node message. Success sets `Succeeded` with the outputs; failure sets `Failed` with
 * `reason` (default `AttemptFailed`). Retry scheduling is left to the next reconcile.
 *
 * @example
 * ```ts
 * recordAttemptResult(status, { node: 'build', attempt: 1, outcome: 'succeeded', outputs: { sha: 'abc' }, now })
 *   .nodeStatuses?.build?.phase // 'Succeeded'
 * ```
 */
export function recordAttemptResult(status: ExecutionStatus, r: AttemptResult): ExecutionStatus {
  const node = status.nodeStatuses?.[r.node]
  if (node === undefined || node.attempt !== r.attempt || dispatchIntentOf(node) === undefined) return status
  const kept: Record<string, unknown> = {}
  const dropped: string[] = []
  for (const [key, value] of Object.entries(r.outputs ?? {})) {
    const custom = key.includes('.') || key.startsWith('x-')
    if (r.declaredOutputs === undefined || custom || r.declaredOutputs.includes(key)) kept[key] = value
    else dropped.push(key)
  }
  const notes = [r.message, dropped.length === 0 ? undefined : `dropped undeclared outputs: ${dropped.join(', ')}`].filter(
    (note): note is string => note !== undefined,
  )
  const message = notes.length === 0 ? undefined : notes.join('; ')
  const succeeded = r.outcome === 'succeeded'
  const fields: NodeStatus = {
    phase: succeeded ? 'Succeeded' : 'Failed',
    completionTime: r.now,
    ...(succeeded ? {} : { reason: r.reason ?? 'AttemptFailed' }),
    ...(succeeded || r.outputs !== undefined ? { outputs: kept } : {}),
    ...(message === undefined ? {} : { message }),
  }
  const remove: (keyof NodeStatus)[] = [...(message === undefined ? (['message'] as const) : []), ...(succeeded ? (['reason'] as const) : [])]
  const next = patchNode(node, fields, { [DISPATCH_KEY]: undefined }, remove)
  return { ...status, nodeStatuses: { ...status.nodeStatuses, [r.node]: next } }
}
