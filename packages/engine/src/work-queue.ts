import { backoffDelay, isTerminal, type BackoffPolicy } from '@planspec/core'

/** What processing one key asks for: nothing (done), or to be called again after some time. */
export interface WorkResult {
  readonly requeueAfterMs?: number
}

/** How a failed key was handled, for logs and metrics. */
export interface WorkFailure {
  /** True when the error is terminal (`isTerminal`): the key is not retried until it is added again. */
  readonly terminal: boolean
  /** Consecutive failures of this key. */
  readonly failures: number
  /** When the key is retried (absent for a terminal error or a stopped queue). */
  readonly retryInMs?: number
}

/** The timers a queue uses (injected so tests and shells can control time). */
export interface WorkQueueTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** Runs `callback` soon, after pending I/O (default `setImmediate`). */
  soon(callback: () => void): void
  /** Milliseconds since some fixed instant (default `performance.now`). */
  now(): number
}

/** Options of {@link createWorkQueue}. */
export interface WorkQueueOptions<K> {
  /** Processes one key. Resolve = done (`requeueAfterMs` to come back later); throw = retry with backoff; throw `terminal(e)` = stop. */
  readonly process: (key: K) => Promise<WorkResult | void>
  /** The identity of a key: keys with the same id are one item (default `String(key)`). */
  readonly id?: (key: K) => string
  /** The retry policy of failed keys (core's one backoff formula). */
  readonly backoff: BackoffPolicy
  /** At most this many keys start per second, in bursts of up to as many (default: no limit). */
  readonly ratePerSecond?: number
  /** Keys processed before the queue yields to other work (default 256). */
  readonly batch?: number
  /**
   * How many keys are processed at the same time (default 1: one after the other). A key is never
   * processed twice at once, whatever the concurrency; `Infinity` suits long work such as runs.
   */
  readonly concurrency?: number
  /** Told about each failure and what the queue does about it. */
  readonly onError?: (error: unknown, key: K, failure: WorkFailure) => void
  readonly timers?: WorkQueueTimers
  /** Whether a pending delay keeps the process alive (default true: an agent that only waits for its next round must not exit). */
  readonly keepAlive?: boolean
  /** A value in [0, 1), for the jitter (default `Math.random`). */
  readonly random?: () => number
}

/** A keyed, deduplicating, rate-limited work queue with retries. */
export interface WorkQueue<K> {
  /** Queues a key now (deduplicated; a key being processed runs once more after). Cancels its pending delay. */
  add(key: K): void
  /** Queues a key after `ms`, replacing any pending delay of that key. */
  addAfter(key: K, ms: number): void
  /** Resolves once nothing is queued or running and no failed key waits for its retry (later requeues do not count). */
  settled(): Promise<void>
  /** Drops pending work and timers; later adds are ignored. Idempotent. */
  stop(): void
}

/** The real timers; `keepAlive: false` lets the process exit while only the queue waits. */
function realTimers(keepAlive: boolean): WorkQueueTimers {
  return {
    setTimeout: (callback, ms) => {
      const timer = setTimeout(callback, ms)
      if (!keepAlive) timer.unref()
      return timer
    },
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    soon: (callback) => setImmediate(callback),
    now: () => performance.now(),
  }
}

/**
 * Creates the one work queue of the shells (the agent's rounds, the server's controllers): level
 * based, so a key says *what* to reconcile, never what changed. Keys are deduplicated while
 * queued; a key added while it runs runs once more afterwards. A failure is retried after
 * `backoffDelay(failures, backoff)` (capped exponential, full jitter) unless it is terminal
 * (`isTerminal`: a bad token, a missing repository), which is reported and never retried until
 * the key is added again. At most `ratePerSecond` keys start per second, and at most
 * `concurrency` are processed at the same time.
 *
 * @example
 * const queue = createWorkQueue({ process: reconcile, backoff: { baseMs: 100, maxMs: 30_000 }, onError: log })
 * queue.add({ kind: 'Goal', namespace: 'default', name: 'ship' })
 */
