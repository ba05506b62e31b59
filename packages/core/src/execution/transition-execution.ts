import type { ExecutionStatus } from '../model/generated.js'
import { setCondition } from '../conditions.js'

type Phase = NonNullable<ExecutionStatus['phase']>

/** Execution phases that no transition leaves (except `retryRequested` from `Failed`). */
export const TERMINAL_EXECUTION_PHASES: ReadonlySet<string | undefined> = new Set(['Succeeded', 'Failed', 'Cancelled'])

/**
 * Moves an Execution to `phase` with `reason`/`message`. A change of phase sets
 * `lastPhaseTransitionTime`, and `completionTime` when the phase is terminal; every call sets the
 * `Progressing` condition (`True` while Running/Blocked, `False` once terminal) with the same
 * reason. Setting the same phase and reason again changes nothing (idempotent).
 *
 * @example
 * ```ts
 * transitionExecution({ phase: 'Running' }, 'Succeeded', 'Succeeded', 'all nodes finished', now).completionTime === now
 * ```
 */
export function transitionExecution(status: ExecutionStatus, phase: Phase, reason: string, message: string, now: string): ExecutionStatus {
  const changed = status.phase !== phase
  const terminal = TERMINAL_EXECUTION_PHASES.has(phase)
  const next: ExecutionStatus = {
    ...status,
    phase,
    reason,
    message,
    ...(changed ? { lastPhaseTransitionTime: now } : {}),
    ...(changed && terminal ? { completionTime: now } : {}),
    conditions: setCondition(status.conditions, { type: 'Progressing', status: terminal ? 'False' : 'True', reason, message }, now),
  }
  return next
}
