import type { NodeStatus } from '../model/generated.js'

/** Extension key of the dispatch intent `{ runId, state: 'Dispatching' }` recorded before dispatch (THREATS T1). */
export const DISPATCH_KEY = 'io.planspec.dispatch'
/** Extension key of the epoch-ms time at which a failed Task may be dispatched again. */
export const RETRY_AT_KEY = 'io.planspec.retryAt'
/** Extension key of the epoch-ms start of the current attempt (Task) or wait (External). */
export const START_MS_KEY = 'io.planspec.startMs'
/** Extension key of the epoch-ms time of the next External poll. */
export const NEXT_POLL_KEY = 'io.planspec.nextPollAt'
/** Extension key of the attempt number at which `retryRequested` re-opened the node (fresh retry budget). */
export const ATTEMPT_BASE_KEY = 'io.planspec.attemptBase'
/** Execution extension key naming the first node that failed for good. */
export const FIRST_FAILURE_KEY = 'io.planspec.firstFailure'
/** Node extension key of the tail of a failed attempt's output (`{ attempt, text }`, secrets masked), for people. */
export const LOG_KEY = 'io.planspec.log'
/** Node extension key of the inputs the current attempt was dispatched with. */
export const INPUTS_KEY = 'io.planspec.inputs'
/** Node extension key of the acceptance criteria results of the last checked attempt (`[{ name, required, passed, message }]`). */
export const ACCEPTANCE_KEY = 'io.planspec.acceptance'

/** The dispatch intent of a node: runId and state. */
export interface DispatchIntent {
  readonly runId: string
  readonly state: string
}

/**
 * Returns the recorded dispatch intent of a node, or undefined when none is recorded.
 *
 * @example
 * ```ts
 * dispatchIntentOf({ extensions: { 'io.planspec.dispatch': { runId: 'u/a/1', state: 'Dispatching' } } })?.runId // 'u/a/1'
 * ```
 */
export function dispatchIntentOf(node: NodeStatus): DispatchIntent | undefined {
  const value = node.extensions?.[DISPATCH_KEY]
  return typeof value === 'object' && value !== null ? (value as DispatchIntent) : undefined
}

/**
 * Reads a numeric extension of a node, or undefined when absent or not a number.
 *
 * @example
 * ```ts
 * numberExtension({ extensions: { 'io.planspec.retryAt': 5 } }, RETRY_AT_KEY) // 5
 * ```
 */
export function numberExtension(node: NodeStatus, key: string): number | undefined {
  const value = node.extensions?.[key]
  return typeof value === 'number' ? value : undefined
}

/**
 * Returns a copy of `node` with extension keys set (a value) or removed (`undefined`), and the
 * listed top-level fields removed. `extensions` is dropped when it ends up empty.
 *
 * @example
 * ```ts
 * patchNode({ phase: 'Failed', reason: 'X' }, { phase: 'Pending' }, { [RETRY_AT_KEY]: 10 }, ['reason'])
 * // { phase: 'Pending', extensions: { 'io.planspec.retryAt': 10 } }
 * ```
 */
export function patchNode(
  node: NodeStatus,
  fields: NodeStatus,
  extensions: Readonly<Record<string, unknown>> = {},
  remove: readonly (keyof NodeStatus)[] = [],
): NodeStatus {
  const next: NodeStatus = { ...node, ...fields }
  for (const key of remove) delete next[key]
  const merged: Record<string, unknown> = { ...node.extensions }
  for (const [key, value] of Object.entries(extensions)) {
    if (value === undefined) delete merged[key]
    else merged[key] = value
  }
  if (Object.keys(merged).length === 0) delete next.extensions
  else next.extensions = merged
  return next
}
