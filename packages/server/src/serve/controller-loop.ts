import { PlanSpecError } from '@planspec/core'
import type { ObjectKey } from '@planspec/engine'
import { canonicalJson } from '@planspec/validator'
import { validateOne } from '../server/admit-object.js'
import type { ValidationService } from '../validation/validation-pool.js'
import type { ApiStore } from '../store/api-store.js'
import type { Authorizer } from '../server/authorizer.js'
import type { TokenRegistry } from '../server/tokens.js'
import { planNeedsValidation, RECONCILERS, type ReconcileDeps } from './reconcilers.js'

/** What the in-process controllers need. */
export interface ControllerOptions {
  readonly store: ApiStore
  /** The validation workers (Plans are validated there, never on the event loop). */
  readonly validation: ValidationService
  readonly tokens: TokenRegistry | undefined
  readonly authorizer: Authorizer
  /** The clock, RFC 3339. */
  readonly now: () => string
  /** Told about failed reconciles (they are retried with backoff). */
  readonly onError?: (error: unknown, key: ObjectKey) => void
}

/** Running controllers. */
export interface Controllers {
  /** Resolves once the work queue is empty (nothing queued, nothing in a backoff). */
  settled(): Promise<void>
  /** Stops watching and drops pending work. Idempotent. */
  stop(): void
}

// Which kinds to re-reconcile (in the changed object's namespace) when an object of a kind changes.
const DEPENDENTS: Readonly<Record<string, readonly string[]>> = {
  Plan: ['Goal', 'Binding'],
  Capability: ['Capability'],
  Execution: ['Goal', 'Binding', 'Gate'],
}

/**
 * Starts the controllers that keep Plan, Capability, Binding, Goal and Gate statuses reconciled
 * with core's pure controllers. Level-based: any change enqueues the object and the objects whose
 * status depends on it; each reconcile re-reads everything in one store transaction, computes the
 * status and writes it with the object's resourceVersion (compare-and-swap) only when it differs,
 * so its own writes settle after one more round. A conflict or error is retried with capped
 * exponential backoff; a Goal's timeout is honoured with a timer. Executions are not run here.
 */
export function startControllers(options: ControllerOptions): Controllers {
  const { store } = options
  const queue = new Map<string, ObjectKey>()
  const failures = new Map<string, number>()
  const timers = new Map<string, NodeJS.Timeout>()
  const waiting: (() => void)[] = []
  let scheduled = false
  let stopped = false

  const id = (key: ObjectKey): string => `${key.kind}/${key.namespace}/${key.name}`
  const enqueue = (key: ObjectKey): void => {
    if (stopped || RECONCILERS[key.kind] === undefined) return
    queue.set(id(key), key)
    if (!scheduled) {
      scheduled = true
      setImmediate(() => void drain())
    }
  }
  const later = (key: ObjectKey, ms: number): void => {
    const k = id(key)
    clearTimeout(timers.get(k))
    const timer = setTimeout(() => {
      timers.delete(k)
      enqueue(key)
    }, ms)
    timer.unref()
    timers.set(k, timer)
  }
  const enqueueKind = (kind: string, namespace: string): void => {
    for (const row of store.listPage(kind, { namespace }).rows) enqueue({ kind, namespace, name: row.name })
  }
  const reconcile = async (key: ObjectKey): Promise<void> => {
    // A Plan's validity comes from the validator, run in the workers before the transaction.
    let planIssues: ReconcileDeps['planIssues']
    if (key.kind === 'Plan') {
      const object = await store.get(key)
      if (object !== undefined && planNeedsValidation(object)) {
        const issues = (await validateOne(options.validation, { ...object, status: undefined })).filter((d) => d.severity === 'error')
        planIssues = { uid: object.metadata.uid, generation: object.metadata.generation ?? 1, issues }
      }
    }
    const requeueAfterMs = store.transact((tx) => {
      const object = tx.get(key)
      if (object === undefined) return undefined
      const desired = RECONCILERS[key.kind]!(tx, object, { ...options, now: options.now(), ...(planIssues === undefined ? {} : { planIssues }) })
      if (desired !== undefined && canonicalJson(desired.status ?? null) !== canonicalJson(object.status ?? null)) tx.updateStatus({ ...object, status: desired.status })
      return desired?.requeueAfterMs
    })
    failures.delete(id(key))
    if (requeueAfterMs !== undefined) later(key, Math.min(Math.max(requeueAfterMs, 0), 2_147_000_000))
  }
  async function drain(): Promise<void> {
    const batch = [...queue.values()].slice(0, 256)
    for (const key of batch) {
      queue.delete(id(key))
      if (stopped) break
      try {
        await reconcile(key)
      } catch (error) {
        const count = (failures.get(id(key)) ?? 0) + 1
        failures.set(id(key), count)
        const conflict = error instanceof PlanSpecError && error.code === 'PLANSPEC_ERR_STORE_CONFLICT'
        if (!conflict && !stopped) options.onError?.(error, key)
        later(key, Math.min(100 * 2 ** (count - 1), 30_000))
      }
    }
    scheduled = false
    if (stopped) return
    if (queue.size > 0) {
      scheduled = true
      setImmediate(() => void drain())
    } else if (timersPendingRetry() === 0) for (const resolve of waiting.splice(0)) resolve()
  }
  const timersPendingRetry = (): number => [...timers.keys()].filter((k) => failures.has(k)).length

  const unsubscribe = store.subscribe((event) => {
    const { kind, namespace } = event.key
    enqueue(event.key)
    for (const dependent of DEPENDENTS[kind] ?? []) enqueueKind(dependent, namespace)
  })
  for (const kind of Object.keys(RECONCILERS)) for (const row of store.listPage(kind).rows) enqueue({ kind, namespace: row.namespace, name: row.name })

  return {
    settled: () =>
      new Promise<void>((resolve) => {
        if (queue.size === 0 && !scheduled && timersPendingRetry() === 0) resolve()
        else waiting.push(resolve)
      }),
    stop() {
      if (stopped) return
      stopped = true
      unsubscribe()
      for (const timer of timers.values()) clearTimeout(timer)
      timers.clear()
      queue.clear()
      for (const resolve of waiting.splice(0)) resolve()
    },
  }
}
