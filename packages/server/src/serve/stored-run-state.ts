import { PlanSpecError, setCondition, canonicalJson, type ExecutionStatus, formatObjectKey, type ObjectKey, type StoredResource } from '@planspec/core'
import { blockOnMissingBindings, type RunState } from '@planspec/engine'
import type { ApiStore } from '../store/api-store.js'
import type { Lease } from '../store/leases.js'

/** Code of {@link RunStoppedError}. */
export const RUN_STOPPED_ERROR_CODE = 'PLANSPEC_ERR_SERVE_RUN_STOPPED'

const STOPPED_MESSAGES = {
  stopping: (key: ObjectKey) => `the server is stopping; the run of ${formatObjectKey(key)} resumes on the next start`,
  gone: (key: ObjectKey) => `${formatObjectKey(key)} was deleted or replaced; its run stops`,
  fenced: (key: ObjectKey) => `the lease of ${formatObjectKey(key)} is held by another replica: its status write was refused (fenced) and this replica's run stops`,
} as const

/**
 * Ends a run without recording anything more: the server is stopping (the next start resumes it
 * from its saved status), the Execution was deleted or replaced by a new object of the same name,
 * or this replica's lease on it was taken over and its write refused (`fenced`: the new holder
 * runs it).
 */
export class RunStoppedError extends PlanSpecError {
  /** Why the run stopped. */
  readonly why: keyof typeof STOPPED_MESSAGES

  constructor(key: ObjectKey, why: keyof typeof STOPPED_MESSAGES, options: { readonly cause?: unknown } = {}) {
    super(STOPPED_MESSAGES[why](key), { code: RUN_STOPPED_ERROR_CODE, data: { ...key, why }, terminal: true, ...options })
    this.why = why
  }
}

/** What {@link storedRunState} needs. */
export interface StoredRunStateOptions {
  readonly store: ApiStore
  readonly key: ObjectKey
  /** The uid of the Execution the run belongs to: a new object with the same name is another run. */
  readonly uid: string | undefined
  /** Adds what the controller records besides the runner's status (run source, applied retry). */
  readonly decorate: (status: ExecutionStatus) => ExecutionStatus
  /** Aborted when the server stops: saves are refused from then on. */
  readonly stopping: AbortSignal
  /** Told the stored object after every successful save (its resourceVersion marks our own write). */
  readonly onSaved: (saved: StoredResource) => void
  /** The lease the run holds: every save commits only while it is still held (fencing). */
  readonly fence?: Lease
}

/**
 * Creates the durable state of one run over the store's status subresource. `load` reads the
 * stored status; `save` writes the new status onto the latest stored object in one store
 * transaction (read and compare-and-swap together, so a concurrent metadata write such as a cancel
 * annotation is kept), guarded by the run's lease (`fence`): once another replica took the lease
 * over, the write is refused and `save` throws {@link RunStoppedError} (`fenced`), so a stale
 * replica can neither record a result nor dispatch (the engine saves before every dispatch). Once
 * the server is stopping, `save` throws {@link RunStoppedError} (`stopping`), which ends the run
 * where it is (the next start resumes it). When the Execution is gone (deleted, or replaced by a
 * new object of the same name), `save` records nothing and returns: the controller aborts such a
 * run, whose attempts must still be cancelled through their providers before it ends; `load`
 * throws {@link RunStoppedError}.
 *
 * @example
 * const state = storedRunState({ store, key, uid, decorate: (s) => s, stopping, onSaved: () => {}, fence: lease })
 * await state.save(status)
 */
