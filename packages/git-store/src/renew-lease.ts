import type { LeaseResult } from './acquire-lease.js'
import { renewedLease } from './lease-decisions.js'
import { changeLease } from './internal/change-lease.js'
import type { LeaseOptions } from './lease-document.js'

/**
 * Extends the lease `holder` holds to `now + durationMs`, as {@link renewedLease} decides. Throws
 * `LeaseLostError` (`PLANSPEC_ERR_GIT_LEASE_LOST`) when the lease is held by someone else, was
 * released, or has another `epoch` than the one given (it was lost and taken again meanwhile).
 * An expired lease nobody took over is renewed.
 *
 * @example
 * await renewLease({ fs, http, dir, url, execution, holder: 'agent-a', epoch: lease.epoch })
 */
export async function renewLease(options: LeaseOptions & { readonly epoch?: number }): Promise<LeaseResult> {
  const duration = options.durationMs ?? 60_000
  const { result, head } = await changeLease(options, 'renew', (current, now) => {
    const lease = renewedLease(current, { ...options.execution, holder: options.holder }, options.epoch, now, duration)
    return { next: lease, result: lease }
  })
  return { lease: result, commit: head! }
}
