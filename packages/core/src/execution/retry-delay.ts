import type { RetryPolicy } from './execution-types.js'

/**
 * Computes the backoff before the attempt after `attempt` failed: `min(capMs, baseMs ·
 * factor^(attempt-1))`, scaled by `jitter` in [0, 1) (full jitter) and rounded down. A jitter
 * outside [0, 1) is clamped, so the delay never exceeds the cap.
 *
 * @example
 * ```ts
 * retryDelay({ baseMs: 10_000, factor: 2, capMs: 600_000 }, 3, 0.5) // 20_000
 * ```
 */
export function retryDelay(policy: RetryPolicy, attempt: number, jitter: number): number {
  const exponential = policy.baseMs * policy.factor ** Math.max(0, attempt - 1)
  const delay = Math.min(policy.capMs, exponential)
  const scale = Math.min(1, Math.max(0, jitter))
  return Math.floor(delay * scale)
}