export function createWorkQueue<K>(options: WorkQueueOptions<K>): WorkQueue<K> {
  const timers = options.timers ?? realTimers(options.keepAlive ?? true)
  const idOf = options.id ?? ((key: K) => String(key))
  const random = options.random ?? Math.random
  const batch = options.batch ?? 256
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const queued = new Map<string, K>()
  const running = new Set<string>()
  const dirty = new Map<string, K>()
  const delays = new Map<string, unknown>()
  const failures = new Map<string, number>()
  const waiting: (() => void)[] = []
  let scheduled = false
  let draining = false
  let stopped = false
  // Token bucket: `tokens` keys may start now; one more every 1000 / ratePerSecond ms.
  const rate = options.ratePerSecond
  let tokens = rate ?? 0
  let refilledAt = timers.now()

  const isSettled = (): boolean => queued.size === 0 && running.size === 0 && !scheduled && !draining && ![...delays.keys()].some((k) => failures.has(k))
  const checkSettled = (): void => {
    if (isSettled()) for (const resolve of waiting.splice(0)) resolve()
  }
  const schedule = (ms = 0): void => {
    if (scheduled || stopped) return
    scheduled = true
    const run = (): void => {
      scheduled = false
      void drain()
    }
    if (ms > 0) timers.setTimeout(run, ms)
    else timers.soon(run)
  }
  const clearDelay = (id: string): void => {
    if (!delays.has(id)) return
    timers.clearTimeout(delays.get(id))
    delays.delete(id)
  }
  const add = (key: K): void => {
    if (stopped) return
    const id = idOf(key)
    clearDelay(id)
    if (running.has(id)) dirty.set(id, key)
    else queued.set(id, key)
    schedule()
  }
  const addAfter = (key: K, ms: number): void => {
    if (stopped) return
    const id = idOf(key)
    clearDelay(id)
    delays.set(id, timers.setTimeout(() => {
      delays.delete(id)
      add(key)
    }, Math.min(Math.max(ms, 0), 2_147_000_000)))
  }
  /** Takes a token; returns 0, or how long until one is available. */
  const takeToken = (): number => {
    if (rate === undefined) return 0
    const now = timers.now()
    tokens = Math.min(rate, tokens + ((now - refilledAt) * rate) / 1000)
    refilledAt = now
    if (tokens >= 1) {
      tokens -= 1
      return 0
    }
    return Math.ceil(((1 - tokens) * 1000) / rate)
  }
  const processOne = async (id: string, key: K): Promise<void> => {
    running.add(id)
    try {
      const result = await options.process(key)
      failures.delete(id)
      if (result?.requeueAfterMs !== undefined && !stopped) addAfter(key, result.requeueAfterMs)
    } catch (error) {
      const count = (failures.get(id) ?? 0) + 1
      if (isTerminal(error) || stopped) {
        failures.delete(id)
        options.onError?.(error, key, { terminal: isTerminal(error), failures: count })
      } else {
        failures.set(id, count)
        const retryInMs = backoffDelay(count, options.backoff, random)
        options.onError?.(error, key, { terminal: false, failures: count, retryInMs })
        addAfter(key, retryInMs)
      }
    } finally {
      running.delete(id)
      const again = dirty.get(id)
      if (again !== undefined) {
        dirty.delete(id)
        if (!stopped) queued.set(id, again)
      }
    }
  }
  /** After a key processed alongside others: start what waits, or tell waiters the queue settled. */
  const afterConcurrent = (): void => {
    if (queued.size > 0) schedule()
    else checkSettled()
  }
  async function drain(): Promise<void> {
    draining = true
    try {
      for (let done = 0; done < batch && queued.size > 0 && !stopped; done++) {
        // Every slot is taken: a key that finishes schedules the next drain.
        if (running.size >= concurrency) return
        const wait = takeToken()
        if (wait > 0) {
          draining = false
          schedule(wait)
          return
        }
        const [id, key] = queued.entries().next().value as [string, K]
        queued.delete(id)
        if (concurrency === 1) await processOne(id, key)
        else void processOne(id, key).then(afterConcurrent)
      }
    } finally {
      draining = false
    }
    if (queued.size > 0) schedule()
    else checkSettled()
  }

  return {
    add,
    addAfter,
    settled: () =>
      new Promise<void>((resolve) => {
        if (stopped || isSettled()) resolve()
        else waiting.push(resolve)
      }),
    stop() {
      if (stopped) return
      stopped = true
      for (const handle of delays.values()) timers.clearTimeout(handle)
      delays.clear()
      queued.clear()
      dirty.clear()
      for (const resolve of waiting.splice(0)) resolve()
    },
  }
}
