export { upsertStickyComment } from './upsert-sticky-comment.js'
export type { StickyCommentOutcome, StickyCommentResult, UpsertStickyCommentOptions } from './upsert-sticky-comment.js'
export { STATUS_DESCRIPTION_LIMIT, commitStateForPhase, executionStatusContext, setCommitStatus } from './set-commit-status.js'
export type { CommitState, CommitStatusResult, SetCommitStatusOptions } from './set-commit-status.js'
export { openPullRequest } from './open-pull-request.js'
export { commentOnPullRequestOf, findPullRequestOfCommit } from './pull-request-of-commit.js'
export type { CommitPullRequestOptions } from './pull-request-of-commit.js'
export type { OpenedPullRequest, OpenPullRequestOptions } from './open-pull-request.js'
export { createProgressReporter } from './create-progress-reporter.js'
export type { ProgressOutcome, ProgressReporter, ProgressReporterOptions, ProgressUpdate } from './create-progress-reporter.js'
export { MAX_COMMANDS_PER_COMMENT, parseCommentCommands } from './parse-comment-commands.js'
export type { CommandParseError, CommandTarget, CommentCommand, ParsedCommentCommands } from './parse-comment-commands.js'
export { authorizeGateAction, resolveReviewerFacts } from './authorize-gate-action.js'
export type { AuthorizeGateActionOptions, GateAuthorization, GateReviewersLike, RepositoryAccessLookup, ReviewerFacts } from './authorize-gate-action.js'
export { createRepositoryAccessLookup } from './create-repository-access-lookup.js'
export type { RepositoryAccessLookupOptions } from './create-repository-access-lookup.js'
export { handleCommentCommands } from './handle-comment-commands.js'
export type { CommentCommandsOutcome, HandleCommentCommandsOptions } from './handle-comment-commands.js'
export type {
  CommandComment,
  CommandOrigin,
  CommandRecordResult,
  CommandRefusalReason,
  CommandRequest,
  CommandResolver,
  CommandResult,
  OnCommand,
  ResolvedExecution,
  ResolvedGate,
} from './comment-command-types.js'
export { commentCommandsWebhook } from './comment-commands-webhook.js'
export type { CommentCommandsWebhookOptions } from './comment-commands-webhook.js'
export { pollCommentCommands } from './poll-comment-commands.js'
export type { PollCommentCommandsOptions, PolledCommentCommands } from './poll-comment-commands.js'
export { PULL_REQUEST_FILES_LIMIT, listPullRequestFiles, readRepositoryFile } from './read-pull-request-files.js'
export type { PullRequestFile, RepositoryFile } from './read-pull-request-files.js'
export { GITHUB_ERROR_CODES, GitHubApiError, RedactedRequestError, redactToken } from './github-api-error.js'
export type { GitHubApiErrorData, GitHubErrorCode } from './github-api-error.js'
export { DEFAULT_GITHUB_RETRY_POLICY } from './retry-policy.js'
export { createSystemClock } from './create-system-clock.js'
export type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'
