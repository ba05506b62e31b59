import { setCondition, type ConditionUpdate } from '../conditions.js'
import { parseDuration } from '../duration.js'
import type { LabelSelectorLike } from '../label-selector.js'
import type { ExecutionStatus, GoalStatus } from '../model/generated.js'
import { selectPlanForGoal, type PlanLike } from '../plan-selection.js'
import { namespaceOf, type ObjectReferenceLike } from '../reference.js'

/** The fields of a Goal that {@link reconcileGoal} reads. */
export interface GoalReconcileTarget {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly creationTimestamp?: string }
  readonly spec: { readonly planSelector?: LabelSelectorLike; readonly timeout?: string }
  readonly status?: GoalStatus
}

/** An Execution that runs (or ran) a plan for the goal, as the shell found it. */
export interface GoalExecutionLike {
  readonly name: string
  /** The Execution's `status.phase`; absent means `Pending`. */
  readonly phase?: ExecutionStatus['phase']
  readonly planRef?: ObjectReferenceLike
  /** RFC 3339; orders executions, the newest deciding. */
  readonly creationTimestamp?: string
}

/** What {@link reconcileGoal} observes. */
export interface GoalObservation {
  readonly goal: GoalReconcileTarget
  /** `metadata.generation` of the goal; written to every `observedGeneration`. */
  readonly generation: number
  /** Every Plan in scope; plan selection (RESOURCES 1.5) picks the candidates. */
  readonly plans: readonly PlanLike[]
  /** The Executions for this goal (found by the shell), in any order. */
  readonly executions: readonly GoalExecutionLike[]
  /** Whether cancellation was requested (annotation `planspec.io/cancel: "true"`, CLI or PR comment). */
  readonly cancelRequested: boolean
  /** RFC 3339 time used for condition transitions. */
  readonly now: string
  /** The same instant as `now`, in milliseconds since the epoch; compared with the timeout deadline. */
  readonly nowMs: number
}

/** The outcome of {@link reconcileGoal}. */
export interface GoalReconcileResult {
  readonly status: GoalStatus
  /** Set while a `timeout` is pending: milliseconds until the deadline, so the shell comes back in time. */
  readonly requeueAfterMs?: number
}

type GoalPhase = NonNullable<GoalStatus['phase']>
type Progress = Omit<ConditionUpdate, 'type' | 'observedGeneration'>

const ACTIVE_EXECUTION_PHASES: ReadonlySet<string> = new Set(['Pending', 'Running', 'Blocked'])

/**
 * Reconciles a Goal's status following DECISIONS §8 "Goal transitions":
 * - `Succeeded` and `Cancelled` are final: only `observedGeneration` is refreshed.
 * - Cancellation moves any non-terminal goal to `Cancelled` (`Progressing=False`, reason
 *   `Cancelled`); it wins over every other transition. A `Failed` goal is terminal and ignores it,
 *   unless a new Execution is running (the goal would otherwise leave `Failed` for `Executing`).
 * - `Failed` → `Executing` when the newest Execution is active (`Pending`, `Running`, `Blocked`).
 * - `Executing` follows the newest Execution: active stays `Executing` (`Progressing=True`,
 *   `ExecutionRunning`); `Succeeded` → `Succeeded`; `Failed` → `Failed` (`ExecutionFailed`);
 *   `Cancelled` → `Failed` (`ExecutionCancelled`); none at all stays `Executing`
 *   (`Progressing=Unknown`, `ExecutionNotFound`).
 * - `Pending`, `Planning`, `Ready`: the plan is selected with `selectPlanForGoal`. Found: `Ready`,
 *   `activePlanRef` set, `PlanResolved=True` `PlanFound`. Not found: `Pending` (`Planning` stays
 *   `Planning`), `activePlanRef` removed, `PlanResolved=False` `NoPlanFound`. With a plan, an
 *   existing Execution is applied as above (level-based: a run that started and ended between two
 *   reconciles is not missed). Otherwise, once `spec.timeout` has passed since
 *   `metadata.creationTimestamp`, the goal is `Failed` with reason `Timeout`; before that,
 *   `requeueAfterMs` says when to look again. An unparsable timeout or timestamp sets no deadline.
 *
 * `activePlanRef` is kept through `Executing` and in terminal phases. Other condition types
 * (`Accepted`) are kept. Idempotent: reconciling with its own output status gives the same status.
 *
 * @example
 * ```ts
 * reconcileGoal({ goal, generation: 1, plans, executions: [], cancelRequested: false, now, nowMs }).status
 * // { phase: 'Ready', activePlanRef: { name: 'billing-v3', namespace: 'finance' }, conditions: [Accepted, PlanResolved, Progressing], … }
 * ```
 */
