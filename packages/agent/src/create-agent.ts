import type { DesiredState } from '@planspec/git-store'
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { backoffDelay, createRedactor, isTerminal, type ExecutionStatus, type Redactor } from '@planspec/core'
import { createRunWiring, createWorkQueue, type Policy, type Provider } from '@planspec/engine'
import { releasedLease } from '@planspec/git-store'
import type { Logger } from 'pino'
import { createAgentMetrics, type AgentMetrics } from './agent-metrics.js'
import { createExecutionRunners, type ExecutionContext, type ExecutionRunners } from './execution-runners.js'
import { createStatusWriter, type StatusWriter } from './status-writer.js'
import type { AgentScope } from './decide-leases.js'
import { syncOnce, type SyncResult } from './sync-once.js'
import { systemClock } from './system-clock.js'
import type { AgentRepo, AgentTrust } from './types.js'

/** Settings and effects of the agent. */
export interface AgentOptions {
  readonly repo: AgentRepo
  readonly logger: Logger
  readonly policy: Policy
  readonly workspaceRoot: string
  /** Poll interval (default 30 s). */
  readonly intervalMs?: number
  /** Lease length (default three intervals, at least 30 s). */
  readonly leaseMs?: number
  /** At most this many new leases per round (default 50), so several agents share the work. */
  readonly maxNewLeases?: number
  readonly scope?: AgentScope
  readonly teams?: ReadonlyMap<string, readonly string[]>
  readonly writers?: readonly string[]
  /** This agent's lease holder id (default `hostname/pid/random`). */
  readonly holder?: string
  readonly now?: () => number
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Providers (default: the built-in ones under `policy`, given `env` and journaled in `attemptsDir`). */
  readonly providers?: { forUri(uri: string): Provider | undefined }
  /** The process environment: only allow-listed variables reach commands and acceptance checks. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Where command attempts are journaled, so a restarted agent re-attaches to them. */
  readonly attemptsDir?: string
  /** Values masked in every log line. */
  readonly secrets?: readonly string[]
  /**
   * The process's redactor (DECISIONS §9): masks what runs record, every status document the agent
   * commits and its log lines; learns the secrets providers come to know. Default: one over `secrets`.
   */
  readonly redactor?: Redactor
  readonly metrics?: AgentMetrics
  /** Change authors, revision reachability and allowed signers (DECISIONS §9): the repository (`gitAgentRepo`). */
  readonly trust: AgentTrust
  readonly desiredAt: (revision: string) => Promise<DesiredState>
  /** `--allow-unsigned-requests` is on: said in a warning every round (the repository applies it). */
  readonly allowUnsignedRequests?: boolean
  /** How often runs re-read gates and externals while they wait (default 1 s). */
  readonly pollMs?: number
  /** Cap of the backoff while the remote fails (default 5 min). */
  readonly maxBackoffMs?: number
  /**
   * Told every status change of a run this agent executes, after it was written (e.g. to post
   * progress to GitHub: the composition root wires it; the agent knows no reporter).
   */
  readonly onExecutionChange?: (change: ExecutionChange) => void
}

/** One status change of a run, as {@link AgentOptions.onExecutionChange} receives it. */
export interface ExecutionChange {
  readonly subject: string
  readonly namespace: string
  readonly name: string
  readonly status: ExecutionStatus
  readonly previous: ExecutionStatus | undefined
  /** The commit that introduced the Execution. */
  readonly commit: string
  /** The graph the run executes. */
  readonly graph: ExecutionContext['prepared']['input']['graph']
}

/** A running agent. */
export interface Agent {
  /** Runs rounds until `stop()`: every interval, on `trigger()`, backing off while rounds fail. */
  run(): Promise<void>
  /** Runs rounds until a round changes nothing: every Execution in scope finished or waits on people. */
  runOnce(): Promise<SyncResult>
  /** Wakes the loop now (webhooks, the API). */
  trigger(): void
  /** Ends `run()` after the current round; running attempts are left to the next agent. */
  stop(): void
  /** Whether the agent is ready (last round succeeded within three intervals). */
  ready(): { readonly ready: boolean; readonly reason: string }
  readonly metrics: AgentMetrics
  readonly holder: string
}

/**
 * Creates the sync agent (DECISIONS §6): a loop of level-based rounds (`syncOnce`) with one
 * way to requeue (the interval, or sooner when a controller asks), capped exponential backoff
 * with full jitter while rounds fail (a dead remote), and structured logs. Several agents may
 * run against one repository: Executions are leased through compare-and-swap pushes.
 *
 * @example
 * const agent = createAgent({ repo, logger: pino(), policy, workspaceRoot, trust: repo, desiredAt: (revision) => repo.desiredAt(revision) })
 * await agent.run()
 */
