import { stickyMarker } from '@planspec/reporter'
import { callContext } from './internal/call-context.js'
import { callGitHub } from './internal/call-github.js'
import { fitCommentBody } from './internal/fit-comment-body.js'
import { paginate } from './internal/paginate.js'
import { GITHUB_ERROR_CODES, GitHubApiError } from './github-api-error.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** Arguments of {@link upsertStickyComment}. */
export interface UpsertStickyCommentOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  /** The pull request (or issue) number. */
  readonly issueNumber: number
  /** The sticky comment's id: the body carries `<!-- planspec:<marker> -->` (see `stickyMarker`). */
  readonly marker: string
  /** The Markdown to show; the marker is put first when the body does not already start with it. */
  readonly body: string
  /** Defaults to the system clock (used only to wait on rate limits and 5xx). */
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
  readonly signal?: AbortSignal
}

/** What {@link upsertStickyComment} did; finishes "the comment has been …". */
export type StickyCommentOutcome = 'created' | 'updated' | 'unchanged'

/** The outcome of {@link upsertStickyComment}, with the comment it now is. */
export interface StickyCommentResult {
  readonly outcome: StickyCommentOutcome
  readonly commentId: number
  readonly url: string
  /** The body as posted (marker first, at most 65,535 characters). */
  readonly body: string
}

/**
 * Creates or updates the one comment of a pull request that carries a hidden marker, so a report
 * is edited in place instead of posted again (STYLE §4: the reporter reconciles too). It pages
 * through every comment of the issue and takes those whose body starts with
 * `<!-- planspec:<marker> -->`, oldest first: when the first one already has the body, nothing is
 * written (`unchanged`); else it is updated (`updated`). A comment GitHub does not let this token
 * edit (403: someone else wrote the marker) is passed over for the next; with none left, a new
 * comment is created (`created`). Bodies over GitHub's 65,535-character limit are cut with a note.
 *
 * Idempotent: a second call with the same body is `unchanged` and writes nothing. Throws a
 * `GitHubApiError` (`PLANSPEC_ERR_GITHUB_*`) when GitHub refuses, after rate-limit waits and 5xx
 * retries.
 *
 * @example
 * const { outcome } = await upsertStickyComment({ octokit, owner: 'acme', repo: 'plans', issueNumber: 42, marker: 'review', body })
 * // 'created' the first time, then 'updated' or 'unchanged'
 */
export async function upsertStickyComment(options: UpsertStickyCommentOptions): Promise<StickyCommentResult> {
  const { octokit, owner, repo, issueNumber } = options
  const context = callContext(options)
  const marker = stickyMarker(options.marker)
  const body = fitCommentBody(options.body.trimStart().startsWith(marker) ? options.body : `${marker}\n${options.body}`)
  const candidates = await paginate('issues.listComments', context, (page, perPage) =>
    octokit.rest.issues.listComments({ owner, repo, issue_number: issueNumber, per_page: perPage, page }),
  ).then((comments) => comments.filter((comment) => (comment.body ?? '').trimStart().startsWith(marker)))
  for (const candidate of candidates) {
    if (candidate.body === body) return { outcome: 'unchanged', commentId: candidate.id, url: candidate.html_url, body }
    try {
      const updated = await callGitHub('issues.updateComment', context, () =>
        octokit.rest.issues.updateComment({ owner, repo, comment_id: candidate.id, body }),
      )
      return { outcome: 'updated', commentId: updated.data.id, url: updated.data.html_url, body }
    } catch (error) {
      // Someone else's comment that carries our marker, or one deleted meanwhile: try the next.
      if (error instanceof GitHubApiError && (error.code === GITHUB_ERROR_CODES.forbidden || error.code === GITHUB_ERROR_CODES.notFound)) continue
      throw error
    }
  }
  const created = await callGitHub('issues.createComment', context, () =>
    octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }),
  )
  return { outcome: 'created', commentId: created.data.id, url: created.data.html_url, body }
}

