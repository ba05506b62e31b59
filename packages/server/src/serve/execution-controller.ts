import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { ExecutionStatus, Redactor, ObjectKey, StoredResource } from '@planspec/core'
import { createRunWiring, createWorkQueue, isPolledExternal, observeExternals, runExecution, type Policy, type Provider } from '@planspec/engine'
import type { ApiStore } from '../store/api-store.js'
import type { Lease } from '../store/leases.js'
import { CANCEL_ANNOTATION } from '../server/admit-status.js'
import { completionsOf, planFound } from './completions-of.js'
import { BindingNotFoundError, observeStoredGate, prepareStoredRun, RUN_SOURCE_KEY, storedPhase } from './prepare-stored-run.js'
import { pendingRetry, RETRY_APPLIED_KEY, type RetryRequest } from './pending-retry.js'
import { claimExecutionLease, type HeldLease, type LeaseSettings } from './execution-lease.js'
import { recordNotPrepared, RunStoppedError, sleepUnlessStopping, storedRunState } from './stored-run-state.js'

/** What the Execution controller needs. */
export interface ExecutionControllerOptions {
  readonly store: ApiStore
  /** Allow-lists of `exec://` commands and `http(s)://` URLs (default: nothing allowed). */
  readonly policy?: Policy
  /** Root of the working directories: each Execution runs in `<workspace>/<namespace>/<name>`. */
  readonly workspace: string
  /** Providers (default: the built-in ones under `policy`). */
  readonly providers?: { forUri(uri: string): Provider | undefined }
  /** The clock, epoch milliseconds (default `Date.now`). */
  readonly now?: () => number
  /** How often a waiting run re-reads its gates and externals (default 1 s). */
  readonly pollMs?: number
  /** Told every status change of a run, after it was stored. */
  readonly onChange?: (key: ObjectKey, next: ExecutionStatus, previous: ExecutionStatus | undefined) => void
  /** Told about runs that failed with an error (retried with backoff, unless the error is terminal). */
  readonly onError?: (error: unknown, key: ObjectKey) => void
  /** At most this many Executions are looked at per second, in bursts of as many (default: no limit). */
  readonly ratePerSecond?: number
  /** Every Execution is looked at again this often, whatever changed (default 30 s). */
  readonly resyncMs?: number
  /** Masks known secrets in what attempts report; providers register the secrets they learn on it. */
  readonly redactor?: Redactor
  /** The environment commands' explicit environments are built from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** This replica's identity in the store's leases (default `<host>/<pid>/<random>`). */
  readonly holder?: string
  /** How long a run's lease lasts without renewal (default 15 s): a dead replica's runs are taken over after it. */
  readonly leaseMs?: number
  /** Told when this replica lost a run's lease to another replica (`renewal`) or had a write refused for it (`fenced`). */
  readonly onLeaseLost?: (key: ObjectKey, how: 'renewal' | 'fenced', lease: Lease) => void
}

/** The default identity of a replica in the leases: host, process and a random part (a restarted process is a new holder). */
export const defaultHolder = (): string => `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`

/** A running Execution controller. */
export interface ExecutionController {
  /** Subjects (`execution/namespace/name`) being run now. */
  running(): readonly string[]
  /** Resolves once nothing is queued, no run is active and no failed run waits for its backoff. */
  settled(): Promise<void>
  /** Stops watching and ends every run without cancelling it (the next start resumes it). Idempotent. */
  stop(): Promise<void>
}

interface Active {
  /** The uid of the object being run: a new object with the same name is another run. */
  readonly uid: string | undefined
  readonly lease: HeldLease
  readonly controller: AbortController
  /** Resolves when the run has stopped. */
  readonly done: Promise<void>
}

const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Cancelled'])
const STOP_GRACE_MS = 5_000
// Changes that can move a stopped (Blocked or not yet prepared) run on.
const WAKING_KINDS: ReadonlySet<string> = new Set(['Gate', 'Plan', 'Binding'])

/** How failed runs are retried (core's one backoff formula). */
const RETRY_BACKOFF = { baseMs: 500, maxMs: 30_000, minMs: 100 } as const

