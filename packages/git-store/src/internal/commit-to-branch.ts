import { randomBytes } from 'node:crypto'
import git from 'isomorphic-git'
import { StatusConflictError } from '../errors.js'
import type { GitIdentity } from '../types.js'
import { fetchBranches } from './fetch-branches.js'
import { EMPTY_TREE, readCommitInfo, resolveRefOid } from './git-objects.js'
import { mapRemoteError, sanitizedCause } from './map-remote-error.js'
import { REMOTE, type RepoContext } from './open-repository.js'
import { readBranchHead } from './read-branch-head.js'
import { withRefLock } from './ref-lock.js'
import { updateTree } from './update-tree.js'
import { agentView, proveStatusTree, STATUS_PROOF_TRAILER, withTrailer } from './status-proof.js'
import type { AgentKeyring } from '../agent-key.js'
import { writeSignedCommit } from './write-signed-commit.js'

const ZERO = '0000000000000000000000000000000000000000'
const WRITE_BATCH = 32

/** One commit to make on a branch. */
export interface CommitPlan {
  /** The head the changes were computed on (the compare-and-swap expectation); undefined: none. */
  readonly base: string | undefined
  /**
   * The tree the changes apply to, when it is not the base commit's own (the agents' view of a
   * status branch, see `agentView`): `{ tree: undefined }` starts from an empty tree.
   */
  readonly from?: { readonly tree: string | undefined }
  /** Path → new content, or null to delete. */
  readonly changes: ReadonlyMap<string, Uint8Array | null>
  readonly message: string
  readonly author: GitIdentity
  readonly committer: GitIdentity
  /** Commit time, milliseconds since the epoch. */
  readonly time: number
  /** Trailers computed from the new tree and the parents (agent proofs), appended to the message. */
  readonly trailers?: (tree: string, parents: readonly string[]) => Promise<readonly (readonly [string, string])[]>
  /** Signs the commit payload the way `git commit -S` does (the returned armored signature becomes `gpgsig`). */
  readonly sign?: (payload: string) => Promise<string>
}

/**
 * Writes the blobs, trees and commit of `plan` with plumbing (writeBlob, writeTree, writeCommit:
 * no index, no work tree; TOOLCHAIN 11) and returns the commit id, or undefined when the tree
 * would not change (nothing to commit). A missing base makes an orphan commit.
 */
export async function buildCommit(context: RepoContext, plan: CommitPlan): Promise<string | undefined> {
  const base = { fs: context.fs, gitdir: context.gitdir }
  const headTree = plan.base === undefined ? undefined : (await readCommitInfo(context, plan.base)).tree
  const baseTree = plan.from === undefined ? headTree : plan.from.tree
  const oids = new Map<string, string | null>()
  const entries = [...plan.changes]
  // Blobs are written a batch at a time: each write waits on zlib and the disk, not on the CPU.
  for (let i = 0; i < entries.length; i += WRITE_BATCH) {
    const batch = entries.slice(i, i + WRITE_BATCH)
    const written = await Promise.all(batch.map(([, content]) => (content === null ? null : git.writeBlob({ ...base, blob: content }))))
    batch.forEach(([path], j) => oids.set(path, written[j]!))
  }
  const tree = oids.size === 0 && baseTree !== undefined ? baseTree : await updateTree(context, baseTree, oids)
  if (tree === (headTree ?? EMPTY_TREE)) return undefined
  const seconds = Math.floor(plan.time / 1000)
  const parents = plan.base === undefined ? [] : [plan.base]
  let message = plan.message
  for (const [name, value] of (await plan.trailers?.(tree, parents)) ?? []) message = withTrailer(message, name, value)
  const author = { ...plan.author, timestamp: seconds, timezoneOffset: 0 }
  const committer = { ...plan.committer, timestamp: seconds, timezoneOffset: 0 }
  if (plan.sign) return writeSignedCommit(context, { tree, parents, author, committer, message }, plan.sign)
  return git.writeCommit({ ...base, commit: { message, tree, parent: parents, author, committer } })
}

function isConflict(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  if (code === 'PushRejectedError' || code === 'UserCanceledError') return true
  return code === 'GitPushError' && /lock|fast-forward|fetch first|stale|failed to update|already exists/i.test(error instanceof Error ? error.message : '')
}

/**
 * Moves `branch` from `expected` to `commit`, compare-and-swap: with a remote, a push that the
 * pre-push check cancels (the remote head is not `expected`) or the server rejects (it moved
 * meanwhile) throws {@link StatusConflictError}; without one, the local ref is updated under
 * git's lock file after the same check. Never forces.
 */
