import { GitInvalidInputError, StatusConflictError } from './errors.js'
import { systemClock } from './internal/system-clock.js'
import { buildCommit, publishCommit } from './internal/commit-to-branch.js'
import { unsafeNameReason } from './internal/entry-name.js'
import { fetchBranches } from './internal/fetch-branches.js'
import { checkBranch, openRepository } from './internal/open-repository.js'
import { readBranchHead } from './internal/read-branch-head.js'
import { DEFAULT_STATUS_BRANCH, type GitIdentity, type GitRepository } from './types.js'

/** Options of {@link proposeBranch}. */
export interface ProposeBranchOptions extends GitRepository {
  /** The branch the proposal starts from and is reviewed against; `main` by default. Never written. */
  readonly base?: string
  /** The new branch. It must not exist yet, and may be neither `base` nor the status branch. */
  readonly branch: string
  /** The status branch, which a proposal may not name; `planspec/status` by default. */
  readonly statusBranch?: string
  /** Files to add or replace: repository-relative paths (no `..`, no `.git`, no backslash) → content. */
  readonly files: ReadonlyMap<string, string | Uint8Array>
  readonly message: string
  /** Author and committer of the commit. */
  readonly author: GitIdentity
  /** Signs the commit the way `git commit -S` does (e.g. `signPayload` with the proposer's key). */
  readonly sign?: (payload: string) => Promise<string>
  /** Clock, milliseconds since the epoch; the system clock by default. */
  readonly now?: () => number
}

/** Where a proposal landed. */
export interface ProposeBranchResult {
  readonly branch: string
  /** The proposal's commit. */
  readonly commit: string
  /** The commit of `base` it starts from. */
  readonly base: string
}

/**
 * Proposes a change for review: one commit on top of the head of `base` that adds or replaces
 * `files`, on a NEW branch, pushed (compare-and-swap: the branch must not exist, so two proposals
 * never overwrite each other). `base` and the status branch are never written: a proposal is
 * applied only when people merge it. Works without a remote too (the branch is created locally).
 *
 * Throws `PLANSPEC_ERR_GIT_INVALID_INPUT` for a bad branch name, a branch that exists, `base` or
 * the status branch, an unsafe path or no files; `GitBranchNotFoundError` when `base` does not
 * exist; and the coded errors of fetch and push.
 *
 * @example
 * await proposeBranch({ fs, http, dir, url, branch: 'planspec/proposals/release-v2', files: new Map([['plans/release-v2.yaml', text]]), message: 'Propose release-v2', author })
 */
export async function proposeBranch(options: ProposeBranchOptions): Promise<ProposeBranchResult> {
  const base = checkBranch(options.base ?? 'main')
  const branch = checkBranch(options.branch)
  const statusBranch = options.statusBranch ?? DEFAULT_STATUS_BRANCH
  if (branch === base || branch === statusBranch) throw new GitInvalidInputError(`a proposal goes to a new branch, not ${branch}`, { data: { field: 'branch' } })
  if (options.files.size === 0) throw new GitInvalidInputError('a proposal needs at least one file', { data: { field: 'files' } })
  const changes = new Map<string, Uint8Array | null>()
  for (const [path, content] of options.files) {
    const problem = pathProblem(path)
    if (problem !== undefined) throw new GitInvalidInputError(`refusing path ${JSON.stringify(path.slice(0, 200))}: ${problem}`, { data: { field: 'files' } })
    changes.set(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
  }
  const context = await openRepository(options)
  if (context.remote) await fetchBranches(context, [{ name: base, required: true }])
  const head = await readBranchHead(context, base, true)
  const commit = await buildCommit(context, { base: head, changes, message: options.message, author: options.author, committer: options.author, time: (options.now ?? systemClock)(), ...(options.sign ? { sign: options.sign } : {}) })
  if (commit === undefined) throw new GitInvalidInputError(`the proposal changes nothing: ${base} already holds these files`, { data: { field: 'files' } })
  try {
    await publishCommit(context, branch, undefined, commit)
  } catch (error) {
    if (error instanceof StatusConflictError) throw new GitInvalidInputError(`branch ${branch} exists already`, { data: { field: 'branch' }, cause: error })
    throw error
  }
  return { branch, commit, base: head }
}

/** Why a proposed path is refused (THREATS T10), or undefined. */
function pathProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > 1024) return 'empty or too long'
  if (path.startsWith('/')) return 'absolute'
  for (const name of path.split('/')) {
    const reason = unsafeNameReason(name)
    if (reason !== undefined) return reason
  }
  return undefined
}
