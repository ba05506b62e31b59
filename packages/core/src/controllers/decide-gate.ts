import { findCondition, setCondition, type ConditionUpdate } from '../conditions.js'
import type { GateResolution, GateStatus, ReviewAction } from '../model/generated.js'
import { capReviewHistory } from './cap-review-history.js'
import { checkReviewer, normalizeSubject, type ReviewRefusalReason, type ReviewerPolicy } from './check-reviewer.js'

/** A new review request (CLI, API or PR comment), appended to `reviewHistory` as given. */
export interface ReviewActionInput {
  /** Who acted, with the `reviewers` prefix convention (`user:alice`); a bare login is read as `user:`. */
  readonly reviewer: string
  readonly action: 'approve' | 'reject' | 'comment'
  /** RFC 3339 time of the action. */
  readonly timestamp: string
  readonly comment?: string
  /** The Gate spec generation the reviewer saw; any other value is stale. */
  readonly targetGeneration: number
  /** Where the action came from: `cli`, `api` or a pull-request comment URL. */
  readonly source?: string
}

/** The fields of a Gate that {@link decideGate} reads. */
export interface GateDecisionTarget {
  /** `generation` absent counts as 1, the value on create. */
  readonly metadata: { readonly generation?: number }
  readonly spec: { readonly reviewers?: readonly string[]; readonly requiredApprovers?: number }
  readonly status?: GateStatus
}

/** What {@link decideGate} observes. */
export interface GateObservation extends Omit<ReviewerPolicy, 'reviewers'> {
  readonly gate: GateDecisionTarget
  /** Whether an Execution reached a Gate node whose `gateRef` names this Gate. */
  readonly activated: boolean
  /** New review requests, in arrival order. */
  readonly actions: readonly ReviewActionInput[]
  /** RFC 3339 time used for the resolution and condition transitions. */
  readonly now: string
}

/** A new approve or reject that was recorded but does not count, so the shell can answer its author. */
export interface GateRefusal {
  readonly reviewer: string
  readonly reason: ReviewRefusalReason
}

/** The outcome of {@link decideGate}. */
export interface GateDecisionResult {
  readonly status: GateStatus
  /** The new approve/reject actions that do not count, in input order. Comments are never refused. */
  readonly refused: readonly GateRefusal[]
}

/** The schema's limit on `resolution.actors`. */
const ACTORS_MAX = 100

/**
 * Decides a Gate (DECISIONS §5, RESOURCES 6.3–6.4). New `actions` are appended to `reviewHistory`
 * (capped by `capReviewHistory`); then, level-based over the whole history:
 * - A decision whose `decidedGeneration` is the current generation is final: the phase stays
 *   `Approved` or `Rejected` (`Ready` True/False, reason `Approved`/`Rejected`).
 * - A decision for another generation is stale: `resolution` and `decidedGeneration` are removed
 *   and the Gate is `Waiting` with `Ready=False`, reason `SpecChanged`, kept (with the approval
 *   count in its message) until the Gate is decided again or the generation moves on.
 * - `Pending` becomes `Waiting` when `activated`; until then actions are only recorded.
 * - While `Waiting`, only approvals and rejections that target the current generation and whose
 *   reviewer passes `checkReviewer` count. Any counted rejection → `Rejected`; otherwise at least
 *   `requiredApprovers` (default 1) distinct counted approvers → `Approved`. Rejection wins when
 *   both arrive in the same round. `resolution` (`timestamp = now`, `actors` = the distinct
 *   deciding reviewers, at most 100; a rejection carries the first rejecter's comment) and
 *   `decidedGeneration` are written together with the phase, so the three invariants always
 *   hold. Otherwise `Ready=False`, reason `AwaitingApproval`, counting approvals.
 *
 * `refused` lists each new approve/reject that cannot count: `SelfApproval`, `NotEligible`, then
 * `StaleGeneration`, checked in that order. Idempotent with no new actions.
 *
 * @example
 * ```ts
 * decideGate({ gate, activated: true, teams: new Map(), writers: ['alice'], now,
 *   actions: [{ reviewer: 'user:alice', action: 'approve', timestamp: now, targetGeneration: 1, source: 'cli' }] })
 * // { status: { phase: 'Approved', decidedGeneration: 1, resolution: { outcome: 'approved', actors: ['user:alice'], … }, … }, refused: [] }
 * ```
 */
