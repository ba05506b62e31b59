import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { backoffDelay, isTerminal, type ExecutionStatus, type Redactor, type ObjectKey, type StoredResource } from '@planspec/core'
import { createRunWiring, isPolledExternal, observeExternals, runExecution, type Policy, type Provider } from '@planspec/engine'
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
  /** Told about runs that failed with an error (they are retried with backoff). */
  readonly onError?: (error: unknown, key: ObjectKey) => void
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
  /** Something changed while the run was active: look again once it stops. */
  again: boolean
  done: Promise<void>
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
 * - Claimable work (`human://`, `agent://` without a command) stays `Blocked`: the API has no route
 *   to complete it yet.
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
  const queue = new Map<string, ObjectKey>()
  const failures = new Map<string, number>()
  const timers = new Map<string, NodeJS.Timeout>()
  const own = new Set<string>()
  const events: { readonly key: ObjectKey; readonly resourceVersion: string }[] = []
  const waiting: (() => void)[] = []
  let scheduled = false

  const id = (key: ObjectKey): string => `execution/${key.namespace}/${key.name}`
  const keyOf = (namespace: string, name: string): ObjectKey => ({ kind: 'Execution', namespace, name })
  const isSettled = (): boolean => !scheduled && queue.size === 0 && events.length === 0 && active.size === 0 && timers.size === 0
  const notify = (): void => {
    if (isSettled()) for (const resolve of waiting.splice(0)) resolve()
  }
  const schedule = (): void => {
    if (scheduled || stopping.signal.aborted) return
    scheduled = true
    setImmediate(() => void drain())
  }
  // A key queued only to take over a holding that should have expired (see takeOverLater).
  const takeOvers = new Set<string>()
  const takeOverTimers = new Map<string, NodeJS.Timeout>()
  const enqueue = (key: ObjectKey, takeOver = false): void => {
    if (!takeOver) takeOvers.delete(id(key))
    else if (!queue.has(id(key))) takeOvers.add(id(key))
    queue.set(id(key), key)
    schedule()
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
    for (const row of store.listPage('Execution', namespace === undefined ? {} : { namespace }).rows) queue.set(id(keyOf(row.namespace, row.name)), keyOf(row.namespace, row.name))
  }
  const later = (key: ObjectKey): void => {
    const count = (failures.get(id(key)) ?? 0) + 1
    failures.set(id(key), count)
    clearTimeout(timers.get(id(key)))
    const timer = setTimeout(() => {
      timers.delete(id(key))
      enqueue(key)
    }, backoffDelay(count, RETRY_BACKOFF, Math.random))
    timers.set(id(key), timer)
  }

  async function drain(): Promise<void> {
    // Events are looked at here, not in the listener: by now our own writes are known by version.
    for (const event of events.splice(0)) {
      if (event.key.kind === 'Execution') {
        if (!own.delete(event.resourceVersion)) enqueue(event.key)
      } else if (WAKING_KINDS.has(event.key.kind)) enqueueAll(event.key.namespace) // other namespaces: the periodic resync
    }
    while (queue.size > 0 && !stopping.signal.aborted) {
      const [k, key] = queue.entries().next().value as [string, ObjectKey]
      queue.delete(k)
      const takeOver = takeOvers.delete(k)
      try {
        await ensure(key, takeOver)
      } catch (error) {
        options.onError?.(error, key)
        // A terminal error (a retry cannot help) waits for the next change of the Execution.
        if (!isTerminal(error)) later(key)
      }
    }
    scheduled = false
    if (events.length > 0 || queue.size > 0) schedule()
    notify()
  }

  const needsRun = (execution: StoredResource | undefined): execution is StoredResource =>
    execution !== undefined && (!TERMINAL.has((execution.status as ExecutionStatus | undefined)?.phase ?? 'Pending') || pendingRetry(execution) !== undefined)

  /**
   * Starts the run of an Execution unless it is running, finished or gone; tells a running one
   * about cancellation. A run starts only under the Execution's lease (exactly one replica runs it
   * at a time); one held elsewhere is looked at again when that holding would expire.
   */
  async function ensure(key: ObjectKey, takeOver: boolean): Promise<void> {
    const entry = active.get(id(key))
    if (entry !== undefined) {
      const execution = await store.get(key)
      entry.again = true
      // Deleted, replaced or cancelled: cancel the running attempts through their providers.
      if (execution === undefined || execution.metadata.uid !== entry.uid || execution.metadata.annotations?.[CANCEL_ANNOTATION] === 'true') entry.controller.abort()
      return
    }
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
    const execution = await store.get(key).catch(async (error: unknown) => {
      claim.held.abandon()
      throw error
    })
    if (!needsRun(execution)) return claim.held.release()
    const retry = pendingRetry(execution)
    const controller = new AbortController()
    if (execution.metadata.annotations?.[CANCEL_ANNOTATION] === 'true') controller.abort()
    const started: Active = { uid: execution.metadata.uid, lease: claim.held, controller, again: false, done: Promise.resolve() }
    active.set(id(key), started)
    started.done = run(key, execution, retry, controller.signal, claim.held.lease)
      .then(async () => {
        failures.delete(id(key))
        // Finished, or waiting for people: another replica may take the next step.
        await started.lease.release()
      })
      .catch(async (error: unknown) => {
        if (error instanceof RunStoppedError) {
          if (error.why === 'gone') await started.lease.release()
          else started.lease.abandon()
          if (error.why === 'fenced') {
            options.onLeaseLost?.(key, 'fenced', started.lease.lease)
            if (!stopping.signal.aborted) takeOverLater(key, leaseSettings.ttlMs)
          }
          return
        }
        // Kept until it expires: the retry here takes it again (same holder), or another replica after expiry.
        started.lease.abandon()
        options.onError?.(error, key)
        if (!stopping.signal.aborted) later(key)
      })
      .finally(() => {
        active.delete(id(key))
        if (started.again && !stopping.signal.aborted) enqueue(key)
        notify()
      })
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
      events.push({ key: event.key, resourceVersion: event.resourceVersion })
      schedule()
    },
    () => {
      enqueueAll()
      schedule()
    },
  )
  enqueueAll()
  schedule()
  // Level-based safety net: changes no event names (a Gate in another namespace) are seen here.
  const resync = setInterval(() => {
    enqueueAll()
    schedule()
  }, options.resyncMs ?? 30_000)
  resync.unref()

  return {
    running: () => [...active.keys()],
    settled: () =>
      new Promise<void>((resolve) => {
        if (isSettled()) resolve()
        else waiting.push(resolve)
      }),
    async stop() {
      if (stopping.signal.aborted) return
      stopping.abort()
      clearInterval(resync)
      unsubscribe()
      for (const timer of [...timers.values(), ...takeOverTimers.values()]) clearTimeout(timer)
      timers.clear()
      takeOverTimers.clear()
      queue.clear()
      events.length = 0
      // A run ends at its next wait or save; do not hang on one stuck in a provider's status call.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.allSettled([...active.values()].map((entry) => entry.done)), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))])
      clearTimeout(timer)
      for (const resolve of waiting.splice(0)) resolve()
    },
  }
}
