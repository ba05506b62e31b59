import { callContext } from './internal/call-context.js'
import { callGitHub } from './internal/call-github.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** Arguments of {@link findPullRequestOfCommit} and {@link commentOnPullRequestOf}. */
export interface CommitPullRequestOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  /** The commit (e.g. the one that introduced an Execution). */
  readonly commit: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
  readonly signal?: AbortSignal
}

/**
 * Finds the pull request that brought a commit (GET /repos/{owner}/{repo}/commits/{sha}/pulls):
 * the open one, else the first GitHub lists; undefined when none did.
 *
 * @example
 * const number = await findPullRequestOfCommit({ octokit, owner: 'acme', repo: 'plans', commit })
 */
export async function findPullRequestOfCommit(options: CommitPullRequestOptions): Promise<number | undefined> {
  const { octokit, owner, repo, commit } = options
  const response = await callGitHub('repos.listPullRequestsAssociatedWithCommit', callContext(options), () => octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: commit, per_page: 100 }))
  const chosen = response.data.find((pull) => pull.state === 'open') ?? response.data[0]
  return chosen?.number
}

/**
 * Comments on the pull request that brought a commit (an AI agent asking the reviewers of a Gate
 * to look: `request_approval`). The body is cut to GitHub's 65,536 characters. Resolves undefined,
 * posting nothing, when no pull request brought the commit.
 *
 * @example
 * await commentOnPullRequestOf({ octokit, owner, repo, commit, body: 'Approval requested by svc:docs-writer ...' })
 */
export async function commentOnPullRequestOf(options: CommitPullRequestOptions & { readonly body: string }): Promise<{ readonly number: number; readonly url: string } | undefined> {
  const number = await findPullRequestOfCommit(options)
  if (number === undefined) return undefined
  const { octokit, owner, repo } = options
  const response = await callGitHub('issues.createComment', callContext(options), () => octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: options.body.slice(0, 65_536) }))
  return { number, url: response.data.html_url }
}
