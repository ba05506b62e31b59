import type { ReviewAction } from '../model/generated.js'

/** The schema's limit on `status.reviewHistory` (RESOURCES 6.3). */
export const REVIEW_HISTORY_MAX = 1000

/**
 * Caps a Gate's review history at {@link REVIEW_HISTORY_MAX} entries, keeping the audit trail
 * that matters longest. When there are too many entries, it drops, oldest first: (1) comments,
 * which never count toward a decision; then (2) approvals and rejections whose
 * `targetGeneration` is not `generation`, which are stale and no longer count; then (3) the
 * oldest remaining entries. Kept entries keep their order. The input is not mutated; a list
 * already within the limit is returned as an equal copy, so capping is idempotent.
 *
 * @example
 * ```ts
 * capReviewHistory(history, 3).length // at most 1000
 * ```
 */
export function capReviewHistory(history: readonly ReviewAction[], generation: number): ReviewAction[] {
  const excess = history.length - REVIEW_HISTORY_MAX
  if (excess <= 0) return [...history]
  const comments: number[] = []
  const stale: number[] = []
  const rest: number[] = []
  history.forEach((entry, index) => {
    if (entry.action === 'comment') comments.push(index)
    else if (entry.targetGeneration !== generation) stale.push(index)
    else rest.push(index)
  })
  const dropped = new Set([...comments, ...stale, ...rest].slice(0, excess))
  return history.filter((_, index) => !dropped.has(index))
}