export function decideGate(observation: GateObservation): GateDecisionResult {
  const { gate, now } = observation
  const generation = gate.metadata.generation ?? 1
  const policy: ReviewerPolicy = {
    teams: observation.teams,
    ...(gate.spec.reviewers === undefined ? {} : { reviewers: gate.spec.reviewers }),
    ...(observation.changeAuthor === undefined ? {} : { changeAuthor: observation.changeAuthor }),
    ...(observation.writers === undefined ? {} : { writers: observation.writers }),
  }
  const previous: GateStatus = gate.status ?? {}
  const appended = observation.actions.map(toReviewAction)
  const reviewHistory = capReviewHistory([...(previous.reviewHistory ?? []), ...appended], generation)
  const refused = observation.actions.flatMap((action): GateRefusal[] => {
    if (action.action === 'comment') return []
    const reason = checkReviewer(action.reviewer, policy) ?? (action.targetGeneration === generation ? undefined : 'StaleGeneration')
    return reason === undefined ? [] : [{ reviewer: action.reviewer, reason }]
  })
  const write = (
    phase: NonNullable<GateStatus['phase']>,
    ready: Omit<ConditionUpdate, 'type' | 'observedGeneration'>,
    decision: { resolution: GateResolution; decidedGeneration: number } | undefined,
  ): GateDecisionResult => {
    const conditions = setCondition(previous.conditions, { type: 'Ready', ...ready, observedGeneration: generation }, now)
    return { status: { phase, reviewHistory, ...decision, conditions, observedGeneration: generation }, refused }
  }

  const decision = validDecision(previous)
  if (decision !== undefined && decision.decidedGeneration === generation) {
    return write(decision.phase, readyForDecision(decision.resolution), decision)
  }
  const staleFrom = decision?.decidedGeneration
  if (staleFrom === undefined && (previous.phase ?? 'Pending') === 'Pending' && !observation.activated) {
    return write('Pending', { status: 'False', reason: 'GateCreated', message: 'Waiting for an Execution to reach the gate' }, undefined)
  }

  const counted = reviewHistory.filter(
    (entry) => entry.targetGeneration === generation && checkReviewer(entry.reviewer, policy) === undefined,
  )
  const rejecters = distinctReviewers(counted.filter((entry) => entry.action === 'reject'))
  const approvers = distinctReviewers(counted.filter((entry) => entry.action === 'approve'))
  const required = requiredApproversOf(gate.spec.requiredApprovers)
  const firstReject = rejecters[0]
  if (firstReject !== undefined) {
    const resolution: GateResolution = {
      outcome: 'rejected',
      timestamp: now,
      actors: rejecters.slice(0, ACTORS_MAX).map((entry) => entry.reviewer),
      ...(firstReject.comment === undefined ? {} : { comment: firstReject.comment }),
    }
    return write('Rejected', readyForDecision(resolution), { resolution, decidedGeneration: generation })
  }
  if (approvers.length >= required) {
    const resolution: GateResolution = {
      outcome: 'approved',
      timestamp: now,
      actors: approvers.slice(0, ACTORS_MAX).map((entry) => entry.reviewer),
    }
    return write('Approved', readyForDecision(resolution), { resolution, decidedGeneration: generation })
  }

  const counts = `${approvers.length} of ${required} required approvals for generation ${generation}`
  const previousReady = findCondition(previous.conditions, 'Ready')
  const specChanged =
    staleFrom !== undefined || (previousReady?.reason === 'SpecChanged' && previousReady.observedGeneration === generation)
  if (specChanged) {
    const message = `The spec changed to generation ${generation} after the gate was decided; the decision was cleared. ${counts}`
    return write('Waiting', { status: 'False', reason: 'SpecChanged', message }, undefined)
  }
  return write('Waiting', { status: 'False', reason: 'AwaitingApproval', message: counts }, undefined)
}

/** Copies a request into the audit trail's shape, leaving out absent optional fields. */
function toReviewAction(input: ReviewActionInput): ReviewAction {
  return {
    reviewer: input.reviewer,
    action: input.action,
    timestamp: input.timestamp,
    ...(input.comment === undefined ? {} : { comment: input.comment }),
    targetGeneration: input.targetGeneration,
    ...(input.source === undefined ? {} : { source: input.source }),
  }
}

/** Returns the decision a status holds when it satisfies the three invariants, else undefined. */
function validDecision(
  status: GateStatus,
): { phase: 'Approved' | 'Rejected'; resolution: GateResolution; decidedGeneration: number } | undefined {
  const { phase, resolution, decidedGeneration } = status
  if (resolution === undefined || decidedGeneration === undefined) return undefined
  if (phase === 'Approved' && resolution.outcome === 'approved') return { phase, resolution, decidedGeneration }
  if (phase === 'Rejected' && resolution.outcome === 'rejected') return { phase, resolution, decidedGeneration }
  return undefined
}

/** The `Ready` condition of a decided Gate. */
function readyForDecision(resolution: GateResolution): Omit<ConditionUpdate, 'type' | 'observedGeneration'> {
  const actors = resolution.actors ?? []
  const by = actors.length === 0 ? '' : ` by ${actors.join(', ')}`
  return resolution.outcome === 'approved'
    ? { status: 'True', reason: 'Approved', message: `Approved${by}` }
    : { status: 'False', reason: 'Rejected', message: `Rejected${by}` }
}

/** Keeps the first action of each distinct reviewer (by normalized subject), in order. */
function distinctReviewers(actions: readonly ReviewAction[]): ReviewAction[] {
  const seen = new Set<string>()
  return actions.filter((action) => {
    const subject = normalizeSubject(action.reviewer)
    if (seen.has(subject)) return false
    seen.add(subject)
    return true
  })
}

/** `requiredApprovers`, defaulting to 1; values below 1 or not finite count as 1, fractions round up. */
function requiredApproversOf(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.ceil(value) : 1
}

