/** Whether a condition currently holds. */
export type ConditionStatus = 'True' | 'False' | 'Unknown'

/** A typed observation in `status.conditions` (RESOURCES 0.7). */
export interface Condition {
  /** Aspect reported, PascalCase by convention: `Ready`, `Valid`, `PlanResolved`. */
  readonly type: string
  readonly status: ConditionStatus
  /** PascalCase cause of the last transition: `PlanFound`, `ValidationFailed`. */
  readonly reason: string
  readonly message?: string
  /** RFC 3339 time at which `status` last changed. */
  readonly lastTransitionTime: string
  readonly observedGeneration?: number
}

/** What {@link setCondition} writes: a condition without its transition time. */
export interface ConditionUpdate {
  readonly type: string
  readonly status: ConditionStatus
  readonly reason: string
  readonly message?: string
  readonly observedGeneration?: number
}

/**
 * Returns a new condition list with `next` set (Kubernetes `meta.SetStatusCondition` semantics):
 * one entry per type, updated in place or appended at the end. `lastTransitionTime` becomes `now`
 * when the type is new or its `status` flips, and is kept when only the reason, message or
 * generation change. `message` and `observedGeneration` are taken from `next` (absent in `next`
 * means absent in the result). Extra entries of the same type, which a hand-edited status may
 * hold, are removed. The input is never mutated; setting the same update twice gives equal lists
 * (idempotent), whatever `now` is the second time.
 *
 * @example
 * ```ts
 * setCondition([], { type: 'PlanResolved', status: 'True', reason: 'PlanFound' }, '2025-03-01T12:00:00Z')
 * // [{ type: 'PlanResolved', status: 'True', reason: 'PlanFound', lastTransitionTime: '2025-03-01T12:00:00Z' }]
 * ```
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionUpdate,
  now: string,
): Condition[] {
  const list = conditions ?? []
  const previous = findCondition(list, next.type)
  const condition: Condition = {
    type: next.type,
    status: next.status,
    reason: next.reason,
    ...(next.message === undefined ? {} : { message: next.message }),
    lastTransitionTime: previous !== undefined && previous.status === next.status ? previous.lastTransitionTime : now,
    ...(next.observedGeneration === undefined ? {} : { observedGeneration: next.observedGeneration }),
  }
  if (previous === undefined) return [...list, condition]
  return list.flatMap((entry) => {
    if (entry.type !== next.type) return [entry]
    return entry === previous ? [condition] : []
  })
}

/**
 * Returns the first condition of the given type, or undefined.
 *
 * @example
 * ```ts
 * findCondition(status.conditions, 'Ready')?.status === 'True'
 * ```
 */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type)
}
