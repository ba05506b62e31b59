import { GITHUB_ERROR_CODES, GitHubApiError, upsertStickyComment, type Clock, type GitHubClient, type GitHubRetryPolicy } from '@planspec/github'
import type { ActionCore, ActionResult } from '../action-types.js'
import type { PullRequestInfo } from './read-pull-request.js'

/** The sticky marker of the review comment. */
export const REVIEW_MARKER = 'review'

/** What posting the review needs. */
export interface PostReviewOptions {
  readonly core: ActionCore
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  readonly pull: PullRequestInfo
  readonly eventName: string
  readonly body: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
}

/**
 * Creates or updates the one review comment of the pull request. Fork-safe (THREATS T15): on a
 * `pull_request` event from a fork the token is read-only, so no comment is tried; a 403 on the
 * write (a read-only token anywhere) is not a failure either. Both leave a notice and the review
 * in the job summary. Other GitHub failures throw a `GitHubApiError`.
 */
export async function postReview(options: PostReviewOptions): Promise<ActionResult['comment']> {
  const { core, pull } = options
  if (pull.fromFork && options.eventName === 'pull_request') {
    core.notice('This pull request comes from a fork, whose token is read-only: the review is in the job summary, not in a comment.')
    return 'skipped'
  }
  try {
    const result = await upsertStickyComment({
      octokit: options.octokit,
      owner: options.owner,
      repo: options.repo,
      issueNumber: pull.number,
      marker: REVIEW_MARKER,
      body: options.body,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
    })
    core.info(`review comment ${result.outcome}: ${result.url}`)
    return result.outcome
  } catch (error) {
    if (error instanceof GitHubApiError && error.code === GITHUB_ERROR_CODES.forbidden) {
      core.notice(`The token may not comment on this pull request (${error.message}): the review is in the job summary. Give the job "permissions: pull-requests: write".`)
      return 'skipped'
    }
    throw error
  }
}