/**
 * Starts the controller that runs Executions inside `serve` (DECISIONS §3), modelled on the git-mode
 * agent's runners: every non-terminal Execution in the store is run with the engine's
 * `runExecution`, one run at a time per Execution. Level-based: any change of an Execution (and of
 * a Gate, Plan or Binding) makes it look again at what is stored.
 * - The status is stored after every transition, before any dispatch, with compare-and-swap
 *   (re-read and retried on conflict). The resources the run started with are pinned in the status
 *   (`extensions['io.planspec.runSource']`): a later change of the Plan or a Binding does not alter it.
 * - Gate nodes observe the Gate's status in the store (`NotFound` when it does not exist);
 *   External `resource` references the referenced object's phase.
 * - `planspec.io/cancel: "true"` aborts the run (running attempts are cancelled through their
 *   providers); `planspec.io/retry` (and `planspec.io/retry-nodes`) re-opens a Failed run once: the
 *   applied request is remembered in `extensions['io.planspec.retryApplied']`.
 * - Claimable work (`human://`, `agent://` without a command) stays `Blocked` until it is completed
 *   through `POST .../executions/NAME/complete`.
 * - Keys go through the engine's work queue (`createWorkQueue`, as the other controllers and the
 *   agent): one run per Execution at a time, runs side by side, at most `ratePerSecond` looked at
 *   per second when set; a run that throws is retried with core's backoff, a terminal error (`isTerminal`) is
 *   reported and not retried until the Execution (or a Gate, Plan or Binding) changes again.
 *
 * @example
 * const executions = startExecutionController({ store, workspace: '/var/lib/planspec/runs', policy: { allowCommands: [], allowUrls: [] } })
 * await executions.stop()
 */
