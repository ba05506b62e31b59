import type { DesiredResource } from '@planspec/git-store'
import { Octokit } from '@octokit/rest'
import type { ChangeAuthor, ExecutionChange, GitAgentRepo } from '@planspec/agent'
import type { Redactor } from '@planspec/core'
import { createSystemClock, type Clock } from '@planspec/github'
import type { Logger } from 'pino'
import { UsageError, type CommandIO } from '../../io.js'
import { VERSION } from '../../version.js'
import { createGitHubBridge, type AgentServer, type GitHubBridge, type GitHubBridgeEvent } from './github-agent.js'
import { observeAgentRepo } from './observe-agent-repo.js'
import { durationFlag } from '../../duration-flag.js'

/** The GitHub flags of `planspec agent`. Credentials come from the environment only. */
export interface GitHubFlags {
  /** `OWNER/REPO`: turns the GitHub side on. */
  readonly githubRepo?: string
  /** The REST API root (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3). */
  readonly githubApiUrl?: string
  /** Poll comment commands this often (default: the agent interval when no webhook is served). */
  readonly githubPoll?: string
  /** At most one progress write per Execution this often (default 10s). */
  readonly githubProgressInterval?: string
}

/** What the agent's effects need to know about the GitHub side. */
export interface GitHubWiringDeps {
  readonly repo: GitAgentRepo
  /** The agent's team map and writers (the bridge adds members it verified through GitHub). */
  readonly teams: Map<string, string[]>
  readonly writers: string[]
  readonly logger: Logger
  /** Masks known secrets in everything written to GitHub (comment bodies, commit status descriptions). */
  readonly redactor: Redactor
  /** The agent's poll interval: the default of `--github-poll` when no webhook is served. */
  readonly defaultPollMs: number
  /** Wakes the agent (after a request was recorded). */
  readonly trigger: () => void
}

/** The GitHub side, wired: give `repo` and `onExecutionChange` to the agent, `register` and `start` it, and `close` it at the end. */
export interface GitHubWiring {
  /**
   * The agent's repository, observed (comment commands resolve against what the agent read), with
   * change authors taken from pull requests: pass it to the agent as its repository and trust.
   */
  readonly repo: GitAgentRepo
  readonly bridge: GitHubBridge
  readonly onExecutionChange: (change: ExecutionChange) => void
  /** Registers the webhook on `server` when `PLANSPEC_GITHUB_WEBHOOK_SECRET` is set; call before `listen`. */
  register(server: AgentServer | undefined): Promise<void>
  /** Starts polling for comment commands (`--github-poll`, or the agent interval without a webhook). */
  start(): void
  /** Stops polling and delivers the progress still queued. */
  close(): Promise<void>
}

const DEFAULT_API_URL = 'https://api.github.com'
const DEFAULT_PROGRESS_MS = 10_000
/** The first poll looks back this far, for comments made while no agent ran (answered ones are skipped). */
const FIRST_POLL_LOOKBACK_MS = 10 * 60_000

/**
 * Wires `planspec agent` to GitHub when `--github-repo OWNER/REPO` is given (undefined otherwise):
 * an Octokit for `--github-api-url` with the token from `PLANSPEC_GITHUB_TOKEN` or
 * `GITHUB_TOKEN` (never a flag: it would land in shell history and process lists), the bridge
 * (progress comments, commit statuses, comment commands), the webhook `POST /github/webhook` on
 * the agent's `--listen` app when `PLANSPEC_GITHUB_WEBHOOK_SECRET` is set, and the polling
 * fallback: every `--github-poll`, or every agent interval when no webhook is served. Logs one
 * line per handled comment and per failed GitHub write; never logs comment bodies or secrets.
 * Throws `UsageError` for a malformed flag or a missing token.
 */
