import { PlanSpecError } from '@planspec/core'
import { stickyMarker } from '@planspec/reporter'
import { GITHUB_ERROR_CODES, GitHubApiError } from './github-api-error.js'
import { callContext } from './internal/call-context.js'
import { callGitHub, type CallContext } from './internal/call-github.js'
import { findPullRequestOfCommit } from './pull-request-of-commit.js'
import { fitCommentBody } from './internal/fit-comment-body.js'
import { executionStatusContext, setCommitStatus, type CommitState } from './set-commit-status.js'
import { upsertStickyComment, type StickyCommentOutcome } from './upsert-sticky-comment.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** The latest progress of one Execution, as the agent reports it after each round. */
export interface ProgressUpdate {
  readonly owner: string
  readonly repo: string
  readonly namespace: string
  /** The Execution's name. */
  readonly execution: string
  /** The pull request to comment on; when absent, the one that introduced `commit` is looked up. */
  readonly pullRequest?: number
  /** The commit that introduced the Execution: finds its pull request and carries the commit status. */
  readonly commit?: string
  /** The progress comment (e.g. the reporter's execution progress Markdown). */
  readonly body: string
  /** A commit status to set on `commit` with the comment (context `planspec/<namespace>/<execution>`). */
  readonly status?: { readonly state: CommitState; readonly description: string; readonly targetUrl?: string }
}

/** What one delivery did; `error` is set instead of throwing (coded `PLANSPEC_ERR_GITHUB_*`). */
export interface ProgressOutcome {
  /** `execution/<namespace>/<name>`. */
  readonly subject: string
  /** `skipped`: no pull request introduced the commit. */
  readonly comment?: StickyCommentOutcome | 'skipped'
  readonly commentId?: number
  readonly status?: 'set' | 'unchanged'
  readonly error?: PlanSpecError
}

/** Arguments of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  readonly octokit: GitHubClient
  readonly clock: Clock
  /** At most one delivery per Execution per interval (GitHub allows ~80 content-creating requests a minute). */
  readonly intervalMs: number
  readonly policy?: GitHubRetryPolicy
  /** Told every outcome as it happens (for logs and metrics); never awaited. */
  readonly onOutcome?: (outcome: ProgressOutcome) => void
}

/** Posts execution progress to pull requests, coalesced. */
export interface ProgressReporter {
  /** Queues the latest state of an Execution; never throws and never waits. */
  report(update: ProgressUpdate): void
  /** Delivers everything still queued now, waits for deliveries in flight, and returns the outcomes since the last flush. */
  flush(): Promise<readonly ProgressOutcome[]>
}

/** Outcomes kept between two flushes. */
const OUTCOMES_KEPT = 1000

interface Slot {
  pending?: ProgressUpdate
  lastSentAt?: number
  timer?: { readonly controller: AbortController; readonly done: Promise<void> }
  sending?: Promise<void>
  commentId?: number
  lastBody?: string
  lastStatus?: string
}