export function startExecutionController(options: ExecutionControllerOptions): ExecutionController {
  const { store } = options
  // Attempts are journaled beside the workspaces: a restarted server re-attaches to them.
  const wiring = createRunWiring({
    policy: options.policy ?? { allowCommands: [], allowUrls: [] },
    attemptsDir: join(options.workspace, '.attempts'),
    ...(options.redactor === undefined ? {} : { redactor: options.redactor }),
    ...(options.providers === undefined ? {} : { providers: options.providers }),
    ...(options.env === undefined ? {} : { env: options.env }),
  })
  const { providers } = wiring
  const now = options.now ?? Date.now
  const stopping = new AbortController()
  const active = new Map<string, Active>()
  const own = new Set<string>()
  // Events are looked at on the next turn, not in the listener: by then our own writes are known by version.
  let deferred = 0

  const id = (key: ObjectKey): string => `execution/${key.namespace}/${key.name}`
  const keyOf = (namespace: string, name: string): ObjectKey => ({ kind: 'Execution', namespace, name })
  // The one work queue of the shells: keyed and deduplicated (one run per Execution at a time; a key
  // added while it runs is looked at once more afterwards), rate-limited, a failed run retried with
  // core's backoff, a terminal error reported and not retried until the Execution changes again.
  const queue = createWorkQueue<ObjectKey>({
    process: (key) => reconcileRun(key),
    id,
    backoff: RETRY_BACKOFF,
    // Every Execution runs at the same time as the others; a run lasts until it ends or waits for people.
    concurrency: Number.POSITIVE_INFINITY,
    // No limit by default: a resync of many finished Executions must not delay a new run's start.
    ...(options.ratePerSecond === undefined ? {} : { ratePerSecond: options.ratePerSecond }),
    // The server's socket keeps the process alive; a retry's delay alone must not.
    keepAlive: false,
    onError: (error, key) => options.onError?.(error, key),
  })
  // A key queued only to take over a holding that should have expired (see takeOverLater).
  const takeOvers = new Set<string>()
  const takeOverTimers = new Map<string, NodeJS.Timeout>()
  const enqueue = (key: ObjectKey, takeOver = false): void => {
    if (stopping.signal.aborted) return
    if (!takeOver) takeOvers.delete(id(key))
    else takeOvers.add(id(key))
    queue.add(key)
  }
  const leaseSettings: LeaseSettings = {
    leases: store.leases,
    holder: options.holder ?? defaultHolder(),
    ttlMs: options.leaseMs ?? 15_000,
    onLost: (lease) => options.onLeaseLost?.(keyOf(...(lease.name.split('/').slice(1) as [string, string])), 'renewal', lease),
  }
  // A run another replica holds is looked at again when that holding would expire: a holder that
  // died (or was cut off) is taken over then, one that renews keeps it. Not part of settled().
  const takeOverLater = (key: ObjectKey, ms: number): void => {
    clearTimeout(takeOverTimers.get(id(key)))
    const timer = setTimeout(() => {
      takeOverTimers.delete(id(key))
      enqueue(key, true)
    }, ms + 50 + Math.round(Math.random() * 250))
    takeOverTimers.set(id(key), timer)
  }
  const enqueueAll = (namespace?: string): void => {
    for (const row of store.listPage('Execution', namespace === undefined ? {} : { namespace }).rows) enqueue(keyOf(row.namespace, row.name))
  }
  /** Tells a running run that its Execution was deleted, replaced or cancelled: its attempts are cancelled through their providers. */
  const poke = async (key: ObjectKey): Promise<void> => {
    const entry = active.get(id(key))
    if (entry === undefined) return
    const execution = await store.get(key)
    if (execution === undefined || execution.metadata.uid !== entry.uid || execution.metadata.annotations?.[CANCEL_ANNOTATION] === 'true') entry.controller.abort()
  }
  const onEvent = (event: { readonly key: ObjectKey; readonly resourceVersion: string }): void => {
    if (event.key.kind === 'Execution') {
      if (own.delete(event.resourceVersion)) return
      enqueue(event.key)
      // A failed read is seen again: the key runs once more after the run (and pokes then).
      poke(event.key).catch((error: unknown) => options.onError?.(error, event.key))
    } else if (WAKING_KINDS.has(event.key.kind)) enqueueAll(event.key.namespace) // other namespaces: the periodic resync
  }

  const needsRun = (execution: StoredResource | undefined): execution is StoredResource =>
    execution !== undefined && (!TERMINAL.has((execution.status as ExecutionStatus | undefined)?.phase ?? 'Pending') || pendingRetry(execution) !== undefined)

  /**
   * Runs an Execution unless it is finished or gone, under its lease (exactly one replica runs it
   * at a time); one held elsewhere is looked at again when that holding would expire. Resolves when
   * the run ends or waits for people; throws (for the queue to retry) when it failed.
   */
  async function reconcileRun(key: ObjectKey): Promise<void> {
    const takeOver = takeOvers.delete(id(key))
    const current = await store.get(key)
    // A deleted Execution's logs go with it (any replica may do it; it is idempotent).
    if (current === undefined) await store.logs.prune(key.namespace, key.name)
    if (!needsRun(current)) return
    const claim = await claimExecutionLease(leaseSettings, key, takeOver)
    if (claim.held === undefined) {
      if (claim.retryInMs !== undefined) takeOverLater(key, claim.retryInMs)
      return
    }
    // Read again under the lease: whatever the previous holder wrote before it let go is seen now.
    const execution = await store.get(key).catch((error: unknown) => {
      claim.held.abandon()
      throw error
    })
    if (!needsRun(execution)) return claim.held.release()
    const retry = pendingRetry(execution)
    const controller = new AbortController()
    if (execution.metadata.annotations?.[CANCEL_ANNOTATION] === 'true') controller.abort()
    const held = claim.held
    let finished!: () => void
    const entry: Active = { uid: execution.metadata.uid, lease: held, controller, done: new Promise<void>((resolve) => (finished = resolve)) }
    active.set(id(key), entry)
    try {
      await run(key, execution, retry, controller.signal, held.lease)
      // Finished, or waiting for people: another replica may take the next step.
      await held.release()
    } catch (error) {
      if (!(error instanceof RunStoppedError)) {
        // Kept until it expires: the retry here takes it again (same holder), or another replica after expiry.
        held.abandon()
        throw error
      }
      if (error.why === 'gone') await held.release()
      else held.abandon()
      if (error.why === 'fenced') {
        options.onLeaseLost?.(key, 'fenced', held.lease)
        if (!stopping.signal.aborted) takeOverLater(key, leaseSettings.ttlMs)
      }
    } finally {
      active.delete(id(key))
      finished()
    }
  }

  async function run(key: ObjectKey, execution: StoredResource, retry: RetryRequest | undefined, signal: AbortSignal, lease: Lease): Promise<void> {
    let stored
    try {
      stored = await prepareStoredRun(store, execution)
    } catch (error) {
      const saved = await recordNotPrepared({ store, now, lease }, execution, error instanceof Error ? error.message : String(error), signal.aborted, error instanceof BindingNotFoundError)
      if (saved !== undefined) own.add(String(saved.metadata.resourceVersion))
      return
    }
    const { prepared, source } = stored
    const workspace = join(options.workspace, key.namespace, key.name)
    await mkdir(workspace, { recursive: true })
    const appliedRetry = retry?.value ?? (execution.status as { extensions?: Record<string, unknown> } | undefined)?.extensions?.[RETRY_APPLIED_KEY]
    const decorate = (status: ExecutionStatus): ExecutionStatus => ({
      ...status,
      conditions: planFound(status, new Date(now()).toISOString()),
      extensions: { ...status.extensions, [RUN_SOURCE_KEY]: { resources: source }, ...(appliedRetry === undefined ? {} : { [RETRY_APPLIED_KEY]: appliedRetry }) },
    })
    await runExecution(prepared.input, {
      ...wiring.runDeps(workspace),
      now,
      sleep: (ms, abort) => sleepUnlessStopping(ms, abort, stopping.signal, key),
      state: storedRunState({ store, key, uid: execution.metadata.uid, decorate, stopping: stopping.signal, fence: lease, onSaved: (saved) => own.add(String(saved.metadata.resourceVersion)) }),
      gate: (_node, ref) => observeStoredGate(store, { name: ref.name, namespace: ref.namespace ?? prepared.namespace }, { name: key.name, uid: prepared.input.uid, digest: prepared.input.runDigest ?? '' }),
      external: observeExternals(prepared.externals, providers, (ref) => storedPhase(store, ref, prepared.namespace)),
      externalPolled: (node) => isPolledExternal(prepared.externals.get(node), { resources: true }),
      // Claimable work is completed through POST .../executions/NAME/complete (an annotation per
      // node); recording a result twice changes nothing, so no bookkeeping is needed here.
      waitForPeople: async (status) => completionsOf(await store.get(key), status),
      signal,
      ...(retry === undefined ? {} : { retryRequested: retry.nodes === undefined ? {} : { nodes: retry.nodes } }),
      onChange: (next, previous) => options.onChange?.(key, next, previous),
      pollMs: options.pollMs ?? 1000,
      // What running attempts print is kept every second, so `planspec logs -f` follows them.
      logFlushMs: 1000,
    })
  }

  // A store that reloaded its state cannot say what changed: every Execution is looked at again.
  const unsubscribe = store.subscribe(
    (event) => {
      const seen = { key: event.key, resourceVersion: event.resourceVersion }
      deferred++
      setImmediate(() => {
        deferred--
        if (!stopping.signal.aborted) onEvent(seen)
      })
    },
    () => enqueueAll(),
  )
  enqueueAll()
  // Level-based safety net: changes no event names (a Gate in another namespace) are seen here.
  const resync = setInterval(() => enqueueAll(), options.resyncMs ?? 30_000)
  resync.unref()

  return {
    running: () => [...active.keys()],
    async settled() {
      // Events still to be looked at may queue more work: settled once both are done.
      for (;;) {
        await queue.settled()
        if (deferred === 0 || stopping.signal.aborted) return
        await new Promise((resolve) => setImmediate(resolve))
      }
    },
    async stop() {
      if (stopping.signal.aborted) return
      stopping.abort()
      clearInterval(resync)
      unsubscribe()
      for (const timer of takeOverTimers.values()) clearTimeout(timer)
      takeOverTimers.clear()
      queue.stop()
      // A run ends at its next wait or save; do not hang on one stuck in a provider's status call.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.allSettled([...active.values()].map((entry) => entry.done)), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))])
      clearTimeout(timer)
    },
  }
}
