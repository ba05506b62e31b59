import type { Clock } from './types.js'

/**
 * Creates the real clock: `Date.now()` and a `setTimeout` sleep that an `AbortSignal` ends early.
 * The composition root passes it; tests pass a virtual clock instead.
 *
 * @example
 * const reporter = createProgressReporter({ octokit, clock: createSystemClock(), intervalMs: 10_000 })
 */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted === true) return resolve()
        const timer = setTimeout(done, Math.max(0, ms))
        function done(): void {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        signal?.addEventListener('abort', done, { once: true })
      }),
  }
}
