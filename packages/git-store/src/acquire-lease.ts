import { LeaseHeldError } from './errors.js'
import { changeLease, isLive } from './internal/change-lease.js'
import type { Lease, LeaseOptions } from './lease-document.js'

/** A lease as held after a successful call, and the status head that holds it. */
export interface LeaseResult {
  readonly lease: Lease
  readonly commit: string
}

/**
 * Takes the lease of an Execution for `holder` until `now + durationMs` (DECISIONS §6: many
 * agents, one runner per Execution). Free, expired or released leases are taken (the epoch grows
 * by one); a live lease of the same holder is extended; a live lease of another holder throws
 * {@link LeaseHeldError} (`PLANSPEC_ERR_GIT_LEASE_HELD`, `data.holder`, `data.expiresAt`). The
 * write goes through the status branch's compare-and-swap push, so of two racing holders exactly
 * one wins.
 *
 * @example
 * const { lease } = await acquireLease({ fs, http, dir, url, execution: { namespace: 'default', name: 'run-1' }, holder: 'agent-a' })
 */
export async function acquireLease(options: LeaseOptions): Promise<LeaseResult> {
  const duration = options.durationMs ?? 60_000
  const { result, head } = await changeLease(options, 'acquire', (current, now) => {
    if (current && current.holder !== options.holder && isLive(current, now)) {
      throw new LeaseHeldError(`execution/${current.namespace}/${current.name} is leased by ${current.holder} until ${current.expiresAt}`, { data: { holder: current.holder, expiresAt: current.expiresAt, epoch: current.epoch } })
    }
    const kept = current !== undefined && current.holder === options.holder && isLive(current, now)
    const at = new Date(now).toISOString()
    const lease: Lease = {
      namespace: options.execution.namespace,
      name: options.execution.name,
      holder: options.holder,
      epoch: kept ? current.epoch : (current?.epoch ?? 0) + 1,
      acquiredAt: kept ? current.acquiredAt : at,
      renewedAt: at,
      expiresAt: new Date(now + duration).toISOString(),
    }
    return { next: lease, result: lease }
  })
  return { lease: result, commit: head! }
}
