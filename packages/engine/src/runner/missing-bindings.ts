import { setCondition, type Condition, type ExecutionStatus } from '@planspec/core'

/** The reason of an Execution that waits for a Binding it names (Kubernetes style: it heals when the Binding appears). */
export const BINDING_NOT_FOUND_REASON = 'BindingNotFound'

/**
 * Says what a run waits for when Bindings it names do not exist, naming each with the field that
 * names it, the same in every mode.
 *
 * @example
 * missingBindingsMessage(['Binding "default/platform-bindings" (spec.bindingRef)'])
 * // 'waiting for Binding "default/platform-bindings" (spec.bindingRef): it does not exist; apply it and the run starts'
 */
export function missingBindingsMessage(missing: readonly string[]): string {
  return `waiting for ${missing.join(', ')}: ${missing.length === 1 ? 'it does' : 'they do'} not exist; apply ${missing.length === 1 ? 'it' : 'them'} and the run starts`
}

/**
 * Returns the status of a run that cannot start because Bindings it names do not exist: phase
 * `Blocked`, reason `BindingNotFound`, `message` (see {@link missingBindingsMessage}), and
 * `Progressing=False` with the same reason and message. Pure; the
 * transition time moves only when the phase changes. Idempotent.
 *
 * @example
 * blockOnMissingBindings(undefined, missingBindingsMessage(['Binding "default/b" (spec.bindingRef)']), '2026-01-01T00:00:00Z').phase // 'Blocked'
 */
export function blockOnMissingBindings(status: ExecutionStatus | undefined, message: string, at: string): ExecutionStatus {
  const current = status ?? {}
  return {
    ...current,
    phase: 'Blocked',
    reason: BINDING_NOT_FOUND_REASON,
    message,
    ...(current.phase === 'Blocked' ? {} : { lastPhaseTransitionTime: at }),
    conditions: setCondition(current.conditions, { type: 'Progressing', status: 'False', reason: BINDING_NOT_FOUND_REASON, message }, at),
  }
}

/** Tells whether a status is a run waiting for its Bindings (nothing of it started). */
export function isBlockedOnBindings(status: ExecutionStatus | undefined): boolean {
  return status?.phase === 'Blocked' && status.reason === BINDING_NOT_FOUND_REASON
}

/**
 * Returns the status a run waiting for its Bindings starts from once they exist: the Blocked
 * phase, its reason and message and the `Progressing` condition it set are dropped, so the run is
 * accepted as new (what else the status holds stays).
 */
export function releaseBindingBlock(status: ExecutionStatus): ExecutionStatus {
  const { phase: _phase, reason: _reason, message: _message, ...rest } = status
  const conditions = (status.conditions ?? []).filter((c: Condition) => !(c.type === 'Progressing' && c.reason === BINDING_NOT_FOUND_REASON))
  return { ...rest, conditions }
}
