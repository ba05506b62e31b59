import type { LeaseOptions } from './lease-document.js'
import { releasedLease } from './lease-decisions.js'
import { changeLease } from './internal/change-lease.js'

/**
 * Releases the lease `holder` holds, as {@link releasedLease} decides: it is marked expired now
 * (the file stays, so the next holder's epoch keeps growing). Returns `released: false`, writing
 * nothing, when `holder` does not hold a live lease. Idempotent.
 *
 * @example
 * await releaseLease({ fs, http, dir, url, execution, holder: 'agent-a' })
 */
export async function releaseLease(options: LeaseOptions): Promise<{ readonly released: boolean; readonly commit: string | undefined }> {
  const { result, head, committed } = await changeLease(options, 'release', (current, now) => {
    const next = releasedLease(current, options.holder, now)
    return { next, result: next !== undefined }
  })
  return { released: result, commit: committed ? head : undefined }
}
