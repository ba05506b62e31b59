import type { LeaseResult } from './acquire-lease.js'
import { LeaseLostError } from './errors.js'
import { changeLease } from './internal/change-lease.js'
import type { Lease, LeaseOptions } from './lease-document.js'

/**
 * Extends the lease `holder` holds to `now + durationMs`. Throws {@link LeaseLostError}
 * (`PLANSPEC_ERR_GIT_LEASE_LOST`) when the lease is held by someone else, was released, or has
 * another `epoch` than the one given (it was lost and taken again meanwhile). An expired lease
 * nobody took over is renewed.
 *
 * @example
 * await renewLease({ fs, http, dir, url, execution, holder: 'agent-a', epoch: lease.epoch })
 */
export async function renewLease(options: LeaseOptions & { readonly epoch?: number }): Promise<LeaseResult> {
  const duration = options.durationMs ?? 60_000
  const { result, head } = await changeLease(options, 'renew', (current, now) => {
    if (!current || current.holder !== options.holder || (options.epoch !== undefined && current.epoch !== options.epoch) || Date.parse(current.expiresAt) <= Date.parse(current.renewedAt)) {
      throw new LeaseLostError(`${options.holder} does not hold the lease of execution/${options.execution.namespace}/${options.execution.name}`, { data: { holder: current?.holder ?? null, epoch: current?.epoch ?? null } })
    }
    const at = new Date(now).toISOString()
    const lease: Lease = { ...current, renewedAt: at, expiresAt: new Date(now + duration).toISOString() }
    return { next: lease, result: lease }
  })
  return { lease: result, commit: head! }
}