export function wireGitHub(flags: GitHubFlags, io: CommandIO, deps: GitHubWiringDeps): GitHubWiring | undefined {
  if (flags.githubRepo === undefined) {
    const stray = flags.githubApiUrl !== undefined ? '--github-api-url' : flags.githubPoll !== undefined ? '--github-poll' : flags.githubProgressInterval !== undefined ? '--github-progress-interval' : undefined
    if (stray !== undefined) throw new UsageError(`${stray} needs --github-repo OWNER/REPO`)
    return undefined
  }
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(flags.githubRepo)
  if (match === null) throw new UsageError(`--github-repo must be OWNER/REPO, got ${JSON.stringify(flags.githubRepo)}`)
  const [, owner = '', name = ''] = match
  const baseUrl = (flags.githubApiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '')
  if (!/^https?:\/\/[^\s/]+/i.test(baseUrl)) throw new UsageError(`--github-api-url must be an http(s) URL, got ${JSON.stringify(flags.githubApiUrl)}`)
  const token = io.env.PLANSPEC_GITHUB_TOKEN || io.env.GITHUB_TOKEN
  if (!token) throw new UsageError('--github-repo needs a token in PLANSPEC_GITHUB_TOKEN or GITHUB_TOKEN')
  const pollMs = flags.githubPoll === undefined ? undefined : durationFlag(flags.githubPoll, '--github-poll')
  const intervalMs = flags.githubProgressInterval === undefined ? DEFAULT_PROGRESS_MS : durationFlag(flags.githubProgressInterval, '--github-progress-interval')
  const secret = io.env.PLANSPEC_GITHUB_WEBHOOK_SECRET || undefined

  const log = deps.logger.child({ github: `${owner}/${name}` })
  // Octokit logs every 4xx on the console; the bridge reports failures itself.
  const quiet = (): void => undefined
  const octokit = new Octokit({ auth: token, baseUrl, userAgent: `planspec-agent/${VERSION}`, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } })
  // The one place every GitHub write passes: PR comments and commit statuses are a sink too
  // (DECISIONS §9). Only the text fields are masked, never the request's own credentials.
  octokit.hook.before('request', (options) => {
    for (const field of ['body', 'description', 'title'] as const) {
      const value = (options as Record<string, unknown>)[field]
      if (typeof value === 'string') (options as Record<string, unknown>)[field] = deps.redactor.redact(value)
    }
  })
  const clock = createSystemClock()
  const changeAuthor = pullRequestAuthors(octokit, owner, name, deps.repo, log)
  const observed = observeAgentRepo({ ...deps.repo, changeAuthor })
  const bridge = createGitHubBridge({
    octokit,
    owner,
    repo: name,
    clock,
    intervalMs,
    appendRequest: (request, author) => deps.repo.appendRequest(request, author),
    snapshot: () => observed.latest(),
    changeAuthor,
    teams: deps.teams,
    writers: deps.writers,
    onRecorded: () => deps.trigger(),
    onEvent: (event) => logEvent(log, event),
  })
  const stopped = new AbortController()
  let polling: Promise<void> | undefined
  let webhook = false

  return {
    repo: observed.repo,
    bridge,
    onExecutionChange: (change) => bridge.onExecutionChange(change),
    async register(server) {
      if (secret !== undefined && server !== undefined) {
        await bridge.registerWebhook(server, secret)
        webhook = true
      } else if (secret !== undefined) log.warn('PLANSPEC_GITHUB_WEBHOOK_SECRET is set but the agent serves no HTTP (--listen): polling for comment commands instead')
    },
    start() {
      const every = pollMs ?? (webhook ? undefined : deps.defaultPollMs)
      if (every === undefined || polling !== undefined) return
      log.info({ everyMs: every }, 'polling GitHub for comment commands')
      polling = pollLoop(bridge, every, new Date(clock.now() - FIRST_POLL_LOOKBACK_MS).toISOString(), { clock, log, signal: stopped.signal })
    },
    async close() {
      stopped.abort()
      await polling
      await bridge.flush()
    },
  }
}

/**
 * Change authors on GitHub (DECISIONS §9): the author of the pull request that added the resource
 * (the one that merged the commit git history names), else git's answer (its signer or author)
 * when the commit came in without a pull request or GitHub cannot be asked. Cached per commit.
 */
function pullRequestAuthors(octokit: Octokit, owner: string, repo: string, agentRepo: GitAgentRepo, log: Logger): (item: DesiredResource) => Promise<ChangeAuthor | undefined> {
  const byCommit = new Map<string, Promise<string | undefined>>()
  return async (item) => {
    const found = await agentRepo.changeAuthor(item)
    if (found === undefined) return undefined
    let login = byCommit.get(found.commit)
    if (login === undefined) {
      login = octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: found.commit, per_page: 100 }).then(
        (response) => {
          const pulls = response.data
          const pull = pulls.find((p) => p.merged_at !== null && p.merged_at !== undefined) ?? pulls[0]
          return pull?.user?.login?.toLowerCase()
        },
        (error: unknown) => {
          byCommit.delete(found.commit)
          log.warn({ commit: found.commit, code: codeOf(error) }, `could not find the pull request of ${found.commit.slice(0, 12)}: ${messageOf(error)}; the commit's signer or author is the change author`)
          return undefined
        },
      )
      byCommit.set(found.commit, login)
    }
    const author = await login
    return author === undefined ? found : { subject: `user:${author}`, commit: found.commit }
  }
}

/** Polls until `signal` aborts; a failed poll is logged and tried again next time. */
async function pollLoop(bridge: GitHubBridge, everyMs: number, since: string, deps: { clock: Clock; log: Logger; signal: AbortSignal }): Promise<void> {
  let cursor = since
  while (!deps.signal.aborted) {
    try {
      cursor = await bridge.poll(cursor)
    } catch (error) {
      deps.log.warn({ code: codeOf(error) }, `polling comment commands failed: ${messageOf(error)}`)
    }
    await deps.clock.sleep(everyMs, deps.signal)
  }
}

function logEvent(log: Logger, event: GitHubBridgeEvent): void {
  if (event.type === 'comment') {
    const results = event.outcome.results.map((r) => ({ command: r.command, outcome: r.outcome, ...(r.reason === undefined ? {} : { reason: r.reason }), ...(r.errorCode === undefined ? {} : { code: r.errorCode }) }))
    const fields = { via: event.via, comment: event.comment.url, author: event.comment.author, results }
    if (event.outcome.replyError !== undefined) log.warn({ ...fields, code: event.outcome.replyError.code }, `could not reply to comment ${event.comment.id}: ${event.outcome.replyError.message}`)
    else log.info(fields, `comment ${event.comment.id} by ${event.comment.author}: ${results.map((r) => `${r.command} ${r.outcome}`).join(', ') || 'no commands'}`)
    return
  }
  if (event.type === 'progress') {
    const { outcome } = event
    if (outcome.error !== undefined) log.warn({ subject: outcome.subject, code: outcome.error.code }, `progress of ${outcome.subject} not posted: ${outcome.error.message}`)
    else log.debug({ subject: outcome.subject, comment: outcome.comment, status: outcome.status }, `progress of ${outcome.subject} posted`)
    return
  }
  log.warn({ where: event.where, code: codeOf(event.error) }, `GitHub ${event.where} failed: ${messageOf(event.error)}`)
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

