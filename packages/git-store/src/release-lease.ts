import type { LeaseOptions } from './lease-document.js'
import { changeLease, isLive } from './internal/change-lease.js'

/**
 * Releases the lease `holder` holds: it is marked expired now (the file stays, so the next
 * holder's epoch keeps growing). Returns `released: false`, writing nothing, when `holder` does
 * not hold a live lease. Idempotent.
 *
 * @example
 * await releaseLease({ fs, http, dir, url, execution, holder: 'agent-a' })
 */
export async function releaseLease(options: LeaseOptions): Promise<{ readonly released: boolean; readonly commit: string | undefined }> {
  const { result, head, committed } = await changeLease(options, 'release', (current, now) => {
    if (!current || current.holder !== options.holder || !isLive(current, now)) return { next: undefined, result: false }
    const at = new Date(now).toISOString()
    return { next: { ...current, renewedAt: at, expiresAt: at }, result: true }
  })
  return { released: result, commit: committed ? head : undefined }
}
