import { findCondition, setCondition, type ConditionUpdate } from '../conditions.js'
import type { ExecutionDecision, GateResolution, GateStatus, ReviewAction } from '../model/generated.js'
import { capReviewHistory } from './cap-review-history.js'
import { checkReviewer, normalizeSubject, type ReviewRefusalReason, type ReviewerPolicy } from './check-reviewer.js'

/** A new review request (CLI, API or PR comment), bound to Executions and appended to `reviewHistory`. */
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
  /** The Execution the reviewer decides for; absent: every Execution waiting when it is processed. */
  readonly execution?: { readonly name: string; readonly uid: string }
  /** The run content digest the reviewer saw; absent: the waiting Execution's current one. */
  readonly digest?: string
  /** A reason the shell already decided the action cannot count (`Unsigned`, `NotAuthorized`, ...). */
  readonly refusal?: string
}

/** An Execution whose Gate node waits on the Gate, as the shell observes it. */
export interface WaitingExecution {
  readonly name: string
  readonly namespace: string
  readonly uid: string
  /** `status.runDigest` of the Execution: what an approval must name. */
  readonly digest: string
  /** Author of the change that created the Execution: never counted as its reviewer. */
  readonly changeAuthor?: string
}

/** The fields of a Gate that {@link decideGate} reads. */
export interface GateDecisionTarget {
  /** `generation` absent counts as 1, the value on create. */
  readonly metadata: { readonly generation?: number }
  readonly spec: { readonly reviewers?: readonly string[]; readonly requiredApprovers?: number }
  readonly status?: GateStatus
}

/** What {@link decideGate} observes. */
export interface GateObservation extends Omit<ReviewerPolicy, 'reviewers' | 'changeAuthor'> {
  readonly gate: GateDecisionTarget
  /** The Executions whose Gate node naming this Gate currently waits for a decision. */
  readonly waiting: readonly WaitingExecution[]
  /** New review requests, in arrival order. */
  readonly actions: readonly ReviewActionInput[]
  /** RFC 3339 time used for the resolution and condition transitions. */
  readonly now: string
}

/** A new approve or reject that was recorded but does not count, so the shell can answer its author. */
export interface GateRefusal {
  readonly reviewer: string
  readonly reason: ReviewRefusalReason
  /** The Execution it was bound to, when there was one. */
  readonly execution?: { readonly name: string; readonly uid: string }
  /** The action's `source`, to find the request it came from. */
  readonly source?: string
}

/** The outcome of {@link decideGate}. */
export interface GateDecisionResult {
  readonly status: GateStatus
  /** The new approve/reject actions that do not count, in input order. Comments are never refused. */
  readonly refused: readonly GateRefusal[]
}

/** The schema's limits on `resolution.actors` and `status.executions`. */
const ACTORS_MAX = 100
const EXECUTIONS_MAX = 100

/**
 * Decides a Gate for each Execution that reached it (DECISIONS §5 and §9: an approval counts for
 * one Execution and one content digest). Steps, all pure:
 * 1. **Entries.** Every Execution in `waiting` gets an entry in `status.executions` (recorded with
 *    its digest and change author the first time; a new digest under the same uid resets it).
 *    Decided entries of Executions that no longer wait stay as history; undecided ones go.
 * 2. **Binding.** Each new action is appended to `reviewHistory` once per Execution it decides
 *    for: the one it names, else every entry still `Waiting`. It counts (`counted: true`) unless
 *    the shell refused it, the Execution is not waiting (`NotWaiting`) or already decided for this
 *    generation (`AlreadyDecided`), or, in this order, the reviewer is the Execution's change author
 *    (`SelfApproval`), is not eligible (`NotEligible`), saw another generation (`StaleGeneration`)
 *    or another digest (`DigestMismatch`). Refused actions are recorded with `counted: false` and
 *    their `reason`, and returned in `refused`.
 * 3. **Decision**, level-based per entry over the whole history: a decision for the current
 *    generation is final; one for another generation is stale (the entry waits again, reason
 *    `SpecChanged`). While waiting, any counted rejection for the entry's uid and digest rejects;
 *    otherwise `requiredApprovers` (default 1) distinct counted approvers approve.
 * 4. **Summary.** `phase` is `Waiting` while any entry waits, else the latest decision (with its
 *    `resolution` and `decidedGeneration`), else `Pending`; the `Ready` condition says the same.
 *
 * Idempotent with no new actions and the same `waiting`.
 *
 * @example
 * ```ts
 * decideGate({ gate, waiting: [{ name: 'r1', namespace: 'default', uid: 'u1', digest }], teams: new Map(), writers: ['alice'], now,
 *   actions: [{ reviewer: 'user:alice', action: 'approve', timestamp: now, targetGeneration: 1, source: 'cli' }] })
 * // status.executions[0].phase === 'Approved'
 * ```
 */
