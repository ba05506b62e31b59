import { PlanSpecError } from '@planspec/core'
import type { RepositoryAccessLookup } from './authorize-gate-action.js'
import type { CommandComment, CommandResolver, CommandResult, OnCommand } from './comment-command-types.js'
import { createRepositoryAccessLookup } from './create-repository-access-lookup.js'
import { GITHUB_ERROR_CODES, GitHubApiError } from './github-api-error.js'
import { renderCommandReply, replyMarker } from './internal/render-command-reply.js'
import { runCommentCommand } from './internal/run-comment-command.js'
import { parseCommentCommands } from './parse-comment-commands.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'
import { upsertStickyComment, type StickyCommentResult } from './upsert-sticky-comment.js'

/** Arguments of {@link handleCommentCommands}. */
export interface HandleCommentCommandsOptions {
  readonly octokit: GitHubClient
  readonly comment: CommandComment
  readonly resolver: CommandResolver
  readonly onCommand: OnCommand
  /** Team and write-access lookups; default: through the API, cached for this comment. */
  readonly lookup?: RepositoryAccessLookup
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
}

/** What handling a comment did. */
export interface CommentCommandsOutcome {
  /** One result per `/planspec` line, in comment order (empty for a comment without commands or from a bot). */
  readonly results: readonly CommandResult[]
  /** The reply, when one was posted. */
  readonly reply?: StickyCommentResult
  /** Why the reply could not be posted (the commands were handled all the same). */
  readonly replyError?: PlanSpecError
}

/**
 * Handles the `/planspec` commands of one pull request comment (see `parseCommentCommands`):
 * - `approve`/`reject GATE`: the Gate must exist (`resolver.findGate`), and the commenter must be
 *   eligible (`authorizeGateAction`: a reviewer, not the pull request author nor the change
 *   author); the reply then says where the quorum stands, as core's `decideGate` counts it;
 * - `retry`/`cancel EXECUTION` and `done NODE key=value…`: the Execution (and node) must exist,
 *   and the commenter needs write access to the repository.
 * Authorized commands go to `onCommand`, which records them (the agent writes a request file);
 * each request carries an id unique to the comment and line, so handling a comment twice (a
 * redelivered webhook, an overlapping poll) can be recognized by the recorder.
 *
 * Then one reply comment answers every command of the comment: recorded, or refused and why
 * (not a reviewer, self-approval, unknown gate or execution, no write access, invalid). The reply
 * is a sticky comment keyed by the comment id, so handling the comment again edits it. All user
 * text in it is escaped. Comments from bots are ignored. Never throws: lookup and recording
 * failures become `failed` results; a reply GitHub refuses becomes `replyError`.
 *
 * @example
 * const { results } = await handleCommentCommands({ octokit, comment, resolver, onCommand: (r) => agent.request(r) })
 */
export async function handleCommentCommands(options: HandleCommentCommandsOptions): Promise<CommentCommandsOutcome> {
  const { comment, octokit } = options
  if (comment.authorType === 'Bot') return { results: [] }
  const parsed = parseCommentCommands(comment.body)
  if (parsed.commands.length === 0 && parsed.errors.length === 0) return { results: [] }
  const retry = { ...(options.clock === undefined ? {} : { clock: options.clock }), ...(options.policy === undefined ? {} : { policy: options.policy }) }
  const lookup = options.lookup ?? createRepositoryAccessLookup({ octokit, owner: comment.owner, repo: comment.repo, ...retry })
  const results: CommandResult[] = parsed.errors.map((error) => ({ line: error.line, command: error.text, outcome: 'refused', reason: 'Invalid', message: error.reason }))
  for (const command of parsed.commands) {
    results.push(await runCommentCommand(command, { comment, resolver: options.resolver, onCommand: options.onCommand, lookup }))
  }
  results.sort((a, b) => a.line - b.line)
  try {
    const reply = await upsertStickyComment({
      octokit,
      owner: comment.owner,
      repo: comment.repo,
      issueNumber: comment.issueNumber,
      marker: replyMarker(comment.id),
      body: renderCommandReply(comment, results),
      ...retry,
    })
    return { results, reply }
  } catch (error) {
    const replyError =
      error instanceof PlanSpecError
        ? error
        : new GitHubApiError(`reply failed: ${error instanceof Error ? error.message : String(error)}`, { code: GITHUB_ERROR_CODES.request, data: { operation: 'reply', status: 0 }, cause: error })
    return { results, replyError }
  }
}
