import { callContext } from './internal/call-context.js'
import { callGitHub } from './internal/call-github.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** Arguments of {@link openPullRequest}. */
export interface OpenPullRequestOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  /** The branch with the proposal. */
  readonly head: string
  /** The branch it would be merged into (the tracked branch). */
  readonly base: string
  readonly title: string
  readonly body: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
  readonly signal?: AbortSignal
}

/** The pull request GitHub opened. */
export interface OpenedPullRequest {
  readonly number: number
  readonly url: string
}

/**
 * Opens a pull request of `head` into `base` (POST /repos/{owner}/{repo}/pulls): how a plan an AI
 * agent proposes reaches people for review (`planspec mcp --github-repo`). The title is cut to 256
 * characters and the body to GitHub's 65,536. Throws a `GitHubApiError` after rate-limit waits and
 * 5xx retries (422 when the branch has no commits or a pull request for it is open already).
 *
 * @example
 * const pr = await openPullRequest({ octokit, owner: 'acme', repo: 'plans', head: 'planspec/proposals/docs-v2', base: 'main', title, body })
 */
export async function openPullRequest(options: OpenPullRequestOptions): Promise<OpenedPullRequest> {
  const { octokit, owner, repo, head, base } = options
  const response = await callGitHub('pulls.create', callContext(options), () =>
    octokit.rest.pulls.create({ owner, repo, head, base, title: options.title.slice(0, 256), body: options.body.slice(0, 65_536), maintainer_can_modify: true }),
  )
  return { number: response.data.number, url: response.data.html_url }
}