export function decideGate(observation: GateObservation): GateDecisionResult {
  const { gate, now } = observation
  const generation = gate.metadata.generation ?? 1
  const previous: GateStatus = gate.status ?? {}
  const policyFor = (entry: ExecutionDecision): ReviewerPolicy => ({
    teams: observation.teams,
    ...(gate.spec.reviewers === undefined ? {} : { reviewers: gate.spec.reviewers }),
    ...(entry.changeAuthor === undefined ? {} : { changeAuthor: entry.changeAuthor }),
    ...(observation.writers === undefined ? {} : { writers: observation.writers }),
  })

  const entries = trackWaiting(previous.executions ?? [], observation.waiting)
  const active = new Set(observation.waiting.map((w) => w.uid))
  // Open: waiting for a decision on the current generation (stale decisions are re-opened).
  const isOpen = (entry: ExecutionDecision): boolean => active.has(entry.uid) && !(entry.phase !== 'Waiting' && entry.decidedGeneration === generation)
  const refused: GateRefusal[] = []
  const appended: ReviewAction[] = []
  for (const action of observation.actions) {
    for (const bound of bindAction(action, entries, isOpen, generation, policyFor)) {
      appended.push(bound)
      if (bound.counted === false && action.action !== 'comment') {
        refused.push({
          reviewer: action.reviewer,
          reason: bound.reason as ReviewRefusalReason,
          ...(bound.execution === undefined ? {} : { execution: bound.execution }),
          ...(action.source === undefined ? {} : { source: action.source }),
        })
      }
    }
  }
  const reviewHistory = capReviewHistory([...(previous.reviewHistory ?? []), ...appended], generation)
  const required = requiredApproversOf(gate.spec.requiredApprovers)
  let specChanged = false
  const decided = entries.map((entry) => {
    if (!isOpen(entry)) return entry
    const next = decideEntry(entry, reviewHistory, generation, required, policyFor(entry), now)
    if (entry.decidedGeneration !== undefined && next.phase === 'Waiting') specChanged = true
    return next
  })
  const executions = capExecutions(decided)
  return { status: summarize(previous, executions, reviewHistory, generation, specChanged, now), refused }
}

/** Adds an entry for each newly waiting Execution and drops undecided entries nobody waits on any more. */
function trackWaiting(previous: readonly ExecutionDecision[], waiting: readonly WaitingExecution[]): ExecutionDecision[] {
  const byUid = new Map(waiting.map((w) => [w.uid, w]))
  const kept = previous.flatMap((entry): ExecutionDecision[] => {
    const now = byUid.get(entry.uid)
    if (now === undefined) return entry.phase === 'Waiting' ? [] : [entry]
    byUid.delete(entry.uid)
    // A run keeps its digest; a different one means a different run under the same uid: decide it anew.
    return now.digest === entry.digest ? [entry] : [newEntry(now)]
  })
  return [...kept, ...[...byUid.values()].map(newEntry)]
}

function newEntry(w: WaitingExecution): ExecutionDecision {
  return { name: w.name, namespace: w.namespace, uid: w.uid, digest: w.digest, ...(w.changeAuthor === undefined ? {} : { changeAuthor: w.changeAuthor }), phase: 'Waiting' }
}

/** The history entries one action makes: one per Execution it decides for, each counted or refused. */
function bindAction(
  action: ReviewActionInput,
  entries: readonly ExecutionDecision[],
  isOpen: (entry: ExecutionDecision) => boolean,
  generation: number,
  policyFor: (entry: ExecutionDecision) => ReviewerPolicy,
): ReviewAction[] {
  const base = toReviewAction(action)
  const named = action.execution
  const targets = named === undefined ? entries.filter(isOpen) : entries.filter((entry) => entry.uid === named.uid)
  if (targets.length === 0) {
    const reason = action.refusal ?? 'NotWaiting'
    return [{ ...base, ...(named === undefined ? {} : { execution: named }), ...(action.digest === undefined ? {} : { digest: action.digest }), counted: false, reason }]
  }
  return targets.map((entry) => {
    const digest = action.digest ?? entry.digest
    const bound = { ...base, execution: { name: entry.name, uid: entry.uid }, digest }
    if (action.action === 'comment') return bound
    const reason =
      action.refusal ??
      (isOpen(entry) ? undefined : 'AlreadyDecided') ??
      checkReviewer(action.reviewer, policyFor(entry)) ??
      (action.targetGeneration === generation ? undefined : 'StaleGeneration') ??
      (digest === entry.digest ? undefined : 'DigestMismatch')
    return reason === undefined ? { ...bound, counted: true } : { ...bound, counted: false, reason }
  })
}

