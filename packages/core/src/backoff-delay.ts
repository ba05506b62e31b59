/** The one retry policy shape: capped exponential backoff with full jitter (STYLE §4). */
export interface BackoffPolicy {
  /** The cap of the first retry's window, in ms; doubled after each further failure. */
  readonly baseMs: number
  /** The largest window, in ms. */
  readonly maxMs: number
  /** The shortest delay, in ms (default 0), so a retry never spins. */
  readonly minMs?: number
}

/**
 * Computes how long to wait before retry number `failures` (1 for the first retry): full jitter
 * over a capped exponential, `random() × min(maxMs, baseMs × 2^(failures − 1))`, at least
 * `minMs`. The one formula for every retry loop (agent rounds, status pushes, server controllers),
 * so writers that collided do not retry in step. Pure: `random` is handed in (a value in [0, 1)).
 *
 * @example
 * backoffDelay(3, { baseMs: 100, maxMs: 30_000 }, () => 0.5) // 200 (half of the 400 ms window)
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30)
  const window = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent)
  return Math.max(policy.minMs ?? 0, Math.floor(random() * window))
}
