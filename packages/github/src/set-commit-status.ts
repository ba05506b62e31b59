import { callContext } from './internal/call-context.js'
import { callGitHub } from './internal/call-github.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** A commit status state, as GitHub names them. */
export type CommitState = 'pending' | 'success' | 'failure' | 'error'

/** GitHub's limit on a commit status description. */
export const STATUS_DESCRIPTION_LIMIT = 140

/** Arguments of {@link setCommitStatus}. */
export interface SetCommitStatusOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  /** The commit the status is about: the one that introduced the Execution. */
  readonly sha: string
  /** The status context; for an Execution, {@link executionStatusContext}. */
  readonly context: string
  readonly state: CommitState
  /** One line; cut to 140 characters with `…`. */
  readonly description: string
  /** Where the status links to (the PR comment, a dashboard). */
  readonly targetUrl?: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
  readonly signal?: AbortSignal
}

/** The status GitHub stored. */
export interface CommitStatusResult {
  readonly id: number
  readonly context: string
  readonly state: CommitState
  readonly description: string
}

/**
 * Sets a commit status on a commit (POST /repos/{owner}/{repo}/statuses/{sha}). GitHub keeps the
 * latest status per context, so calling it again with the same context replaces what the
 * commit shows. The description is flattened to one line and cut to 140 characters (GitHub
 * answers 422 beyond). Throws a `GitHubApiError` after rate-limit waits and 5xx retries.
 *
 * @example
 * await setCommitStatus({ octokit, owner, repo, sha, context: executionStatusContext('default', 'release-1'),
 *   state: 'pending', description: 'Running: 3 of 7 nodes done' })
 */
export async function setCommitStatus(options: SetCommitStatusOptions): Promise<CommitStatusResult> {
  const { octokit, owner, repo, sha, context, state } = options
  const description = cutDescription(options.description)
  const response = await callGitHub('repos.createCommitStatus', callContext(options), () =>
    octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha,
      state,
      context,
      description,
      ...(options.targetUrl === undefined ? {} : { target_url: options.targetUrl }),
    }),
  )
  return { id: response.data.id, context: response.data.context, state, description }
}

/**
 * Returns the commit status context of an Execution: `planspec/<namespace>/<name>`, so each
 * Execution has its own line in the commit's checks.
 *
 * @example
 * executionStatusContext('default', 'release-1') // 'planspec/default/release-1'
 */
export function executionStatusContext(namespace: string, name: string): string {
  return `planspec/${namespace}/${name}`
}

/**
 * Maps an Execution phase to a commit status state: `Succeeded` → success, `Failed` → failure,
 * `Cancelled` → error, anything else (`Pending`, `Running`, `Blocked`) → pending.
 *
 * @example
 * commitStateForPhase('Blocked') // 'pending'
 */
export function commitStateForPhase(phase: string | undefined): CommitState {
  if (phase === 'Succeeded') return 'success'
  if (phase === 'Failed') return 'failure'
  if (phase === 'Cancelled') return 'error'
  return 'pending'
}

function cutDescription(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= STATUS_DESCRIPTION_LIMIT) return flat
  let end = STATUS_DESCRIPTION_LIMIT - 1
  if (/[\ud800-\udbff]/.test(flat.charAt(end - 1))) end -= 1
  return `${flat.slice(0, end)}…`
}
