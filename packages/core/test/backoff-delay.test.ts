import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../src/backoff-delay.js'

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 1000 }
  it('doubles the window after each failure, up to the cap', () => {
    const top = (failures: number): number => backoffDelay(failures, policy, () => 0.999_999)
    expect([1, 2, 3, 4, 5, 40].map(top)).toEqual([99, 199, 399, 799, 999, 999])
  })
  it('spreads retries over the whole window (full jitter) and keeps the floor', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0)
    expect(backoffDelay(3, { ...policy, minMs: 50 }, () => 0)).toBe(50)
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200)
  })
  it('treats a count below one as the first retry', () => {
    expect(backoffDelay(0, policy, () => 0.5)).toBe(50)
  })
})