export function reconcileGoal(observation: GoalObservation): GoalReconcileResult {
  const { goal, generation, now } = observation
  const previous: GoalStatus = goal.status ?? {}
  const phase: GoalPhase = previous.phase ?? 'Pending'
  const write = (next: GoalPhase, progress: Progress | undefined, base: GoalStatus = previous): GoalStatus => ({
    ...base,
    phase: next,
    conditions:
      progress === undefined
        ? base.conditions
        : setCondition(base.conditions, { type: 'Progressing', ...progress, observedGeneration: generation }, now),
    observedGeneration: generation,
  })

  if (phase === 'Succeeded' || phase === 'Cancelled') return { status: { ...previous, observedGeneration: generation } }
  const newest = newestExecution(observation.executions)
  const active = newest !== undefined && ACTIVE_EXECUTION_PHASES.has(newest.phase ?? 'Pending')
  if (observation.cancelRequested && (phase !== 'Failed' || active)) {
    return { status: write('Cancelled', { status: 'False', reason: 'Cancelled', message: 'The goal was cancelled by a user' }) }
  }
  if (phase === 'Failed') {
    if (!active) return { status: { ...previous, observedGeneration: generation } }
    return { status: write(...followExecution(newest)) }
  }
  if (phase === 'Executing') return { status: write(...followExecution(newest)) }

  const namespace = namespaceOf(goal.metadata)
  const selection = selectPlanForGoal(
    { name: goal.metadata.name, namespace, ...(goal.spec.planSelector ? { planSelector: goal.spec.planSelector } : {}) },
    observation.plans,
  )
  const { activePlanRef: _dropped, ...withoutPlan } = previous
  let base: GoalStatus
  let waiting: GoalPhase
  if (selection.selected === undefined) {
    const message = 'No plan references the goal'
    const conditions = setCondition(
      previous.conditions,
      { type: 'PlanResolved', status: 'False', reason: 'NoPlanFound', message, observedGeneration: generation },
      now,
    )
    base = { ...withoutPlan, conditions }
    waiting = phase === 'Planning' ? 'Planning' : 'Pending'
  } else {
    const activePlanRef = { name: selection.selected.metadata.name, namespace: namespaceOf(selection.selected.metadata) }
    const message = `Selected plan ${activePlanRef.namespace}/${activePlanRef.name}`
    const conditions = setCondition(
      previous.conditions,
      { type: 'PlanResolved', status: 'True', reason: 'PlanFound', message, observedGeneration: generation },
      now,
    )
    base = { ...withoutPlan, activePlanRef, conditions }
    waiting = 'Ready'
    if (newest !== undefined) return { status: write(...followExecution(newest), base) }
  }

  const deadline = deadlineOf(goal)
  if (deadline !== undefined && observation.nowMs >= deadline) {
    const message = `The goal did not start executing within its timeout of ${goal.spec.timeout}`
    return { status: write('Failed', { status: 'False', reason: 'Timeout', message }, base) }
  }
  const progress: Progress | undefined =
    waiting === 'Planning'
      ? undefined
      : waiting === 'Ready'
        ? { status: 'False', reason: 'WaitingForExecution', message: 'A plan is selected; no Execution has started' }
        : { status: 'False', reason: 'WaitingForPlan', message: 'No plan is selected yet' }
  const status = write(waiting, progress, base)
  return deadline === undefined ? { status } : { status, requeueAfterMs: deadline - observation.nowMs }
}

/** Maps the newest Execution to the goal's phase and `Progressing` condition. */
function followExecution(execution: GoalExecutionLike | undefined): [GoalPhase, Progress] {
  if (execution === undefined) {
    return ['Executing', { status: 'Unknown', reason: 'ExecutionNotFound', message: 'The goal is executing but no Execution was found' }]
  }
  const phase = execution.phase ?? 'Pending'
  const name = `Execution ${execution.name}`
  switch (phase) {
    case 'Succeeded':
      return ['Succeeded', { status: 'False', reason: 'Succeeded', message: `${name} succeeded` }]
    case 'Failed':
      return ['Failed', { status: 'False', reason: 'ExecutionFailed', message: `${name} failed` }]
    case 'Cancelled':
      return ['Failed', { status: 'False', reason: 'ExecutionCancelled', message: `${name} was cancelled` }]
    default:
      return ['Executing', { status: 'True', reason: 'ExecutionRunning', message: `${name} is ${phase}` }]
  }
}

/** Returns the newest Execution: latest `creationTimestamp` (unparsable counts as oldest), then greatest name. */
function newestExecution(executions: readonly GoalExecutionLike[]): GoalExecutionLike | undefined {
  const time = (execution: GoalExecutionLike): number => {
    const ms = Date.parse(execution.creationTimestamp ?? '')
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms
  }
  let newest: GoalExecutionLike | undefined
  for (const execution of executions) {
    if (newest === undefined) {
      newest = execution
      continue
    }
    const [candidate, current] = [time(execution), time(newest)]
    if (candidate > current || (candidate === current && execution.name > newest.name)) newest = execution
  }
  return newest
}

/** Returns the timeout deadline in ms since the epoch, or undefined when there is none. */
function deadlineOf(goal: GoalReconcileTarget): number | undefined {
  if (goal.spec.timeout === undefined) return undefined
  const timeout = parseDuration(goal.spec.timeout)
  const created = Date.parse(goal.metadata.creationTimestamp ?? '')
  if (!timeout.ok || Number.isNaN(created)) return undefined
  return created + timeout.ms
}
