import type { StoredResource } from '@planspec/engine'
import type { Diagnostic } from '@planspec/core'
import { canonicalJson } from '@planspec/validator'
import { invalid, toCause, validateOne } from './admit-object.js'
import type { ValidationService } from '../validation/validation-pool.js'
import type { StatusCause } from './error-catalog.js'
import type { KindEntry } from './kinds.js'

/** The annotation a retry request sets on an Execution (value: the RFC 3339 time of the request). */
export const RETRY_ANNOTATION = 'planspec.io/retry'
/** The annotation a retry request sets when it names the nodes to re-open (comma-separated ids). */
export const RETRY_NODES_ANNOTATION = 'planspec.io/retry-nodes'
/** The annotation a cancel request sets on an Execution (value `"true"`). */
export const CANCEL_ANNOTATION = 'planspec.io/cancel'
/**
 * The prefix of the annotations that complete claimable work (`human://`, `agent://`): one per
 * node, `planspec.io/complete.<node>`, whose value is the JSON `{ outputs?, failed?, message?, by, at }`.
 */
export const COMPLETE_ANNOTATION_PREFIX = 'planspec.io/complete.'
/**
 * The prefix of the annotations that claim claimable work: one per node, `planspec.io/claim.<node>`,
 * whose value is the JSON `{ by, at, via? }` of the first claim (it holds the node).
 */
export const CLAIM_ANNOTATION_PREFIX = 'planspec.io/claim.'

type Status = Record<string, unknown>

/**
 * Validates a status written through the status subresource, against the stored object. Throws a
 * 422 `ApiError` listing every problem:
 * - schema findings under `/status` (enums, shapes, the Gate invariants of RESOURCES 6.3), from
 *   `diagnostics`: the validator's findings on the stored object with this status (run off the
 *   event loop by the caller, {@link statusDiagnostics});
 * - `observedGeneration` (of the status or of a condition) ahead of `metadata.generation` (M4, M5);
 * - a terminal phase left: Goal `Succeeded`/`Cancelled`, Execution `Succeeded`/`Cancelled`, and
 *   Execution `Failed` unless a retry was requested after it failed (annotation
 *   `planspec.io/retry` newer than `completionTime`), Goal `Failed` except to `Executing`;
 * - for Gates: the decision (`resolution`, `decidedGeneration`, phase `Approved`/`Rejected`) and
 *   `reviewHistory` change only through the approve and reject routes; a decision for an older
 *   generation may be cleared back to `Waiting`.
 */
export function admitStatus(stored: StoredResource, status: unknown, entry: KindEntry, diagnostics: readonly Diagnostic[]): void {
  const name = stored.metadata.name
  if (status === null || typeof status !== 'object' || Array.isArray(status)) {
    throw invalid(entry, name, [{ reason: 'FieldValueRequired', message: 'status must be an object', field: 'status' }])
  }
  const next = status as Status
  const previous = (stored.status ?? {}) as Status
  const generation = stored.metadata.generation ?? 1
  const causes: StatusCause[] = diagnostics
    .filter((d) => d.severity === 'error' && (d.path === '/status' || d.path.startsWith('/status/')))
    .map(toCause)
  if (typeof next.observedGeneration === 'number' && next.observedGeneration > generation) {
    causes.push({ reason: 'FieldValueInvalid', message: `observedGeneration ${next.observedGeneration} is ahead of metadata.generation ${generation}`, field: 'status.observedGeneration' })
  }
  const conditions = Array.isArray(next.conditions) ? (next.conditions as { observedGeneration?: unknown }[]) : []
  conditions.forEach((condition, index) => {
    if (typeof condition?.observedGeneration === 'number' && condition.observedGeneration > generation) {
      causes.push({ reason: 'FieldValueInvalid', message: `observedGeneration ${condition.observedGeneration} is ahead of metadata.generation ${generation}`, field: `status.conditions[${index}].observedGeneration` })
    }
  })
  causes.push(...transitionProblems(stored, previous, next, generation))
  if (causes.length > 0) throw invalid(entry, name, causes)
}

function transitionProblems(stored: StoredResource, previous: Status, next: Status, generation: number): StatusCause[] {
  const from = typeof previous.phase === 'string' ? previous.phase : undefined
  const to = typeof next.phase === 'string' ? next.phase : undefined
  const forbidden = (message: string, field = 'status.phase'): StatusCause[] => [{ reason: 'FieldValueForbidden', message, field }]
  const leaves = from !== undefined && to !== from
  switch (stored.kind) {
    case 'Goal':
      if (leaves && (from === 'Succeeded' || from === 'Cancelled')) return forbidden(`phase ${from} is terminal`)
      if (leaves && from === 'Failed' && to !== 'Executing') return forbidden('a Failed goal may only move to Executing (a new Execution started)')
      return []
    case 'Execution':
      if (leaves && (from === 'Succeeded' || from === 'Cancelled')) return forbidden(`phase ${from} is terminal`)
      if (leaves && from === 'Failed' && !retryRequested(stored, previous)) return forbidden('phase Failed is terminal unless a retry was requested (POST .../retry)')
      return []
    case 'Gate':
      return gateProblems(previous, next, from, to, generation)
    default:
      return []
  }
}

function retryRequested(stored: StoredResource, previous: Status): boolean {
  const requested = Date.parse(stored.metadata.annotations?.[RETRY_ANNOTATION] ?? '')
  const failed = Date.parse(typeof previous.completionTime === 'string' ? previous.completionTime : '')
  return Number.isFinite(requested) && (!Number.isFinite(failed) || requested >= failed)
}

function gateProblems(previous: Status, next: Status, from: string | undefined, to: string | undefined, generation: number): StatusCause[] {
  const causes: StatusCause[] = []
  const same = (field: string): boolean => canonicalJson(previous[field] ?? null) === canonicalJson(next[field] ?? null)
  if (!same('reviewHistory')) causes.push({ reason: 'FieldValueForbidden', message: 'reviewHistory is an append-only audit trail written by the approve and reject routes', field: 'status.reviewHistory' })
  // The per-Execution verdicts are what Gate nodes run on: only approve/reject and the Gate controller write them.
  if (!same('executions')) causes.push({ reason: 'FieldValueForbidden', message: 'the decisions per Execution change only through POST .../approve and .../reject', field: 'status.executions' })
  const decided = (phase: string | undefined): boolean => phase === 'Approved' || phase === 'Rejected'
  const staleDecision = decided(from) && previous.decidedGeneration !== generation
  const clearsStale = staleDecision && to === 'Waiting' && next.resolution === undefined && next.decidedGeneration === undefined
  if (!clearsStale && (!same('resolution') || !same('decidedGeneration'))) {
    causes.push({ reason: 'FieldValueForbidden', message: 'a Gate is decided only through POST .../approve and .../reject', field: 'status.resolution' })
  }
  if (decided(to) && to !== from) causes.push({ reason: 'FieldValueForbidden', message: `a Gate becomes ${to} only through POST .../approve and .../reject`, field: 'status.phase' })
  if (decided(from) && to !== from && !clearsStale) causes.push({ reason: 'FieldValueForbidden', message: `phase ${from} is terminal for generation ${String(previous.decidedGeneration)}`, field: 'status.phase' })
  return causes
}

/** Validates the stored object with a new status in the validation workers: the findings {@link admitStatus} reads. */
export async function statusDiagnostics(validation: ValidationService, stored: StoredResource, status: unknown): Promise<readonly Diagnostic[]> {
  if (status === null || typeof status !== 'object' || Array.isArray(status)) return []
  return validateOne(validation, { ...stored, status })
}
