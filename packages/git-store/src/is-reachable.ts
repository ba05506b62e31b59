import { isAncestor } from './internal/git-objects.js'
import { openRepository } from './internal/open-repository.js'
import type { GitRepository } from './types.js'

/** Options of {@link isReachable}. */
export interface IsReachableOptions extends GitRepository {
  /** The commit that must be in the history. */
  readonly commit: string
  /** Where the history starts (the tracked branch's head as read). */
  readonly from: string
}

/**
 * Tells whether `commit` is `from` or one of its ancestors, in the local object database (already
 * fetched). False for an unknown object or history deeper than 100,000 commits. An agent runs a
 * revision only when it is reachable from the tracked branch (DECISIONS §9): a tree that was never
 * on the branch is never run.
 *
 * @example
 * await isReachable({ fs, dir, commit: runRevision, from: desired.revision })
 */
export async function isReachable(options: IsReachableOptions): Promise<boolean> {
  if (!/^[0-9a-f]{40}$/.test(options.commit)) return false
  return isAncestor(await openRepository(options), options.commit, options.from)
}
