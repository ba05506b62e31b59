import type { DesiredResource } from '@planspec/git-store'
import type { AgentRepo, buildAgentServer, ChangeAuthor, ExecutionChange } from '@planspec/agent'
import type { ExecutionStatus } from '@planspec/core'
import {
  commentCommandsWebhook,
  createProgressReporter,
  createRepositoryAccessLookup,
  handleCommentCommands,
  pollCommentCommands,
  type Clock,
  type CommandComment,
  type CommandRequest,
  type CommentCommandsOutcome,
  type GitHubClient,
  type GitHubRetryPolicy,
  type ProgressOutcome,
} from '@planspec/github'
import { createCommandRecorder } from './github-command-recorder.js'
import { progressUpdateOf } from './github-progress.js'
import type { AgentSnapshot } from './observe-agent-repo.js'
import { createSnapshotResolver } from './snapshot-resolver.js'

/** The agent's HTTP app (`buildAgentServer`), a fastify instance that is not listening yet. */
export type AgentServer = ReturnType<typeof buildAgentServer>

/** What {@link createGitHubBridge} needs: the repository on GitHub, and the agent's side. */
export interface GitHubBridgeOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  readonly clock: Clock
  /** At most one progress write per Execution per interval (comments and statuses are coalesced). */
  readonly intervalMs: number
  /** The agent repository's `appendRequest`: where authorized commands are recorded. */
  readonly appendRequest: AgentRepo['appendRequest']
  /** The agent's latest snapshots (`observeAgentRepo(...).latest`): what commands resolve against. */
  readonly snapshot: () => AgentSnapshot
  /** The author of the change that created a resource (never eligible to approve its Gates). */
  readonly changeAuthor: (item: DesiredResource) => Promise<ChangeAuthor | undefined>
  /** The agent's `teams` map: team members verified through GitHub are added (see `createCommandRecorder`). */
  readonly teams: Map<string, string[]>
  /** The agent's `writers`: likewise. */
  readonly writers: string[]
  readonly policy?: GitHubRetryPolicy
  /** PlanSpec's login when it replies with a personal token (not a GitHub App or `GITHUB_TOKEN` bot). */
  readonly replyAuthor?: string
  /** Told after a request was recorded (wake the agent: `agent.trigger()`). */
  readonly onRecorded?: (request: CommandRequest, id: string) => void
  /** Told what happened, for logs and metrics; never awaited. */
  readonly onEvent?: (event: GitHubBridgeEvent) => void
}

/** What the bridge did, for logs. */
export type GitHubBridgeEvent =
  | { readonly type: 'progress'; readonly outcome: ProgressOutcome }
  | { readonly type: 'comment'; readonly via: 'webhook' | 'poll'; readonly comment: CommandComment; readonly outcome: CommentCommandsOutcome }
  | { readonly type: 'error'; readonly where: 'progress' | 'webhook' | 'poll'; readonly error: unknown }

/** The agent's GitHub side. */
export interface GitHubBridge {
  /** Pass as the agent's `onExecutionChange`: queues a progress comment and commit status. Never throws. */
  onExecutionChange(change: ExecutionChange): void
  /** Registers `POST /github/webhook` (comment commands, HMAC-checked with `secret`) on the agent's app, before it listens. */
  registerWebhook(app: AgentServer, secret: string): Promise<void>
  /**
   * Handles the command comments created since `since` (RFC 3339) that have no reply yet: the
   * polling fallback when no webhook reaches the agent. Returns the `since` of the next poll.
   * Skips the poll (returns `since`) until the agent has read the repository. Throws a
   * `GitHubApiError` when listing fails.
   */
  poll(since: string): Promise<string>
  /** Delivers the queued progress now and returns the outcomes since the last flush (at the end of a run). */
  flush(): Promise<readonly ProgressOutcome[]>
}

/** Comment ids remembered as handled, so overlapping polls do not answer a comment twice. */
const HANDLED_KEPT = 10_000

/**
 * Creates the bridge between the sync agent and GitHub (DECISIONS §5, §7):
 * - progress: every status change of a run becomes the sticky progress comment on the pull
 *   request that introduced the Execution and a commit status `planspec/<namespace>/<name>` on
 *   that commit, coalesced per Execution (`intervalMs`); GitHub failures become `progress`
 *   events with an error, never exceptions in the agent;
 * - comment commands (`/planspec approve|reject GATE [comment]`, `retry|cancel EXECUTION`,
 *   `done NODE key=value...`), from the webhook or the poller: authorized by `@planspec/github`
 *   (team membership and write access through the API; the pull request author and the change
 *   author are refused), recorded as request files by `createCommandRecorder`, and answered on
 *   the pull request.
 *
 * @example
 * const bridge = createGitHubBridge({ octokit, owner, repo, clock, intervalMs: 10_000, appendRequest, snapshot, changeAuthor, teams, writers })
 * const agent = createAgent({ ..., teams, writers, onExecutionChange: bridge.onExecutionChange })
 * await bridge.registerWebhook(app, secret)
 */
export function createGitHubBridge(options: GitHubBridgeOptions): GitHubBridge {
  const { octokit, owner, repo, clock } = options
  const retry = { clock, ...(options.policy === undefined ? {} : { policy: options.policy }) }
  const emit = (event: GitHubBridgeEvent): void => options.onEvent?.(event)
  const runs = new Map<string, ExecutionStatus>()
  const resolver = createSnapshotResolver({ snapshot: options.snapshot, changeAuthor: options.changeAuthor, runs })
  const onCommand = createCommandRecorder({
    appendRequest: options.appendRequest,
    resolver,
    lookup: () => createRepositoryAccessLookup({ octokit, owner, repo, ...retry }),
    teams: options.teams,
    writers: options.writers,
    ...(options.onRecorded === undefined ? {} : { onRecorded: options.onRecorded }),
  })
  const progress = createProgressReporter({ octokit, intervalMs: options.intervalMs, ...retry, onOutcome: (outcome) => emit({ type: 'progress', outcome }) })
  const handled = new Set<number>()
  const remember = (id: number): void => {
    handled.add(id)
    if (handled.size > HANDLED_KEPT) handled.delete(handled.values().next().value as number)
  }

  return {
    onExecutionChange(change) {
      try {
        runs.set(change.subject, change.status)
        const now = new Date(clock.now()).toISOString()
        progress.report(progressUpdateOf(change, { owner, repo, now, gate: (namespace, name) => resolver.progressGate(namespace, name) }))
      } catch (error) {
        emit({ type: 'error', where: 'progress', error })
      }
    },
    async registerWebhook(app, secret) {
      await app.register(commentCommandsWebhook, {
        secret,
        octokit,
        resolver,
        onCommand,
        repository: { owner, repo },
        ...retry,
        onHandled: (outcome, comment) => {
          remember(comment.id)
          emit({ type: 'comment', via: 'webhook', comment, outcome })
        },
        onError: (error) => emit({ type: 'error', where: 'webhook', error }),
      })
    },
    async poll(since) {
      if (options.snapshot().desired === undefined) return since
      const { comments, next } = await pollCommentCommands({ octokit, owner, repo, since, ...retry, ...(options.replyAuthor === undefined ? {} : { replyAuthor: options.replyAuthor }) })
      for (const comment of comments) {
        if (handled.has(comment.id)) continue
        remember(comment.id)
        const outcome = await handleCommentCommands({ octokit, comment, resolver, onCommand, ...retry })
        emit({ type: 'comment', via: 'poll', comment, outcome })
      }
      return next
    },
    flush: () => progress.flush(),
  }
}
