import { GITHUB_ERROR_CODES, GitHubApiError } from './github-api-error.js'
import { callContext } from './internal/call-context.js'
import { callGitHub } from './internal/call-github.js'
import { paginate } from './internal/paginate.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** GitHub lists at most 3,000 files of a pull request. */
export const PULL_REQUEST_FILES_LIMIT = 3000

/** One file a pull request changes. */
export interface PullRequestFile {
  readonly filename: string
  readonly status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged'
  /** The name in the base, for a renamed file. */
  readonly previousFilename?: string
}

/** What both reads take besides their own arguments. */
interface ReadOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
}

/**
 * Lists the files a pull request changes (GET /repos/{owner}/{repo}/pulls/{pull_number}/files,
 * 100 per page), at most `maxFiles` (default and GitHub's ceiling: 3,000). Each page is retried
 * on rate limits and 5xx on its own. Throws a `GitHubApiError`.
 *
 * @example
 * const files = await listPullRequestFiles({ octokit, owner, repo, pullNumber: 42 })
 */
export async function listPullRequestFiles(options: ReadOptions & { readonly pullNumber: number; readonly maxFiles?: number }): Promise<PullRequestFile[]> {
  const { octokit, owner, repo, pullNumber } = options
  const entries = await paginate(
    'pulls.listFiles',
    callContext(options),
    (page, perPage) => octokit.rest.pulls.listFiles({ owner, repo, pull_number: pullNumber, per_page: perPage, page }),
    { maxItems: Math.min(options.maxFiles ?? PULL_REQUEST_FILES_LIMIT, PULL_REQUEST_FILES_LIMIT) },
  )
  return entries.map((entry) => ({
    filename: entry.filename,
    status: entry.status,
    ...(entry.previous_filename === undefined ? {} : { previousFilename: entry.previous_filename }),
  }))
}

/** A file read at a revision: its bytes, or its size when GitHub does not send content (over 1 MB), or why it is not a file. */
export interface RepositoryFile {
  readonly path: string
  readonly size: number
  /** The raw content (not decoded: the validator checks it is UTF-8 text). */
  readonly bytes?: Uint8Array
  /** Set for a symlink, a submodule or a directory: never read through (THREATS T10). */
  readonly error?: string
}

/**
 * Reads one file at a revision (GET /repos/{owner}/{repo}/contents/{path}?ref=…), decoding its
 * base64 content to bytes. Returns undefined when the file does not exist there (404). A symlink,
 * submodule or directory comes back with `error` and no text; a file over 1 MB (which the API
 * sends without content) with its `size` only. Throws a `GitHubApiError` for other failures.
 *
 * @example
 * const base = await readRepositoryFile({ octokit, owner, repo, path: 'plans/release.yaml', ref: baseSha })
 */
export async function readRepositoryFile(options: ReadOptions & { readonly path: string; readonly ref: string }): Promise<RepositoryFile | undefined> {
  const { octokit, owner, repo, path, ref } = options
  let data: unknown
  try {
    data = (await callGitHub('repos.getContent', callContext(options), () => octokit.rest.repos.getContent({ owner, repo, path, ref }))).data
  } catch (error) {
    if (error instanceof GitHubApiError && error.code === GITHUB_ERROR_CODES.notFound) return undefined
    throw error
  }
  if (Array.isArray(data) || typeof data !== 'object' || data === null) return { path, size: 0, error: 'is a directory' }
  const entry = data as { type?: unknown; size?: unknown; content?: unknown; encoding?: unknown }
  const size = typeof entry.size === 'number' ? entry.size : 0
  if (entry.type !== 'file') return { path, size, error: `is a ${String(entry.type)}, not a file` }
  if (entry.encoding !== 'base64' || typeof entry.content !== 'string' || (entry.content === '' && size > 0)) return { path, size }
  return { path, size, bytes: new Uint8Array(Buffer.from(entry.content, 'base64')) }
}