export async function publishCommit(context: RepoContext, branch: string, expected: string | undefined, commit: string): Promise<void> {
  const base = { fs: context.fs, gitdir: context.gitdir }
  const remote = context.remote
  const conflict = (actual: string | undefined, cause?: unknown): StatusConflictError =>
    new StatusConflictError(`branch ${branch} moved: expected ${expected?.slice(0, 12) ?? '(none)'}, found ${actual === undefined ? 'a newer head' : actual === ZERO ? '(none)' : actual.slice(0, 12)}; re-fetch, re-reconcile and retry`, {
      ...(cause === undefined ? {} : { cause }),
      data: { branch, expected: expected ?? null, actual: actual === ZERO ? null : (actual ?? null) },
    })
  if (!remote) {
    const ref = `refs/heads/${branch}`
    await withRefLock(context.fs, context.gitdir, ref, async () => {
      const current = await resolveRefOid(context, ref)
      if (current !== expected) throw conflict(current ?? ZERO)
      await git.writeRef({ ...base, ref, value: commit, force: true })
    }, context.onStaleLock ? { onStale: context.onStaleLock } : {})
    return
  }
  // A private ref per push, so concurrent writers sharing a cache never clobber each other.
  const scratch = `refs/planspec/push/${randomBytes(8).toString('hex')}`
  await git.writeRef({ ...base, ref: scratch, value: commit, force: true })
  let actual: string | undefined
  try {
    await git.push({
      ...base,
      http: remote.http,
      url: remote.url,
      onAuth: remote.onAuth,
      remote: REMOTE,
      ref: scratch,
      remoteRef: `refs/heads/${branch}`,
      cache: context.cache.objects,
      onPrePush: ({ remoteRef }) => {
        actual = remoteRef.oid
        return remoteRef.oid === (expected ?? ZERO)
      },
    })
  } catch (error) {
    if (isConflict(error)) throw conflict(actual, sanitizedCause(error, remote.secrets))
    throw mapRemoteError(error, remote, { action: 'push', branch })
  } finally {
    await git.deleteRef({ ...base, ref: scratch }).catch(() => undefined)
  }
}

/** A read-only view of a branch head, given to the `decide` step of {@link updateBranch}. */
export interface BranchView {
  readonly head: string | undefined
  /** The tree to decide on: the head's, or with `agentKey` the agents' view of it. */
  readonly tree: string | undefined
}

/** Options of {@link updateBranch}. */
export interface UpdateBranchOptions {
  readonly branch: string
  readonly maxAttempts: number
  readonly now: () => number
  readonly committer: GitIdentity
  /**
   * Write as an agent: decide on the agents' view of the branch (content no agent proved is left
   * out, and so written back) and prove the new commit's agent-owned tree.
   */
  readonly agentKey?: AgentKeyring
}

/** What the decide step returns: the commit to make (if any) and a result for the caller. */
export interface BranchDecision<T> {
  readonly commit?: Pick<CommitPlan, 'changes' | 'message' | 'author' | 'trailers' | 'sign'>
  readonly result: T
}

/**
 * Fetches the branch, lets `decide` compute a commit from its head, commits and pushes it; on a
 * compare-and-swap conflict, starts again from a fresh fetch (so `decide` re-evaluates against
 * the new head), up to `maxAttempts` times with jittered backoff. Returns the decision's result
 * and the new head (or the unchanged one).
 */
export async function updateBranch<T>(context: RepoContext, options: UpdateBranchOptions, decide: (view: BranchView) => Promise<BranchDecision<T>>): Promise<{ result: T; head: string | undefined; committed: boolean }> {
  const keyring = options.agentKey
  for (let attempt = 1; ; attempt++) {
    if (context.remote) await fetchBranches(context, [{ name: options.branch, required: false }])
    const head = await readBranchHead(context, options.branch, false)
    const view = keyring ? await agentView(context, keyring, options.branch, head) : undefined
    const tree = view ? view.tree : head === undefined ? undefined : (await readCommitInfo(context, head)).tree
    const decision = await decide({ head, tree })
    if (!decision.commit) return { result: decision.result, head, committed: false }
    const trailers = keyring
      ? async (next: string, parents: readonly string[]) => [...((await decision.commit?.trailers?.(next, parents)) ?? []), [STATUS_PROOF_TRAILER, await proveStatusTree(context, keyring, options.branch, parents, next)] as const]
      : decision.commit.trailers
    const commit = await buildCommit(context, { base: head, ...decision.commit, ...(view ? { from: { tree: view.tree } } : {}), ...(trailers ? { trailers } : {}), committer: options.committer, time: options.now() })
    if (commit === undefined) return { result: decision.result, head, committed: false }
    try {
      await publishCommit(context, options.branch, head, commit)
      return { result: decision.result, head: commit, committed: true }
    } catch (error) {
      if (!(error instanceof StatusConflictError) || attempt >= options.maxAttempts) throw error
      // Full jitter (THREATS T2): writers that collided spread out instead of colliding again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 25 * 2 ** attempt)))
    }
  }
}
