/** A clock whose time moves only when the test says so, or when every sleeper is waiting on it. */
export interface VirtualClock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Moves time forward by `ms`, waking sleepers in deadline order (letting each one run). */
  advance(ms: number): Promise<void>
  /** Moves time to the next sleeper's deadline, repeatedly, until nobody sleeps (or `limit` ms passed). */
  runAll(limit?: number): Promise<void>
  /**
   * Runs `promise` to its end, moving time to each sleeper's deadline whenever something sleeps
   * (real I/O, such as requests to the fake GitHub, is waited for in real time meanwhile).
   */
  drive<T>(promise: Promise<T>): Promise<T>
  /** Every duration passed to `sleep`, in order. */
  readonly sleeps: number[]
  readonly pending: number
}

/** Creates a virtual clock starting at `start` (epoch ms). */
export function createVirtualClock(start = Date.parse('2026-01-01T00:00:00Z')): VirtualClock {
  let time = start
  const sleepers: { at: number; wake: () => void }[] = []
  const sleeps: number[] = []
  const settle = async (): Promise<void> => {
    // Let promise chains run until they block on the clock again.
    for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve))
  }
  const wakeDue = async (): Promise<void> => {
    sleepers.sort((a, b) => a.at - b.at)
    while (sleepers.length > 0 && (sleepers[0] as { at: number }).at <= time) {
      ;(sleepers.shift() as { wake: () => void }).wake()
      await settle()
      sleepers.sort((a, b) => a.at - b.at)
    }
  }
  return {
    sleeps,
    get pending() {
      return sleepers.length
    },
    now: () => time,
    sleep(ms, signal) {
      sleeps.push(ms)
      return new Promise<void>((resolve) => {
        const entry = { at: time + Math.max(0, ms), wake: resolve }
        sleepers.push(entry)
        signal?.addEventListener('abort', () => {
          const index = sleepers.indexOf(entry)
          if (index >= 0) sleepers.splice(index, 1)
          resolve()
        }, { once: true })
      })
    },
    async advance(ms) {
      const end = time + ms
      await settle()
      sleepers.sort((a, b) => a.at - b.at)
      while (sleepers.length > 0 && (sleepers[0] as { at: number }).at <= end) {
        time = Math.max(time, (sleepers[0] as { at: number }).at)
        await wakeDue()
      }
      time = end
      await settle()
    },
    async drive(promise) {
      let settled = false
      promise.then(
        () => (settled = true),
        () => (settled = true),
      )
      while (!settled) {
        sleepers.sort((a, b) => a.at - b.at)
        const next = sleepers[0]
        if (next === undefined) {
          await new Promise<void>((resolve) => setTimeout(resolve, 1))
          continue
        }
        time = Math.max(time, next.at)
        await wakeDue()
      }
      return promise
    },
    async runAll(limit = 24 * 3600_000) {
      const end = time + limit
      await settle()
      while (sleepers.length > 0) {
        sleepers.sort((a, b) => a.at - b.at)
        const next = (sleepers[0] as { at: number }).at
        if (next > end) break
        time = Math.max(time, next)
        await wakeDue()
        await settle()
      }
    },
  }
}
