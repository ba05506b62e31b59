import { describe, expect, it } from 'vitest'
import { REVIEW_HISTORY_MAX, capReviewHistory } from '../../src/controllers/cap-review-history.js'
import type { ReviewAction } from '../../src/model/generated.js'

const entry = (i: number, action: ReviewAction['action'], targetGeneration = 2): ReviewAction => ({
  reviewer: `user:r${i}`,
  action,
  timestamp: '2025-03-01T12:00:00Z',
  targetGeneration,
})

describe('capReviewHistory', () => {
  it('keeps a history within the limit unchanged', () => {
    const history = [entry(1, 'comment'), entry(2, 'approve')]
    const capped = capReviewHistory(history, 2)
    expect(capped).toEqual(history)
    expect(capped).not.toBe(history)
  })

  it('drops the oldest comments first', () => {
    const history = [entry(0, 'approve'), ...Array.from({ length: REVIEW_HISTORY_MAX }, (_, i) => entry(i + 1, 'comment'))]
    const capped = capReviewHistory(history, 2)
    expect(capped).toHaveLength(REVIEW_HISTORY_MAX)
    expect(capped[0]).toEqual(entry(0, 'approve'))
    expect(capped[1]).toEqual(entry(2, 'comment'))
  })

  it('then drops the oldest stale approvals and rejections', () => {
    const history = [entry(0, 'approve', 1), entry(1, 'reject', 1), ...Array.from({ length: REVIEW_HISTORY_MAX - 1 }, (_, i) => entry(i + 2, 'approve'))]
    const capped = capReviewHistory(history, 2)
    expect(capped).toHaveLength(REVIEW_HISTORY_MAX)
    expect(capped[0]).toEqual(entry(1, 'reject', 1))
  })

  it('then drops the oldest entries of the current generation', () => {
    const history = Array.from({ length: REVIEW_HISTORY_MAX + 2 }, (_, i) => entry(i, 'approve'))
    const capped = capReviewHistory(history, 2)
    expect(capped[0]).toEqual(entry(2, 'approve'))
    expect(capped.at(-1)).toEqual(entry(REVIEW_HISTORY_MAX + 1, 'approve'))
  })

  it('is idempotent', () => {
    const history = Array.from({ length: REVIEW_HISTORY_MAX + 50 }, (_, i) => entry(i, i % 3 === 0 ? 'comment' : 'approve', i % 2))
    const once = capReviewHistory(history, 1)
    expect(capReviewHistory(once, 1)).toEqual(once)
  })
})
