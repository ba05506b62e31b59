import type { Lease, LeaseOptions } from './lease-document.js'
import { takeLease } from './lease-decisions.js'
import { changeLease } from './internal/change-lease.js'

/** A lease as held after a successful call, and the status head that holds it. */
export interface LeaseResult {
  readonly lease: Lease
  readonly commit: string
}

/**
 * Takes the lease of an Execution for `holder` until `now + durationMs` (DECISIONS §6: many
 * agents, one runner per Execution), as {@link takeLease} decides: free, expired or released
 * leases are taken (the epoch grows by one); a live lease of the same holder is extended; a live
 * lease of another holder throws `LeaseHeldError` (`PLANSPEC_ERR_GIT_LEASE_HELD`, `data.holder`,
 * `data.expiresAt`). The write goes through the status branch's compare-and-swap push, so of two
 * racing holders exactly one wins.
 *
 * @example
 * const { lease } = await acquireLease({ fs, http, dir, url, execution: { namespace: 'default', name: 'run-1' }, holder: 'agent-a' })
 */
export async function acquireLease(options: LeaseOptions): Promise<LeaseResult> {
  const duration = options.durationMs ?? 60_000
  const { result, head } = await changeLease(options, 'acquire', (current, now) => {
    const lease = takeLease(current, { ...options.execution, holder: options.holder }, now, duration)
    return { next: lease, result: lease }
  })
  return { lease: result, commit: head! }
}
