import type { ObjectKey } from '@planspec/core'
import type { Lease, LeaseStore } from '../store/leases.js'

/** How the Execution controller holds leases: who it is, and for how long a holding lasts unrenewed. */
export interface LeaseSettings {
  readonly leases: LeaseStore
  /** This replica's identity (unique per process). */
  readonly holder: string
  /** How long a holding lasts without renewal; it is renewed every third of it. */
  readonly ttlMs: number
  /** Told when a holding turns out to be lost (another replica took it over). */
  readonly onLost?: (lease: Lease) => void
}

/** A lease this replica holds, renewed in the background until it is given up or found lost. */
export interface HeldLease {
  readonly lease: Lease
  /** True once a renewal found the lease in another holder's hands. */
  lost(): boolean
  /** Stops renewing and gives the lease up (another replica may take the Execution at once). */
  release(): Promise<void>
  /** Stops renewing and keeps the holding until it expires (the run may resume here or elsewhere). */
  abandon(): void
}

/** The result of {@link claimExecutionLease}: held, or held elsewhere for `retryInMs` more. */
export type ExecutionClaim = { readonly held: HeldLease } | { readonly held?: undefined; readonly retryInMs?: number }

/** The lease that guards the run of one Execution. */
export const executionLeaseName = (key: ObjectKey): string => `execution/${key.namespace}/${key.name}`

/**
 * Claims the lease of an Execution for this replica (DECISIONS §9 "no side effect twice" across
 * replicas): granted when free, expired or already ours; `takeOver` claims only an expired holding
 * (the previous holder died or was cut off), never a released one. A held lease is renewed every
 * `ttlMs / 3`; a renewal that finds another holder marks it lost and stops (the run's next status
 * write is then refused by fencing), a renewal that cannot reach the database is tried again.
 *
 * @example
 * const claim = await claimExecutionLease(settings, key, false)
 * if (claim.held) { try { await run(claim.held.lease) } finally { await claim.held.release() } }
 */
export async function claimExecutionLease(settings: LeaseSettings, key: ObjectKey, takeOver: boolean): Promise<ExecutionClaim> {
  const claim = await settings.leases.acquire(executionLeaseName(key), settings.holder, settings.ttlMs, { onlyExpired: takeOver })
  if (!claim.acquired) return claim.remainingMs === undefined ? {} : { retryInMs: claim.remainingMs }
  const { lease } = claim
  let lost = false
  let renewing = false
  const timer = setInterval(() => {
    if (renewing) return
    renewing = true
    settings.leases
      .renew(lease, settings.ttlMs)
      .then((held) => {
        if (held || lost) return
        lost = true
        clearInterval(timer)
        settings.onLost?.(lease)
      })
      .catch(() => undefined) // the database did not answer: the next tick tries again
      .finally(() => (renewing = false))
  }, Math.max(50, Math.floor(settings.ttlMs / 3)))
  timer.unref()
  return {
    held: {
      lease,
      lost: () => lost,
      async release() {
        clearInterval(timer)
        if (!lost) await settings.leases.release(lease).catch(() => undefined)
      },
      abandon: () => clearInterval(timer),
    },
  }
}
