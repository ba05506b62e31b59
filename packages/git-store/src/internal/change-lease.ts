import { GitInvalidInputError } from '../errors.js'
import { isHolder, parseLease, renderLease, type Lease, type LeaseOptions } from '../lease-document.js'
import { AGENT_IDENTITY, DEFAULT_STATUS_BRANCH } from '../types.js'
import { updateBranch } from './commit-to-branch.js'
import { systemClock } from './system-clock.js'
import { readBlobBytes } from './git-objects.js'
import { checkStatusBranch, openRepository } from './open-repository.js'
import { leasePath } from './status-layout.js'
import { entryAtPath } from './update-tree.js'

/** A lease decision: the lease to write (null: none; undefined: leave it) and a result. */
export interface LeaseDecision<T> {
  readonly next: Lease | undefined
  readonly result: T
}

/**
 * Reads the Execution's lease on the freshly fetched status branch, lets `decide` judge it at
 * time `now`, writes the decided lease in one commit and pushes it with compare-and-swap. A
 * rejected push starts over from a fresh fetch, so the decision is always made on the head it
 * is written on: of two holders racing, one wins and the other sees the winner's lease.
 */
export async function changeLease<T>(options: LeaseOptions, verb: string, decide: (current: Lease | undefined, now: number) => LeaseDecision<T>): Promise<{ result: T; head: string | undefined; committed: boolean }> {
  if (!isHolder(options.holder)) throw new GitInvalidInputError('holder must be 1-256 characters without control characters', { data: { field: 'holder' } })
  const context = await openRepository(options)
  const branch = checkStatusBranch(options.branch ?? DEFAULT_STATUS_BRANCH, options.trackedBranch)
  const { namespace, name } = options.execution
  const path = leasePath(namespace, name)
  const now = options.now ?? systemClock
  const outcome = await updateBranch(context, { branch, maxAttempts: options.maxAttempts ?? 5, now, committer: AGENT_IDENTITY, ...(options.agentKey ? { agentKey: options.agentKey } : {}) }, async (view) => {
    const entry = await entryAtPath(context, view.tree, path)
    let current: Lease | undefined
    if (entry?.type === 'blob') {
      const parsed = parseLease(path, await readBlobBytes(context, entry.oid), { namespace, name })
      if (parsed.type === 'lease') current = parsed.value
    }
    const { next, result } = decide(current, now())
    if (next === undefined) return { result }
    const message = `planspec: ${verb} lease of execution/${namespace}/${name} for ${options.holder} (epoch ${next.epoch})\n`
    return { commit: { changes: new Map([[path, Buffer.from(renderLease(next))]]), message, author: { ...AGENT_IDENTITY, name: options.holder } }, result }
  })
  return outcome
}
