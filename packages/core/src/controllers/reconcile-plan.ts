import { setCondition } from '../conditions.js'
import type { PlanStatus } from '../model/generated.js'
import { truncateText } from './internal/truncate-text.js'

/** One validator finding, as the shell passes it in (only `code` and `message` are read). */
export interface ValidationIssueLike {
  readonly code: string
  readonly message: string
}

/** The fields of a Plan that {@link reconcilePlan} reads. */
export interface PlanReconcileTarget {
  readonly spec: {
    readonly graph: { readonly nodes: readonly unknown[] }
    readonly graphDigest?: string
  }
  readonly status?: PlanStatus
}

/** What {@link reconcilePlan} observes. */
export interface PlanObservation {
  readonly plan: PlanReconcileTarget
  /** `metadata.generation` of the plan; written to every `observedGeneration`. */
  readonly generation: number
  /** The validator's error findings for this plan (warnings excluded by the caller); empty when valid. */
  readonly validationIssues: readonly ValidationIssueLike[]
  /** The digest the shell computed over the canonical graph JSON; when absent, `spec.graphDigest` is not checked. */
  readonly graphDigestActual?: string
  /** RFC 3339 time used for condition transitions. */
  readonly now: string
}

/** The outcome of {@link reconcilePlan}. */
export interface PlanReconcileResult {
  readonly status: PlanStatus
}

/** The schema's limit on a condition message (RESOURCES 0.7). */
const CONDITION_MESSAGE_MAX = 32_768

/** How many issues the `Valid` condition message lists before summarising the rest. */
export const PLAN_ISSUES_IN_MESSAGE = 3

/**
 * Reconciles a Plan's status (RESOURCES 2.2): phase `Ready` with `Valid=True` (reason `SchemaValid`)
 * when the validator found no errors and the graph digest, if both declared and computed, matches;
 * otherwise phase `Invalid` with `Valid=False`, reason `ValidationFailed` (the message lists the
 * first {@link PLAN_ISSUES_IN_MESSAGE} issues as `CODE: message` and counts the rest) or
 * `GraphDigestMismatch` (validation issues take precedence). `nodeCount` is the number of nodes in
 * `spec.graph.nodes`; `observedGeneration` is `generation`. Other condition types are kept.
 *
 * Level-based and idempotent: the result depends on the observation only, never on the previous
 * phase, so `Invalid` goes back to `Ready` once the plan is fixed.
 *
 * @example
 * ```ts
 * reconcilePlan({ plan, generation: 2, validationIssues: [], now: '2025-03-01T12:00:00Z' }).status
 * // { phase: 'Ready', nodeCount: 4, observedGeneration: 2, conditions: [{ type: 'Valid', status: 'True', reason: 'SchemaValid', … }] }
 * ```
 */
export function reconcilePlan(observation: PlanObservation): PlanReconcileResult {
  const { plan, generation, validationIssues, graphDigestActual, now } = observation
  const declared = plan.spec.graphDigest
  const digestMismatch = declared !== undefined && graphDigestActual !== undefined && declared !== graphDigestActual
  const valid = validationIssues.length === 0 && !digestMismatch

  let update
  if (validationIssues.length > 0) {
    update = { status: 'False', reason: 'ValidationFailed', message: issuesMessage(validationIssues) } as const
  } else if (digestMismatch) {
    const message = `spec.graphDigest ${declared} does not match the digest of the graph, ${graphDigestActual}`
    update = { status: 'False', reason: 'GraphDigestMismatch', message } as const
  } else {
    const verified = declared !== undefined && graphDigestActual !== undefined
    const message = verified ? 'The plan passed validation and its graph digest matches' : 'The plan passed validation'
    update = { status: 'True', reason: 'SchemaValid', message } as const
  }

  const conditions = setCondition(plan.status?.conditions, { type: 'Valid', ...update, observedGeneration: generation }, now)
  return {
    status: {
      phase: valid ? 'Ready' : 'Invalid',
      nodeCount: plan.spec.graph.nodes.length,
      conditions,
      observedGeneration: generation,
    },
  }
}

/** Summarises validator issues for the `Valid` condition: the first few, then a count. */
function issuesMessage(issues: readonly ValidationIssueLike[]): string {
  const shown = issues.slice(0, PLAN_ISSUES_IN_MESSAGE).map((issue) => `${issue.code}: ${issue.message}`)
  const rest = issues.length - shown.length
  const noun = issues.length === 1 ? 'issue' : 'issues'
  const more = rest > 0 ? `; and ${rest} more` : ''
  return truncateText(`${issues.length} validation ${noun}: ${shown.join('; ')}${more}`, CONDITION_MESSAGE_MAX)
}
