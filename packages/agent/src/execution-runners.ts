import { mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { setCondition, type Condition, type ExecutionStatus, type GateNodeObservation } from '@planspec/core'
import { isPolledExternal, observeExternals, runExecution, type PreparedRun, type RunWiring } from '@planspec/engine'
import type { LeaseLostError, LogBlob } from '@planspec/git-store'
import type { ChangeAuthor, StatusDoc } from './types.js'

/** What a round knows about one Execution it holds the lease of. */
export interface ExecutionContext {
  readonly subject: string
  readonly namespace: string
  readonly name: string
  /** The Execution's generation (observed spec changes); written as observedGeneration. */
  readonly generation: number
  /** The commit that introduced the Execution (its pull request gets the progress comment). */
  readonly introducedIn: string
  /** The run input as of the revision the run started on (immutability, DECISIONS §3). */
  readonly prepared: PreparedRun
  /** The status document last written, if any. */
  readonly doc: StatusDoc | undefined
  /** The revision the desired state was read at. */
  readonly revision: string
  readonly cancel: boolean
  /** Who created the Execution (recorded once in its status, under the agents' proof). */
  readonly changeAuthor?: ChangeAuthor
  /** A `StatusTampered` condition the run's status keeps (its file was changed by a non-agent). */
  readonly tampered?: Condition
  /** Requests on this run that did not count, and why (kept in its status). */
  readonly refusedRequests?: readonly { readonly id: string; readonly reason: string }[]
  /** A retry request not yet applied. */
  readonly retry?: { readonly id: string; readonly nodes?: readonly string[] }
  /** Completed claimable work (request id, node, outputs) not yet applied. */
  readonly completions: readonly { readonly id: string; readonly node: string; readonly outputs?: Record<string, unknown>; readonly failed?: boolean; readonly message?: string }[]
  /** The Gate a Gate node waits on: its current decision (NotFound when the Gate does not exist). */
  readonly gate: (ref: { readonly name: string; readonly namespace: string }) => GateNodeObservation
  /** The phase of a resource an External node waits on. */
  readonly resourcePhase: (ref: { name: string; kind?: string; namespace?: string }) => string | undefined
}

/** The effects of the runners. */
export interface ExecutionRunnersDeps {
  /** How runs are wired (providers, allow-lists, redaction, acceptance checks): the engine's one wiring for every mode. */
  readonly wiring: RunWiring
  /** Where each run gets its own fresh, randomly named, owner-only (0700) working directory. */
  readonly workspaceRoot: string
  readonly now: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  /** Durably writes an Execution's status document with the logs of the attempts it records (rejects with LeaseLostError when the lease is gone). */
  readonly save: (doc: StatusDoc, revision: string, logs?: readonly LogBlob[]) => Promise<void>
  /** Commits what running attempts printed so far (log blobs alone; rejects with LeaseLostError when the lease is gone). */
  readonly saveLogs?: (logs: readonly LogBlob[], revision: string) => Promise<void>
  /** How often running attempts' output is committed (default 5 s: each is a status commit). */
  readonly logFlushMs?: number
  /** Told about every status change of a run. */
  readonly onChange?: (subject: string, next: ExecutionStatus, previous: ExecutionStatus | undefined, context: ExecutionContext) => void
  /** Told when a run stops: finished, blocked on people, lease lost or crashed. */
  readonly onStop?: (subject: string, outcome: { readonly status?: ExecutionStatus; readonly error?: unknown }) => void
  /** How often gates and externals are re-read while a run waits (default 1 s). */
  readonly pollMs?: number
}

/** The running Executions of this agent. */
export interface ExecutionRunners {
  /** Starts the run of `ctx` unless it is running; a running one sees the new context (cancel, gates). */
  ensure(ctx: ExecutionContext): void
  /** Subjects being run now. */
  running(): readonly string[]
  /** A mark of the runs ended so far, taken before reading the status branch (see `endedSince`). */
  mark(): number
  /**
   * Subjects whose run ended after `mark`: a status read before then is older than what that run
   * wrote last, so a round holding such a read must neither start the run again from it nor write
   * the Execution's document from it.
   */
  endedSince(mark: number): ReadonlySet<string>
  /** Cancels nothing: waits until every run stopped on its own (used by `--once` and tests). */
  settled(): Promise<void>
  /** Stops every run without cancelling its work: the next agent re-attaches (AgentRestarted). */
  abandon(): void
}

type Active = { latest: ExecutionContext; readonly controller: AbortController; done: Promise<void> }

/**
 * Creates the runners: one `runExecution` per leased, unfinished Execution, with its status
 * saved through the status writer before every dispatch (the intent is durable first, THREATS
 * T1), gates answered from the Gate statuses the agent reconciles, claimable work completed from
 * request files, and cancellation through the run's abort signal.
 *
 * @example
 * const runners = createExecutionRunners({ wiring: createRunWiring({ policy }), workspaceRoot, now: clock, sleep, save })
 * runners.ensure(context)
 */
export function createExecutionRunners(deps: ExecutionRunnersDeps): ExecutionRunners {
  const active = new Map<string, Active>()
  const abandoned = new AbortController()
  // How many runs have ended, and when (in that count) each subject's last run ended.
  let ended = 0
  const endedAt = new Map<string, number>()

  const start = (ctx: ExecutionContext): void => {
    const controller = new AbortController()
    const entry: Active = { latest: ctx, controller, done: Promise.resolve() }
    if (ctx.cancel) controller.abort()
    // A fresh, unpredictable, owner-only directory per run (THREATS T10: no run reads another's files).
    mkdirSync(deps.workspaceRoot, { recursive: true, mode: 0o700 })
    const workspace = mkdtempSync(join(deps.workspaceRoot, `${ctx.namespace}-${ctx.name}-`))
    const applied = new Set<string>([...(ctx.retry ? [ctx.retry.id] : []), ...(ctx.doc?.appliedRequests ?? [])])
    const toDoc = (status: ExecutionStatus): StatusDoc => ({
      kind: 'Execution',
      namespace: ctx.namespace,
      name: ctx.name,
      uid: ctx.prepared.input.uid,
      observedGeneration: entry.latest.generation,
      sourceRevision: entry.latest.revision,
      runRevision: ctx.doc?.runRevision ?? ctx.revision,
      appliedRequests: [...applied],
      ...(entry.latest.refusedRequests?.length ? { refusedRequests: entry.latest.refusedRequests.slice(-100) } : {}),
      ...((entry.latest.changeAuthor ?? ctx.doc?.changeAuthor) ? { changeAuthor: (ctx.doc?.changeAuthor ?? entry.latest.changeAuthor)! } : {}),
      status: entry.latest.tampered ? { ...status, conditions: setCondition(status.conditions, entry.latest.tampered, entry.latest.tampered.lastTransitionTime) } : status,
    })
    const done = runExecution(ctx.prepared.input, {
      ...deps.wiring.runDeps(workspace),
      now: deps.now,
      sleep: deps.sleep,
      state: {
        load: async () => ctx.doc?.status as ExecutionStatus | undefined,
        save: async (status, logs) => {
          if (abandoned.signal.aborted) throw new Error('agent stopping')
          const blobs = (logs ?? []).map((l) => ({ namespace: ctx.namespace, execution: ctx.name, node: l.node, attempt: l.attempt, stream: l.stream, text: l.text }))
          await (blobs.length === 0 ? deps.save(toDoc(status), entry.latest.revision) : deps.save(toDoc(status), entry.latest.revision, blobs))
        },
        ...(deps.saveLogs === undefined
          ? {}
          : {
              saveLogs: async (logs) => {
                if (abandoned.signal.aborted) return
                await deps.saveLogs?.(logs.map((l) => ({ namespace: ctx.namespace, execution: ctx.name, node: l.node, attempt: l.attempt, stream: l.stream, text: l.text })), entry.latest.revision)
              },
            }),
      },
      gate: async (_node, ref) => entry.latest.gate({ name: ref.name, namespace: ref.namespace ?? ctx.namespace }),
      external: observeExternals(ctx.prepared.externals, deps.wiring.providers, (ref) => entry.latest.resourcePhase(ref)),
      externalPolled: (node) => isPolledExternal(ctx.prepared.externals.get(node), { resources: true }),
      waitForPeople: async () => {
        const fresh = entry.latest.completions.filter((c) => !applied.has(c.id))
        for (const c of fresh) applied.add(c.id)
        return fresh.map((c) => ({ node: c.node, outcome: c.failed ? ('failed' as const) : ('succeeded' as const), ...(c.outputs ? { outputs: c.outputs } : {}), ...(c.message ? { message: c.message } : {}) }))
      },
      signal: controller.signal,
      ...(ctx.retry ? { retryRequested: { ...(ctx.retry.nodes ? { nodes: ctx.retry.nodes } : {}) } } : {}),
      onChange: (next, previous) => deps.onChange?.(ctx.subject, next, previous, entry.latest),
      pollMs: deps.pollMs ?? 1000,
      logFlushMs: deps.logFlushMs ?? 5000,
    })
      .then((status) => deps.onStop?.(ctx.subject, { status }))
      .catch((error: unknown) => deps.onStop?.(ctx.subject, { error: error as LeaseLostError }))
      .finally(() => {
        active.delete(ctx.subject)
        endedAt.set(ctx.subject, ++ended)
      })
    entry.done = done
    active.set(ctx.subject, entry)
  }

  return {
    ensure(ctx) {
      const running = active.get(ctx.subject)
      if (running === undefined) return start(ctx)
      running.latest = ctx
      if (ctx.cancel && !running.controller.signal.aborted) running.controller.abort()
    },
    running: () => [...active.keys()],
    mark: () => ended,
    endedSince(mark) {
      const subjects = new Set<string>()
      if (mark === ended) return subjects
      for (const [subject, at] of endedAt) if (at > mark) subjects.add(subject)
      return subjects
    },
    async settled() {
      while (active.size > 0) await Promise.all([...active.values()].map((a) => a.done))
    },
    abandon() {
      abandoned.abort()
    },
  }
}
