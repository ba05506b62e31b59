import { PlanSpecError, type ExecutionStatus, formatObjectKey, type ObjectKey, type StoredResource } from '@planspec/core'
import { type RunState } from '@planspec/engine'
import type { ApiStore } from '../store/api-store.js'

/** Code of {@link RunStoppedError}. */
export const RUN_STOPPED_ERROR_CODE = 'PLANSPEC_ERR_SERVE_RUN_STOPPED'

/**
 * Ends a run without recording anything more: the server is stopping (the next start resumes it
 * from its saved status), or the Execution was deleted or replaced by a new object of the same name.
 */
export class RunStoppedError extends PlanSpecError {
  constructor(key: ObjectKey, why: 'stopping' | 'gone') {
    super(why === 'stopping' ? `the server is stopping; the run of ${formatObjectKey(key)} resumes on the next start` : `${formatObjectKey(key)} was deleted or replaced; its run stops`, { code: RUN_STOPPED_ERROR_CODE, data: { ...key, why }, terminal: true })
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
  /** Conflicts retried before giving up (default 10). */
  readonly maxConflicts?: number
}

/**
 * Creates the durable state of one run over the store's status subresource. `load` reads the
 * stored status; `save` writes the new status onto the latest stored object with its
 * resourceVersion (compare-and-swap) and, on a conflict (a concurrent metadata write such as a
 * cancel annotation), re-reads and tries again. Once the server is stopping, `save` throws
 * {@link RunStoppedError}, which ends the run where it is (the next start resumes it). When the
 * Execution is gone (deleted, or replaced by a new object of the same name), `save` records
 * nothing and returns: the controller aborts such a run, whose attempts must still be cancelled
 * through their providers before it ends; `load` throws {@link RunStoppedError}.
 *
 * @example
 * const state = storedRunState({ store, key, uid, decorate: (s) => s, stopping, onSaved: () => {} })
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
    async save(status) {
      const next = options.decorate(status)
      for (let conflicts = 0; ; conflicts++) {
        if (options.stopping.aborted) throw new RunStoppedError(key, 'stopping')
        const latest = await store.get(key)
        if (latest === undefined || (options.uid !== undefined && latest.metadata.uid !== options.uid)) return
        try {
          options.onSaved(await store.updateStatus({ ...latest, status: next }))
          return
        } catch (error) {
          const conflict = error instanceof PlanSpecError && error.code === 'PLANSPEC_ERR_STORE_CONFLICT'
          if (!conflict || conflicts >= (options.maxConflicts ?? 10)) throw error
        }
      }
    },
  }
}