/**
 * Creates a reporter that keeps one sticky progress comment per Execution on the pull request
 * that introduced it (marker `progress/<namespace>/<name>`), and optionally its commit status.
 *
 * Coalescing: reports for one Execution are delivered at most once per `intervalMs`; a report
 * that arrives while a delivery is due or running replaces the queued one (latest state wins),
 * so many reports in one interval cost one write. The first report of an Execution is delivered
 * on the next clock tick. `flush()` delivers what is queued at once, for the end of a run.
 * Unchanged bodies and statuses are not written again.
 *
 * GitHub failures never escape into the caller's loop: rate limits are waited out on `clock`
 * (`retry-after`, or `x-ratelimit-remaining: 0` until `x-ratelimit-reset`), 5xx are retried with
 * backoff, and what still fails (404, 422, …) becomes an outcome with a coded `error`.
 *
 * @example
 * const progress = createProgressReporter({ octokit, clock: createSystemClock(), intervalMs: 10_000 })
 * progress.report({ owner, repo, namespace: 'default', execution: 'release-1', commit, body })
 * await progress.flush()
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { octokit, clock, intervalMs } = options
  const context: CallContext = callContext({ clock, ...(options.policy === undefined ? {} : { policy: options.policy }) })
  const slots = new Map<string, Slot>()
  const pullsByCommit = new Map<string, number | null>()
  let outcomes: ProgressOutcome[] = []

  const schedule = (slot: Slot): void => {
    const due = slot.lastSentAt === undefined ? clock.now() : slot.lastSentAt + intervalMs
    const controller = new AbortController()
    const done = clock.sleep(Math.max(0, due - clock.now()), controller.signal).then(() => {
      slot.timer = undefined
      startSend(slot)
    })
    slot.timer = { controller, done }
  }

  const startSend = (slot: Slot): void => {
    const update = slot.pending
    if (update === undefined) return
    slot.pending = undefined
    slot.lastSentAt = clock.now()
    slot.sending = deliver(slot, update)
      .then((outcome) => {
        // Bounded, for a caller that never flushes: the newest outcomes are kept.
        if (outcomes.push(outcome) > OUTCOMES_KEPT) outcomes.shift()
        options.onOutcome?.(outcome)
      })
      .finally(() => {
        slot.sending = undefined
        if (slot.pending !== undefined && slot.timer === undefined) schedule(slot)
      })
  }

  const deliver = async (slot: Slot, update: ProgressUpdate): Promise<ProgressOutcome> => {
    const subject = `execution/${update.namespace}/${update.execution}`
    let outcome: ProgressOutcome = { subject }
    try {
      const pull = update.pullRequest ?? (update.commit === undefined ? null : await pullRequestOf(update, update.commit))
      if (pull === null) outcome = { ...outcome, comment: 'skipped' }
      else {
        const comment = await postComment(slot, update, pull)
        outcome = { ...outcome, comment: comment.outcome, commentId: comment.commentId }
      }
      if (update.status !== undefined && update.commit !== undefined) {
        const key = JSON.stringify(update.status)
        if (key === slot.lastStatus) outcome = { ...outcome, status: 'unchanged' }
        else {
          await setCommitStatus({
            octokit,
            owner: update.owner,
            repo: update.repo,
            sha: update.commit,
            context: executionStatusContext(update.namespace, update.execution),
            ...update.status,
            ...context,
          })
          slot.lastStatus = key
          outcome = { ...outcome, status: 'set' }
        }
      }
      return outcome
    } catch (error) {
      return { ...outcome, error: asPlanSpecError(error) }
    }
  }

  const postComment = async (slot: Slot, update: ProgressUpdate, pull: number): Promise<{ outcome: StickyCommentOutcome; commentId: number }> => {
    const marker = `progress/${update.namespace}/${update.execution}`
    const body = fitCommentBody(update.body.trimStart().startsWith(stickyMarker(marker)) ? update.body : `${stickyMarker(marker)}\n${update.body}`)
    if (slot.commentId !== undefined) {
      if (body === slot.lastBody) return { outcome: 'unchanged', commentId: slot.commentId }
      const commentId = slot.commentId
      try {
        await callGitHub('issues.updateComment', context, () => octokit.rest.issues.updateComment({ owner: update.owner, repo: update.repo, comment_id: commentId, body }))
        slot.lastBody = body
        return { outcome: 'updated', commentId }
      } catch (error) {
        // Deleted by someone: find or create it again below.
        if (!(error instanceof GitHubApiError && error.code === GITHUB_ERROR_CODES.notFound)) throw error
        slot.commentId = undefined
      }
    }
    const result = await upsertStickyComment({ octokit, owner: update.owner, repo: update.repo, issueNumber: pull, marker, body, ...context })
    slot.commentId = result.commentId
    slot.lastBody = result.body
    return result
  }

  const pullRequestOf = async (update: ProgressUpdate, commit: string): Promise<number | null> => {
    const key = `${update.owner}/${update.repo}@${commit}`
    const known = pullsByCommit.get(key)
    if (known !== undefined) return known
    const number = (await findPullRequestOfCommit({ octokit, owner: update.owner, repo: update.repo, commit, ...context })) ?? null
    pullsByCommit.set(key, number)
    return number
  }

  return {
    report(update) {
      const key = `${update.owner}/${update.repo}/${update.namespace}/${update.execution}`
      let slot = slots.get(key)
      if (slot === undefined) slots.set(key, (slot = {}))
      slot.pending = update
      if (slot.timer === undefined && slot.sending === undefined) schedule(slot)
    },
    async flush() {
      for (;;) {
        const busy = [...slots.values()].filter((slot) => slot.timer !== undefined || slot.sending !== undefined || slot.pending !== undefined)
        if (busy.length === 0) break
        const waits = busy.map((slot) => {
          if (slot.timer !== undefined) {
            slot.timer.controller.abort()
            return slot.timer.done
          }
          if (slot.sending === undefined) startSend(slot)
          return slot.sending ?? Promise.resolve()
        })
        await Promise.all(waits)
      }
      const done = outcomes
      outcomes = []
      return done
    },
  }
}

function asPlanSpecError(error: unknown): PlanSpecError {
  if (error instanceof PlanSpecError) return error
  return new GitHubApiError(`progress delivery failed: ${error instanceof Error ? error.message : String(error)}`, {
    code: GITHUB_ERROR_CODES.request,
    data: { operation: 'progress', status: 0 },
    cause: error,
  })
}
