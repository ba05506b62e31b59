/**
 * A held lease: who holds what, and the fencing token of this holding. The token grows every time
 * the lease changes hands, so a write guarded by an older token is refused once another holder
 * took the lease over (`StoreFencedError`).
 */
export interface Lease {
  /** What the lease guards, e.g. `execution/team/release-1`. */
  readonly name: string
  /** The holder's identity (one per server process: host, pid and a random part). */
  readonly holder: string
  /** The fencing token (decimal digits). */
  readonly token: string
}

/** The outcome of {@link LeaseStore.acquire}. */
export type LeaseClaim =
  | { readonly acquired: true; readonly lease: Lease }
  /** Another holder has it (`remainingMs` until it expires unless renewed), or it is free and `onlyExpired` was asked. */
  | { readonly acquired: false; readonly holder?: string; readonly remainingMs?: number }

/**
 * Leases with fencing tokens, kept by the store so that every replica sharing a database agrees on
 * them (DECISIONS §9 "no side effect twice" across replicas): the Execution controller runs an
 * Execution only under its lease and guards every status write of that run with it
 * (`transact(work, { fence: lease })`). Time is the database's clock, so replicas with skewed
 * clocks still agree on expiry.
 */
export interface LeaseStore {
  /**
   * Takes the lease `name` for `holder` for `ttlMs`: granted when nobody holds it, when its holding
   * expired, or when `holder` holds it already; every grant has a new, larger token, which fences
   * the previous holding. With `onlyExpired`, a lease nobody holds is not taken: only an expired
   * holding (or `holder`'s own) is taken over. Never waits.
   */
  acquire(name: string, holder: string, ttlMs: number, options?: { readonly onlyExpired?: boolean }): Promise<LeaseClaim>
  /** Extends a holding by `ttlMs` from now; false when it is not held with this token any more. */
  renew(lease: Lease, ttlMs: number): Promise<boolean>
  /** Gives a holding up (nothing happens when it was already taken over). */
  release(lease: Lease): Promise<void>
}

/** Options of a store transaction (`ApiStore.transact`). */
export interface TransactOptions {
  /** Run the work to the end, then roll it back: the result is returned, nothing is stored. */
  readonly dryRun?: boolean
  /**
   * Commit only while this lease is held with this token and not expired, checked in the same
   * database transaction as the writes; otherwise nothing is written and `StoreFencedError` is thrown.
   */
  readonly fence?: Lease
}
