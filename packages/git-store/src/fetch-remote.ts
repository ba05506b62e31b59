import { fetchBranches } from './internal/fetch-branches.js'
import { checkBranch, openRepository } from './internal/open-repository.js'
import { readBranchHead } from './internal/read-branch-head.js'
import { DEFAULT_STATUS_BRANCH, type GitRepository } from './types.js'

/** Options of {@link fetchRemote}. */
export interface FetchRemoteOptions extends GitRepository {
  /** The tracked branch (it must exist); `main` by default. */
  readonly branch?: string
  /** The status branch (it may be missing); `planspec/status` by default, `null` to skip it. */
  readonly statusBranch?: string | null
}

/** What {@link fetchRemote} found. */
export interface FetchRemoteResult {
  /** Head of the tracked branch. */
  readonly revision: string
  /** Head of the status branch, undefined when it does not exist (it will be recreated). */
  readonly statusRevision: string | undefined
  /** Branches whose head moved since the last fetch. */
  readonly updated: readonly string[]
  /** Branches for which objects were downloaded (others were already known or unchanged). */
  readonly downloaded: readonly string[]
}

/**
 * Clones (on first use) or fetches the tracked branch and the status branch into the cache
 * directory `dir`, as remote-tracking refs. A ref check comes first, so an unchanged remote costs
 * one small request. With no `url`, reads the local branch heads instead.
 *
 * Throws (coded, credentials redacted): `PLANSPEC_ERR_GIT_UNREACHABLE` (network, timeout, 5xx),
 * `PLANSPEC_ERR_GIT_AUTH` (401/403), `PLANSPEC_ERR_GIT_REPO_NOT_FOUND` (404),
 * `PLANSPEC_ERR_GIT_BRANCH_NOT_FOUND` (no tracked branch), `PLANSPEC_ERR_GIT_URL`,
 * `PLANSPEC_ERR_GIT_TRANSPORT`. Idempotent.
 *
 * @example
 * const { revision, updated } = await fetchRemote({ fs, http, dir: cacheDir, url, auth: { token } })
 */
export async function fetchRemote(options: FetchRemoteOptions): Promise<FetchRemoteResult> {
  const context = await openRepository(options)
  const branch = checkBranch(options.branch ?? 'main')
  const statusBranch = options.statusBranch === null ? undefined : checkBranch(options.statusBranch ?? DEFAULT_STATUS_BRANCH)
  const wanted = [{ name: branch, required: true }, ...(statusBranch ? [{ name: statusBranch, required: false }] : [])]
  if (context.remote) {
    const outcome = await fetchBranches(context, wanted)
    return { revision: outcome.heads.get(branch)!, statusRevision: statusBranch ? outcome.heads.get(statusBranch) : undefined, updated: outcome.updated, downloaded: outcome.downloaded }
  }
  return { revision: await readBranchHead(context, branch, true), statusRevision: statusBranch ? await readBranchHead(context, statusBranch, false) : undefined, updated: [], downloaded: [] }
}
