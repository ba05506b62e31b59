import { canonicalJson, PlanSpecError, type ObjectKey, type StoredResource } from '@planspec/core'
import { createWorkQueue, type WorkResult } from '@planspec/engine'
import { validateOne } from '../server/admit-object.js'
import type { ValidationService } from '../validation/validation-pool.js'
import type { ApiStore } from '../store/api-store.js'
import type { Authorizer } from '../server/authorizer.js'
import type { TokenRegistry } from '../server/tokens.js'
import { planNeedsValidation, reconcileObject, RECONCILED, type ReconcileDeps } from './reconcilers.js'
import { referencedKeys } from './referenced-keys.js'

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

// Which kinds to re-reconcile (in the changed object's namespace) when an object of a kind changes;
// objects it names in other namespaces are re-reconciled too (see referencedKeys).
const DEPENDENTS: Readonly<Record<string, readonly string[]>> = {
  Plan: ['Goal', 'Binding'],
  Execution: ['Goal', 'Binding', 'Gate'],
}

/**
 * Starts the controllers that keep Plan, Capability, Binding, Goal and Gate statuses reconciled
 * with core's pure controllers. Level-based: any change enqueues the object and the objects whose
 * status depends on it; each reconcile re-reads everything in one store transaction, computes the
 * status and writes it with the object's resourceVersion (compare-and-swap) only when it differs,
 * so its own writes settle after one more round. Keys go through the engine's work queue: a
 * conflict or error is retried with core's backoff (a terminal error is reported and not retried),
 * a Goal's timeout is honoured with a delayed requeue. Executions are not run here.
 */
export function startControllers(options: ControllerOptions): Controllers {
  const { store } = options
  const reconcile = async (key: ObjectKey): Promise<WorkResult> => {
    // A Plan's validity comes from the validator, run in the workers before the transaction.
    let planIssues: ReconcileDeps['planIssues']
    if (key.kind === 'Plan') {
      const object = await store.get(key)
      if (object !== undefined && planNeedsValidation(object)) {
        const issues = (await validateOne(options.validation, { ...object, status: undefined })).filter((d) => d.severity === 'error')
        planIssues = { uid: object.metadata.uid, generation: object.metadata.generation ?? 1, issues }
      }
    }
    const requeueAfterMs = await store.transact((tx) => {
      const object = tx.get(key)
      if (object === undefined) return undefined
      const desired = reconcileObject(tx, object, { ...options, now: options.now(), ...(planIssues === undefined ? {} : { planIssues }) })
      if (desired !== undefined && canonicalJson(desired.status ?? null) !== canonicalJson(object.status ?? null)) tx.updateStatus({ ...object, status: desired.status })
      return desired?.requeueAfterMs
    })
    return requeueAfterMs === undefined ? {} : { requeueAfterMs }
  }
  const queue = createWorkQueue<ObjectKey>({
    process: reconcile,
    id: (key) => `${key.kind}/${key.namespace}/${key.name}`,
    backoff: { baseMs: 200, maxMs: 30_000, minMs: 50 },
    // The server's socket keeps the process alive; a Goal's timeout alone must not.
    keepAlive: false,
    // A lost compare-and-swap is the expected race with an API write: retried, not reported.
    onError: (error, key) => {
      if (!(error instanceof PlanSpecError && error.code === 'PLANSPEC_ERR_STORE_CONFLICT')) options.onError?.(error, key)
    },
  })
  const enqueue = (key: ObjectKey): void => {
    if (RECONCILED.has(key.kind)) queue.add(key)
  }
  const readPlan = (key: ObjectKey): StoredResource | undefined => {
    const text = store.getText(key)
    return text === undefined ? undefined : (JSON.parse(text) as StoredResource)
  }
  const enqueueKind = (kind: string, namespace: string | undefined): void => {
    for (const row of store.listPage(kind, namespace === undefined ? {} : { namespace }).rows) enqueue({ kind, namespace: row.namespace, name: row.name })
  }

  const enqueueEverything = (): void => {
    for (const kind of RECONCILED) for (const row of store.listPage(kind).rows) enqueue({ kind, namespace: row.namespace, name: row.name })
  }
  // A store that reloaded its state cannot say what changed: everything is looked at again.
  const unsubscribe = store.subscribe((event) => {
    const { kind, namespace } = event.key
    enqueue(event.key)
    for (const dependent of DEPENDENTS[kind] ?? []) enqueueKind(dependent, namespace)
    // A Capability may be required from any namespace.
    if (kind === 'Capability') enqueueKind('Capability', undefined)
    // What it names in other namespaces (a goalRef, a bindingRef, a Gate node's gateRef, a requirement).
    for (const key of referencedKeys(event.object, readPlan)) enqueue(key)
  }, enqueueEverything)
  enqueueEverything()

  let stopped = false
  return {
    settled: () => queue.settled(),
    stop() {
      if (stopped) return
      stopped = true
      unsubscribe()
      queue.stop()
    },
  }
}
