import { normalizeSubject } from '../controllers/check-reviewer.js'
import { subjectOf } from '../object-key.js'
import { specOf, stringsOf } from './internal/read-value.js'
import type { GateDiff, ReviewResourceLike } from './review-types.js'

/**
 * Compares who may decide a Gate in base and head (DECISIONS §5): the `spec.reviewers` entries
 * added and removed (compared with `normalizeSubject`, so `Alice` and `user:alice` are the same
 * entry) and the effective `requiredApprovers` (default 1; a non-integer counts as 1). Returns
 * undefined when a Gate present on both sides has the same reviewers and the same number of
 * required approvals, whatever else changed. An added or removed Gate always yields a diff. Pure.
 *
 * @example
 * ```ts
 * diffGate(baseGate, headGate)
 * // { subject: 'gate/default/release', action: 'changed', reviewers: { before: ['team:acme/sre'], after: ['team:acme/sre', 'user:bob'], added: ['user:bob'], removed: [] }, requiredApprovers: { before: 1, after: 2 } }
 * ```
 */
export function diffGate(base: ReviewResourceLike | undefined, head: ReviewResourceLike | undefined): GateDiff | undefined {
  const either = (head ?? base) as ReviewResourceLike
  const before = base === undefined ? undefined : readGate(base)
  const after = head === undefined ? undefined : readGate(head)
  const beforeReviewers = before?.reviewers ?? []
  const afterReviewers = after?.reviewers ?? []
  const added = missingFrom(afterReviewers, beforeReviewers)
  const removed = missingFrom(beforeReviewers, afterReviewers)
  if (before !== undefined && after !== undefined && added.length === 0 && removed.length === 0 && before.required === after.required) return undefined
  const action = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed'
  return {
    subject: subjectOf('Gate', either.namespace, either.name),
    namespace: either.namespace,
    name: either.name,
    action,
    reviewers: { before: beforeReviewers, after: afterReviewers, added, removed },
    requiredApprovers: {
      ...(before === undefined ? {} : { before: before.required }),
      ...(after === undefined ? {} : { after: after.required }),
    },
  }
}

/** Reads the reviewers and the effective required approvals of a Gate. */
function readGate(gate: ReviewResourceLike): { reviewers: string[]; required: number } {
  const spec = specOf(gate.value)
  const required = spec.requiredApprovers
  return { reviewers: stringsOf(spec.reviewers), required: Number.isInteger(required) ? (required as number) : 1 }
}

/** Lists the entries of `list` that `other` lacks, comparing normalized subjects. */
function missingFrom(list: readonly string[], other: readonly string[]): string[] {
  const known = new Set(other.map(normalizeSubject))
  return list.filter((entry) => !known.has(normalizeSubject(entry)))
}
