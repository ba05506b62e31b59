import type { Lease } from '@planspec/core'
import { LeaseHeldError, LeaseLostError } from './errors.js'

/** The Execution a lease is for and who asks for it. */
export interface LeaseRequest {
  readonly namespace: string
  readonly name: string
  readonly holder: string
}

/** Tells whether a lease is still live at `nowMs` (milliseconds since the epoch). */
export function isLeaseLive(lease: Lease, nowMs: number): boolean {
  return Date.parse(lease.expiresAt) > nowMs
}

/** Returns the holder of `lease` when it is live at `nowMs`, else undefined. */
export function liveLeaseHolder(lease: Lease | undefined, nowMs: number): string | undefined {
  return lease !== undefined && isLeaseLive(lease, nowMs) ? lease.holder : undefined
}

/**
 * Decides taking a lease at `nowMs` for `durationMs` (DECISIONS §6): a free, expired or released
 * lease is taken with the epoch grown by one; a live lease of the same holder is extended (same
 * epoch, same `acquiredAt`); a live lease of another holder throws {@link LeaseHeldError}
 * (`PLANSPEC_ERR_GIT_LEASE_HELD`). Pure: the caller writes the result with compare-and-swap.
 *
 * @example
 * const lease = takeLease(current, { namespace: 'default', name: 'run-1', holder: 'agent-a' }, now, 60_000)
 */
export function takeLease(current: Lease | undefined, request: LeaseRequest, nowMs: number, durationMs: number): Lease {
  if (current && current.holder !== request.holder && isLeaseLive(current, nowMs)) {
    throw new LeaseHeldError(`execution/${current.namespace}/${current.name} is leased by ${current.holder} until ${current.expiresAt}`, { data: { holder: current.holder, expiresAt: current.expiresAt, epoch: current.epoch } })
  }
  const kept = current !== undefined && current.holder === request.holder && isLeaseLive(current, nowMs)
  const at = new Date(nowMs).toISOString()
  return {
    namespace: request.namespace,
    name: request.name,
    holder: request.holder,
    epoch: kept ? current.epoch : (current?.epoch ?? 0) + 1,
    acquiredAt: kept ? current.acquiredAt : at,
    renewedAt: at,
    expiresAt: new Date(nowMs + durationMs).toISOString(),
  }
}

/**
 * Decides renewing the lease `request.holder` holds to `nowMs + durationMs`. Throws
 * {@link LeaseLostError} (`PLANSPEC_ERR_GIT_LEASE_LOST`) when the lease is held by someone else,
 * was released, or has another epoch than `epoch` (lost and taken again meanwhile). An expired
 * lease nobody took over is renewed. Pure.
 *
 * @example
 * const lease = renewedLease(current, { ...execution, holder: 'agent-a' }, 1, now, 60_000)
 */
export function renewedLease(current: Lease | undefined, request: LeaseRequest, epoch: number | undefined, nowMs: number, durationMs: number): Lease {
  if (!current || current.holder !== request.holder || (epoch !== undefined && current.epoch !== epoch) || Date.parse(current.expiresAt) <= Date.parse(current.renewedAt)) {
    throw new LeaseLostError(`${request.holder} does not hold the lease of execution/${request.namespace}/${request.name}`, { data: { holder: current?.holder ?? null, epoch: current?.epoch ?? null } })
  }
  return { ...current, renewedAt: new Date(nowMs).toISOString(), expiresAt: new Date(nowMs + durationMs).toISOString() }
}

/**
 * Decides releasing the lease `holder` holds: it is marked expired at `nowMs` (the file stays, so
 * the next holder's epoch keeps growing). Undefined (nothing to write) when `holder` does not hold
 * a live lease. Pure.
 *
 * @example
 * const released = releasedLease(current, 'agent-a', now)
 */
export function releasedLease(current: Lease | undefined, holder: string, nowMs: number): Lease | undefined {
  if (!current || current.holder !== holder || !isLeaseLive(current, nowMs)) return undefined
  const at = new Date(nowMs).toISOString()
  return { ...current, renewedAt: at, expiresAt: at }
}
