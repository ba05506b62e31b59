import type { Provider } from '../types.js'
import { outputLogs } from './attempt-details.js'
import type { ExecutionRunDeps } from './run-execution.js'

/** Saves what running attempts print while they run (see {@link createLiveOutput}). */
export interface LiveOutput {
  /** Starts saving an attempt's output every `logFlushMs` (when its provider and the state can). */
  watch(runId: string, node: string, attempt: number, provider: Provider | undefined): void
  /** Stops saving an attempt's output; resolves once no save of it is under way (its final output goes next). */
  settle(runId: string): Promise<void>
}

/**
 * Creates the saver of running attempts' output: every `deps.logFlushMs` it asks each running
 * attempt's provider what it printed so far (`peekOutput`: capped, masked) and, when it grew,
 * saves it (`deps.state.saveLogs`, masked with the run's redactor), so `planspec logs -f`
 * follows a running attempt in every mode. Saves are chained; `settle` waits for the one under
 * way, so an attempt's final output, saved with its result, is never overwritten by an older
 * one. Nothing is saved once `ended` aborts. Without `logFlushMs` or `state.saveLogs` it does nothing.
 *
 * @example
 * const live = createLiveOutput({ state, redactor, logFlushMs: 1000 }, ended)
 * live.watch('uid/build/1', 'build', 1, provider)
 */
export function createLiveOutput(deps: Pick<ExecutionRunDeps, 'state' | 'redactor' | 'logFlushMs'>, ended: AbortSignal): LiveOutput {
  const live = new Map<string, { readonly node: string; readonly attempt: number; readonly provider: Provider; saved?: string }>()
  let writes: Promise<void> = Promise.resolve()
  let armed = false
  const flush = (): void => {
    writes = writes
      .then(async () => {
        if (ended.aborted) live.clear()
        for (const [runId, a] of [...live]) {
          const output = await a.provider.peekOutput?.(runId).catch(() => undefined)
          if (output === undefined || !live.has(runId)) continue
          const seen = `${output.stdout.bytes}/${output.stderr.bytes}`
          if (seen === a.saved) continue
          a.saved = seen
          const logs = outputLogs(a.node, a.attempt, output)
          await deps.state?.saveLogs?.(deps.redactor === undefined ? logs : deps.redactor.redactValue(logs)).catch(() => undefined)
        }
      })
      .finally(() => {
        if (live.size > 0 && deps.logFlushMs !== undefined) setTimeout(flush, deps.logFlushMs).unref()
        else armed = false
      })
  }
  return {
    watch(runId, node, attempt, provider) {
      if (provider?.peekOutput === undefined || deps.state?.saveLogs === undefined || deps.logFlushMs === undefined) return
      live.set(runId, { node, attempt, provider })
      if (armed) return
      armed = true
      setTimeout(flush, deps.logFlushMs).unref()
    },
    async settle(runId) {
      live.delete(runId)
      await writes
    },
  }
}
