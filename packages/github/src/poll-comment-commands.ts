import type { CommandComment } from './comment-command-types.js'
import { GITHUB_ERROR_CODES, GitHubApiError } from './github-api-error.js'
import { callContext } from './internal/call-context.js'
import { callGitHub } from './internal/call-github.js'
import { paginate } from './internal/paginate.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** Arguments of {@link pollCommentCommands}. */
export interface PollCommentCommandsOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  /** RFC 3339: comments created at or after this time are read (the previous poll's `next`). */
  readonly since: string
  /** Read at most this many comments per poll (default 1,000); the rest come next time. */
  readonly maxComments?: number
  /**
   * The login PlanSpec replies as, when it is not a GitHub App or `GITHUB_TOKEN` bot (a personal
   * token): only replies by this identity (by default: by any bot) mark a comment as handled.
   */
  readonly replyAuthor?: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
}

/** What a poll found. */
export interface PolledCommentCommands {
  /** Comments on pull requests with a `/planspec` line, not from bots, not answered yet; oldest first. */
  readonly comments: readonly CommandComment[]
  /** The `since` of the next poll: the creation time of the newest comment read. */
  readonly next: string
}

const COMMAND_LINE = /^ {0,3}\/planspec\b/im
const REPLY_MARKER = /^<!-- planspec:reply\/(\d+) -->/

/**
 * Lists the repository's issue comments created since a time (GET
 * /repos/{owner}/{repo}/issues/comments, oldest first, paginated): the fallback when no webhook
 * can reach the agent. Keeps comments on pull requests (GET /repos/{owner}/{repo}/pulls/{n}, which
 * also gives the author for the self-approval check; an issue gives 404 and is skipped) that
 * carry a `/planspec` line, are not from a bot, and have no PlanSpec reply yet (a comment by
 * PlanSpec's identity whose body starts with the reply marker of its id), so a poll that overlaps the previous one returns
 * nothing twice once the reply is posted. Edited comments older than `since` are not commands.
 * Hand each comment to `handleCommentCommands`. Throws a `GitHubApiError` when GitHub refuses.
 *
 * @example
 * const { comments, next } = await pollCommentCommands({ octokit, owner, repo, since })
 * for (const comment of comments) await handleCommentCommands({ octokit, comment, resolver, onCommand })
 */
export async function pollCommentCommands(options: PollCommentCommandsOptions): Promise<PolledCommentCommands> {
  const { octokit, owner, repo, since } = options
  const context = callContext(options)
  const listed = await paginate(
    'issues.listCommentsForRepo',
    context,
    (page, perPage) => octokit.rest.issues.listCommentsForRepo({ owner, repo, since, sort: 'created', direction: 'asc', per_page: perPage, page }),
    { maxItems: options.maxComments ?? 1000 },
  )
  // A reply counts only from PlanSpec's own identity: anyone could write the marker to silence a command.
  const ours = (login: string | undefined, type: string | undefined): boolean =>
    options.replyAuthor === undefined ? type === 'Bot' : login?.toLowerCase() === options.replyAuthor.toLowerCase()
  const answered = new Set<number>()
  for (const comment of listed) {
    const marker = REPLY_MARKER.exec((comment.body ?? '').trimStart())
    if (marker !== null && ours(comment.user?.login, comment.user?.type)) answered.add(Number(marker[1]))
  }
  const authors = new Map<number, string | null>()
  const comments: CommandComment[] = []
  let next = since
  for (const comment of listed) {
    if (comment.created_at > next) next = comment.created_at
    const body = comment.body ?? ''
    if (comment.created_at < since || answered.has(comment.id) || comment.user?.type === 'Bot' || comment.user === null || !COMMAND_LINE.test(body)) continue
    const issueNumber = Number(/\/issues\/(\d+)$/.exec(comment.issue_url)?.[1])
    if (!Number.isInteger(issueNumber)) continue
    let author = authors.get(issueNumber)
    if (author === undefined) authors.set(issueNumber, (author = await pullRequestAuthor(options, context, issueNumber)))
    if (author === null) continue
    comments.push({
      id: comment.id,
      owner,
      repo,
      issueNumber,
      body,
      author: comment.user.login,
      authorType: comment.user.type,
      url: comment.html_url,
      createdAt: comment.created_at,
      pullRequestAuthor: author,
    })
  }
  return { comments, next }
}

/** The author of pull request `number`, or null when it is an issue. */
async function pullRequestAuthor(options: PollCommentCommandsOptions, context: ReturnType<typeof callContext>, number: number): Promise<string | null> {
  try {
    const response = await callGitHub('pulls.get', context, () => options.octokit.rest.pulls.get({ owner: options.owner, repo: options.repo, pull_number: number }))
    return response.data.user.login
  } catch (error) {
    if (error instanceof GitHubApiError && error.code === GITHUB_ERROR_CODES.notFound) return null
    throw error
  }
}