/** Decides one open entry, level-based over the history (step 3 of {@link decideGate}). */
function decideEntry(
  entry: ExecutionDecision,
  history: readonly ReviewAction[],
  generation: number,
  required: number,
  policy: ReviewerPolicy,
  now: string,
): ExecutionDecision {
  const identity = { name: entry.name, namespace: entry.namespace, uid: entry.uid, digest: entry.digest, ...(entry.changeAuthor === undefined ? {} : { changeAuthor: entry.changeAuthor }) }
  const counted = history.filter(
    (action) =>
      action.execution?.uid === entry.uid &&
      action.digest === entry.digest &&
      action.counted === true &&
      action.targetGeneration === generation &&
      checkReviewer(action.reviewer, policy) === undefined,
  )
  const rejecters = distinctReviewers(counted.filter((action) => action.action === 'reject'))
  const approvers = distinctReviewers(counted.filter((action) => action.action === 'approve'))
  const firstReject = rejecters[0]
  if (firstReject !== undefined) {
    const resolution: GateResolution = {
      outcome: 'rejected',
      timestamp: now,
      actors: rejecters.slice(0, ACTORS_MAX).map((action) => action.reviewer),
      ...(firstReject.comment === undefined ? {} : { comment: firstReject.comment }),
    }
    return { ...identity, phase: 'Rejected', resolution, decidedGeneration: generation, message: decidedMessage(resolution) }
  }
  if (approvers.length >= required) {
    const resolution: GateResolution = { outcome: 'approved', timestamp: now, actors: approvers.slice(0, ACTORS_MAX).map((action) => action.reviewer) }
    return { ...identity, phase: 'Approved', resolution, decidedGeneration: generation, message: decidedMessage(resolution) }
  }
  return { ...identity, phase: 'Waiting', message: `${approvers.length} of ${required} required approvals for generation ${generation}` }
}

/** Keeps at most {@link EXECUTIONS_MAX} entries: the waiting ones first, then the newest decisions. */
function capExecutions(entries: readonly ExecutionDecision[]): ExecutionDecision[] {
  const waiting = entries.filter((entry) => entry.phase === 'Waiting')
  const decided = entries.filter((entry) => entry.phase !== 'Waiting')
  return [...waiting, ...decided.slice(Math.max(0, decided.length - (EXECUTIONS_MAX - waiting.length)))].slice(0, EXECUTIONS_MAX)
}

/** The Gate-level summary of the per-Execution decisions (step 4 of {@link decideGate}). */
function summarize(
  previous: GateStatus,
  executions: readonly ExecutionDecision[],
  reviewHistory: ReviewAction[],
  generation: number,
  specChanged: boolean,
  now: string,
): GateStatus {
  const write = (phase: NonNullable<GateStatus['phase']>, ready: Omit<ConditionUpdate, 'type' | 'observedGeneration'>, decision?: { resolution: GateResolution; decidedGeneration: number }): GateStatus => ({
    phase,
    ...(executions.length === 0 ? {} : { executions: [...executions] }),
    reviewHistory,
    ...decision,
    conditions: setCondition(previous.conditions, { type: 'Ready', ...ready, observedGeneration: generation }, now),
    observedGeneration: generation,
  })
  const waiting = executions.filter((entry) => entry.phase === 'Waiting')
  if (waiting.length > 0) {
    const previousReady = findCondition(previous.conditions, 'Ready')
    const stillChanged = specChanged || (previousReady?.reason === 'SpecChanged' && previousReady.observedGeneration === generation)
    const counts = waiting.map((entry) => `${entry.name}: ${entry.message as string}`).join('; ')
    const why = stillChanged ? `The spec changed to generation ${generation} after the gate was decided; waiting` : 'Waiting'
    return write('Waiting', { status: 'False', reason: stillChanged ? 'SpecChanged' : 'AwaitingApproval', message: `${why} for a decision (${counts})`.slice(0, 32_768) })
  }
  const latest = executions.reduce<ExecutionDecision | undefined>((best, entry) => (best === undefined || (entry.resolution as GateResolution).timestamp >= (best.resolution as GateResolution).timestamp ? entry : best), undefined)
  if (latest === undefined) return write('Pending', { status: 'False', reason: 'GateCreated', message: 'Waiting for an Execution to reach the gate' })
  const resolution = latest.resolution as GateResolution
  const ready = resolution.outcome === 'approved' ? { status: 'True' as const, reason: 'Approved' } : { status: 'False' as const, reason: 'Rejected' }
  return write(latest.phase, { ...ready, message: `${decidedMessage(resolution)} for ${latest.name}` }, { resolution, decidedGeneration: latest.decidedGeneration as number })
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

/** Who decided, for messages: `Approved by user:a, user:b`. */
function decidedMessage(resolution: GateResolution): string {
  const actors = resolution.actors ?? []
  return `${resolution.outcome === 'approved' ? 'Approved' : 'Rejected'}${actors.length === 0 ? '' : ` by ${actors.join(', ')}`}`
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