export function createAgent(options: AgentOptions): Agent {
  const now = options.now ?? systemClock
  const intervalMs = options.intervalMs ?? 30_000
  const leaseMs = options.leaseMs ?? Math.max(30_000, 3 * intervalMs)
  const holder = options.holder ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`
  const metrics = options.metrics ?? createAgentMetrics()
  const sleep = options.sleep ?? realSleep
  const log = options.logger.child({ holder })
  const redactor = options.redactor ?? createRedactor()
  redactor.add(options.secrets ?? [])
  const mask = (text: string): string => redactor.redact(text)
  const wiring = createRunWiring({ policy: options.policy, redactor, ...(options.providers === undefined ? {} : { providers: options.providers }), ...(options.env === undefined ? {} : { env: options.env }), ...(options.attemptsDir === undefined ? {} : { attemptsDir: options.attemptsDir }) })
  const writer: StatusWriter = createStatusWriter({ repo: options.repo, holder, now, onConflict: () => metrics.conflicts.inc(), redactor })
  const stopped = new AbortController()
  /** Wakes the loop of run() (nothing before it starts). */
  let wakeRound = (): void => {}
  let lastOk: number | undefined
  let lastError = 'no sync round yet'
  let lastRevision: string | undefined

  const runners: ExecutionRunners = createExecutionRunners({
    wiring,
    workspaceRoot: options.workspaceRoot,
    now,
    sleep,
    pollMs: options.pollMs ?? 1000,
    saveLogs: (logs, revision) => writer.write({ logs }, revision, `logs: execution/${logs[0]?.namespace ?? ''}/${logs[0]?.execution ?? ''}`),
    save: (doc, revision, logs) => writer.write({ docs: new Map([[`execution/${doc.namespace}/${doc.name}`, doc]]), ...(logs === undefined ? {} : { logs }) }, revision, `status: execution/${doc.namespace}/${doc.name} ${(doc.status as ExecutionStatus).phase ?? ''}`.trimEnd()),
    onChange: (subject, next, previous, context) => {
      options.onExecutionChange?.({ subject, namespace: context.namespace, name: context.name, status: next, previous, commit: context.introducedIn, graph: context.prepared.input.graph })
      for (const [node, s] of Object.entries(next.nodeStatuses ?? {})) {
        const before = previous?.nodeStatuses?.[node]
        if (!s || (before?.phase === s.phase && before?.attempt === s.attempt)) continue
        metrics.transitions.inc({ phase: s.phase ?? 'Pending' })
        log.info({ subject, node, phase: s.phase, attempt: s.attempt, reason: s.reason, ...(s.phase === 'Failed' && s.message ? { message: mask(s.message) } : {}) }, `node ${node} ${s.phase}`)
      }
      if (previous?.phase !== next.phase) log.info({ subject, phase: next.phase, reason: next.reason }, `${subject} ${next.phase}`)
    },
    onStop: (subject, outcome) => {
      if (outcome.error === undefined) return
      const code = (outcome.error as { code?: string }).code
      const message = mask((outcome.error as Error)?.message ?? String(outcome.error))
      if (code === 'PLANSPEC_ERR_GIT_LEASE_LOST') log.warn({ subject, code }, message)
      else log.error({ subject, code }, `run of ${subject} stopped: ${message}`)
    },
  })

  const round = async (): Promise<SyncResult> => {
    const end = metrics.syncSeconds.startTimer()
    try {
      const result = await syncOnce({ repo: options.repo, writer, runners, holder, now, leaseMs, ...(options.maxNewLeases ? { maxNewLeases: options.maxNewLeases } : {}), scope: options.scope, teams: options.teams ?? new Map(), ...(options.writers ? { writers: options.writers } : {}), trust: options.trust, desiredAt: options.desiredAt })
      metrics.syncs.inc({ result: 'ok' })
      lastRevision = result.revision
      metrics.running.set(result.running)
      metrics.leased.set(result.leased)
      lastOk = now()
      metrics.lastSuccess.set(lastOk / 1000)
      if (options.allowUnsignedRequests) log.warn('--allow-unsigned-requests is on: requests count for their commit author without a signature; use it only for a single-user local repository')
      if (result.signersProblem) log.warn({ problem: result.signersProblem }, `the allowed-signers file cannot be used: ${result.signersProblem}`)
      for (const e of result.refusedEntries) log.warn({ file: e.file, code: e.code }, `refused ${e.file} on the tracked branch: ${e.code} ${mask(e.message)}`)
      for (const t of result.tampered) log.warn({ path: t.path, commit: t.commit, ...(t.subject ? { subject: t.subject } : {}) }, `status file ${t.path} was changed by commit ${t.commit.slice(0, 12)}, which no agent wrote: ignored, the agents' version written back (StatusTampered)`)
      for (const r of result.refusedRequests) log.warn({ request: r.id, action: r.action, target: r.target, claimed: r.claimed, reason: r.reason }, `request ${r.id} (${r.action} ${r.target}) proves no identity: ${r.reason}: ${r.message}${options.allowUnsignedRequests ? ' (counted for its author: --allow-unsigned-requests)' : ''}`)
      for (const s of result.stopped) log.error({ subject: s.subject, code: s.code }, `run of ${s.subject} not continued: ${mask(s.message)}`)
      for (const r of result.refused) log.warn({ gate: r.gate, reviewer: r.reviewer, reason: r.reason, source: r.source }, `review action by ${r.reviewer} on ${r.gate} refused: ${r.reason}`)
      if (result.historyRewritten) log.warn({ revision: result.revision }, 'the tracked branch was rewritten (force-push): read it again in full; runs keep the spec they started with')
      for (const p of result.problems) log.warn({ file: p.file }, `status branch file ${p.file} is not valid: ${mask(p.message)}`)
      if (result.restored) log.warn({ revision: result.revision, written: result.written }, 'status files were missing or invalid on the status branch: restored the last known statuses')
      const level = result.unchanged && result.written === 0 && result.backlog === 0 ? 'debug' : 'info'
      log[level]({ revision: result.revision, written: result.written, leased: result.leased, running: result.running, backlog: result.backlog }, result.backlog > 0 ? `sync round: ${result.backlog} execution(s) waiting for a lease` : 'sync round')
      return result
    } catch (error) {
      metrics.syncs.inc({ result: 'error' })
      lastError = mask((error as Error)?.message ?? String(error))
      log.error({ code: (error as { code?: string }).code }, `sync round failed: ${lastError}`)
      throw error
    } finally {
      end()
    }
  }

  /** Gives up this agent's leases so another agent takes over at once (graceful stop). */
  const releaseLeases = async (): Promise<void> => {
    const held = [...writer.held()]
    if (held.length === 0) return
    if (lastRevision === undefined) return
    const released = held.flatMap((s) => {
      const lease = releasedLease(writer.snapshot()?.leases.get(s), holder, now())
      return lease === undefined ? [] : [[s, lease] as const]
    })
    await writer.write({ leases: new Map(released) }, lastRevision, `release ${held.length} lease(s): ${holder} stopping`).catch((error: unknown) => log.warn({ code: (error as { code?: string }).code }, `could not release leases: ${(error as Error)?.message}`))
  }

  return {
    metrics,
    holder,
    async run() {
      // The engine's work queue, with one key: the interval (or a controller's sooner requeue)
      // after a round, core's backoff after a failure, and nothing after a terminal one (a bad
      // token or a missing repository is not retried forever: the agent reports it and waits
      // for trigger() or a restart).
      let inFlight: Promise<unknown> = Promise.resolve()
      const queue = createWorkQueue<'round'>({
        process: async () => {
          const current = round()
          inFlight = current.catch(() => undefined)
          const result = await current
          return { requeueAfterMs: result.requeueAfterMs === undefined ? intervalMs : Math.max(100, Math.min(intervalMs, result.requeueAfterMs)) }
        },
        backoff: { baseMs: 2000, maxMs: options.maxBackoffMs ?? 300_000, minMs: 250 },
        onError: (error, _key, failure) => {
          if (failure.terminal) log.error({ code: (error as { code?: string }).code }, `the agent stopped retrying: ${mask((error as Error)?.message ?? String(error))}; fix it, then restart the agent or trigger a sync`)
        },
      })
      wakeRound = () => queue.add('round')
      queue.add('round')
      await new Promise<void>((resolve) => (stopped.signal.aborted ? resolve() : stopped.signal.addEventListener('abort', () => resolve(), { once: true })))
      queue.stop()
      await inFlight
      runners.abandon()
      await releaseLeases()
    },
    async runOnce() {
      // A round that fails (a dead remote, a lost race) is retried with backoff, a few times.
      const attempt = async (): Promise<SyncResult> => {
        for (let failures = 1; ; failures++) {
          try {
            return await round()
          } catch (error) {
            if (failures >= 5 || isTerminal(error)) throw error
            await sleep(backoffDelay(failures, { baseMs: 500, maxMs: 8000 }, Math.random), stopped.signal)
          }
        }
      }
      let result = await attempt()
      // Runs go on until they finish or wait on people; rounds repeat until one changes nothing
      // on the status branch (gate decisions, claims and goal phases recorded).
      for (;;) {
        const before = writer.snapshot()?.head
        await runners.settled()
        result = await attempt()
        await runners.settled()
        if (writer.snapshot()?.head === before) {
          await releaseLeases()
          return result
        }
      }
    },
    trigger() {
      wakeRound()
    },
    stop() {
      stopped.abort()
    },
    ready() {
      if (lastOk === undefined) return { ready: false, reason: lastError }
      if (now() - lastOk > 3 * intervalMs + 30_000) return { ready: false, reason: `no successful sync for ${Math.round((now() - lastOk) / 1000)}s: ${lastError}` }
      return { ready: true, reason: 'synced' }
    },
  }
}

function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