export function storedRunState(options: StoredRunStateOptions): RunState {
  const { store, key } = options
  const current = async (): Promise<StoredResource> => {
    const found = await store.get(key)
    if (found === undefined || (options.uid !== undefined && found.metadata.uid !== options.uid)) throw new RunStoppedError(key, 'gone')
    return found
  }
  return {
    load: async () => (await current()).status as ExecutionStatus | undefined,
    async save(status, logs) {
      const next = options.decorate(status)
      if (options.stopping.aborted) throw new RunStoppedError(key, 'stopping')
      // The attempts' logs before the status that lists them (a crash in between leaves logs no status names yet).
      if (logs !== undefined && logs.length > 0 && options.uid !== undefined) await store.logs.save({ namespace: key.namespace, name: key.name, uid: options.uid }, logs)
      let saved: StoredResource | undefined
      try {
        saved = await store.transact(
          (tx) => {
            const latest = tx.get(key)
            if (latest === undefined || (options.uid !== undefined && latest.metadata.uid !== options.uid)) return undefined
            return tx.updateStatus({ ...latest, status: next })
          },
          options.fence === undefined ? {} : { fence: options.fence },
        )
      } catch (error) {
        fenced(key)(error)
      }
      if (saved !== undefined) options.onSaved(saved)
    },
    async saveLogs(logs) {
      if (options.stopping.aborted || options.uid === undefined || logs.length === 0) return
      await store.logs.save({ namespace: key.namespace, name: key.name, uid: options.uid }, logs)
    },
  }
}

/** Turns a refused (fenced) write into the error that stops the run; other errors pass. */
function fenced(key: ObjectKey): (error: unknown) => never {
  return (error) => {
    throw error instanceof PlanSpecError && error.code === 'PLANSPEC_ERR_STORE_FENCED' ? new RunStoppedError(key, 'fenced', { cause: error }) : error
  }
}

/**
 * Records why a run cannot start (its Plan is missing) as `PlanResolved=False`, which a Plan
 * change heals; a cancelled one that never started simply ends `Cancelled`. Compare-and-swap on
 * the Execution as read, under the run's lease (`fenced` stops the run). Resolves with the stored
 * object, or undefined when nothing had to change.
 */
export async function recordNotPrepared(deps: { readonly store: ApiStore; readonly now: () => number; readonly lease: Lease }, execution: StoredResource, message: string, cancelled: boolean, bindingMissing = false): Promise<StoredResource | undefined> {
  const status = (execution.status ?? {}) as ExecutionStatus
  const at = new Date(deps.now()).toISOString()
  // A missing Binding keeps the run Blocked (reason BindingNotFound, which applying the Binding heals): the engine's status, as in git mode and `planspec run`.
  const blocked = (): ExecutionStatus => blockOnMissingBindings(status, message, at)
  const next: ExecutionStatus = cancelled
    ? { ...status, phase: 'Cancelled', reason: 'CancelledByUser', message: 'cancelled by user before it started', lastPhaseTransitionTime: at, completionTime: at, conditions: setCondition(status.conditions, { type: 'Progressing', status: 'False', reason: 'CancelledByUser', message: 'cancelled by user before it started' }, at) }
    : bindingMissing
      ? blocked()
      : { ...status, conditions: setCondition(status.conditions, { type: 'PlanResolved', status: 'False', reason: 'PlanNotFound', message }, at) }
  if (canonicalJson(next) === canonicalJson(status)) return undefined
  const key: ObjectKey = { kind: 'Execution', namespace: execution.metadata.namespace ?? 'default', name: execution.metadata.name }
  return deps.store.transact((tx) => tx.updateStatus({ ...execution, status: next }), { fence: deps.lease }).catch(fenced(key))
}

/** Waits like the runner expects (resolves early when `abort` fires); rejects once `stopping` fires, which ends the run where it is. */
export function sleepUnlessStopping(ms: number, abort: AbortSignal, stopping: AbortSignal, key: ObjectKey): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (stopping.aborted) return reject(new RunStoppedError(key, 'stopping'))
    if (abort.aborted) return resolve()
    const finish = (): void => {
      clearTimeout(timer)
      abort.removeEventListener('abort', finish)
      stopping.removeEventListener('abort', finish)
      if (stopping.aborted) reject(new RunStoppedError(key, 'stopping'))
      else resolve()
    }
    const timer = setTimeout(finish, Math.min(Math.max(ms, 0), 2_147_000_000))
    abort.addEventListener('abort', finish, { once: true })
    stopping.addEventListener('abort', finish, { once: true })
  })
}
