import { Worker, type ResourceLimits } from 'node:worker_threads'
import { PlanSpecError } from '@planspec/core'

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** The worker script: it posts `{ ready: true }` once it serves, then answers each `{ id, ... }` message with `{ id, ... }`. */
  readonly workerUrl: URL
  /** How many worker threads (at least one). */
  readonly size: number
  /** Limits of each worker's heap and stack: a worker past them stops, the process does not. */
  readonly resourceLimits?: ResourceLimits
  /** Longest one job may run once a worker has it; past it the worker is terminated (and replaced) and the job fails with `timeout`. Default: none. */
  readonly timeoutMs?: number
  /** Jobs waiting for a worker; more fail at once with `full`. Default: no bound. */
  readonly maxQueue?: number
  /** Jobs in flight on one worker (default 1): a worker starts the next as soon as it answers one. */
  readonly pipeline?: number
  /** Start the workers now (default), or on the first job. */
  readonly warm?: boolean
  /** The workers do not keep the process alive (a server's pool). Default false. */
  readonly unref?: boolean
}

/** Why a job failed without an answer. */
export type WorkerFailure = 'timeout' | 'memory' | 'crash' | 'start' | 'full' | 'closed'

/** A job got no answer from the pool: its `reason` says why (the worker's own errors are answers). */
export class WorkerJobError extends PlanSpecError {
  /** Creates the error. */
  constructor(
    readonly reason: WorkerFailure,
    message: string,
  ) {
    super(message, { code: 'PLANSPEC_ERR_VALIDATOR_WORKER', data: { reason }, terminal: reason === 'start' })
  }
}

/** Worker threads that answer one message per job. */
export interface WorkerPool<Request extends object, Reply> {
  /**
   * Runs a job on the next free worker and resolves with its answer. With `alone`, the job waits
   * for a worker with nothing else in flight, and nothing else is sent to it meanwhile (a job
   * that may stop its worker then fails on its own).
   */
  run(request: Request, options?: { readonly alone?: boolean }): Promise<Reply>
  /** How many jobs are waiting or running. */
  backlog(): number
  /** Stops every worker; waiting and running jobs fail with `closed`. Idempotent. */
  close(): Promise<void>
}

interface Job {
  readonly request: object
  readonly alone: boolean
  readonly resolve: (reply: never) => void
  readonly reject: (error: Error) => void
}
interface Slot {
  readonly worker: Worker
  /** The worker said it serves: jobs (and their time limit) start only then. */
  ready: boolean
  /** Running a job alone: nothing else is sent until it answers. */
  isolating: boolean
  /** Why it stopped, once it has: no job is sent to it any more. */
  stopped?: WorkerFailure
  readonly running: Map<number, { readonly job: Job; readonly timer?: NodeJS.Timeout }>
}

/**
 * Starts a pool of worker threads, the one both the validator (`validateParallel`, the git
 * store's scans) and the API server's admission use. Jobs queue (bounded by `maxQueue`) until a
 * worker that said `ready` has room (`pipeline` jobs each). A job past `timeoutMs` gets its worker
 * terminated and fails with `timeout`; a worker that runs out of its heap (`resourceLimits`) or
 * stops otherwise fails the jobs it held with `memory` or `crash`; either way a fresh worker
 * replaces it, so the process never goes down with a bad input. A worker that stops before it
 * ever served fails every job with `start` (retrying cannot help). Answers are matched by `id`.
 *
 * @example
 * const pool = createWorkerPool<{ text: string }, { id: number; ok: boolean }>({ workerUrl, size: 2, timeoutMs: 30_000, maxQueue: 256 })
 * const reply = await pool.run({ text })
 * await pool.close()
 */
export function createWorkerPool<Request extends object, Reply>(options: WorkerPoolOptions): WorkerPool<Request, Reply> {
  const size = Math.max(1, Math.floor(options.size))
  const pipeline = Math.max(1, options.pipeline ?? 1)
  const queue: Job[] = []
  const slots: Slot[] = []
  let nextId = 1
  let closed = false
  let broken: WorkerJobError | undefined

  const spawn = (): Slot => {
    const worker = new Worker(options.workerUrl, options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits })
    if (options.unref === true) worker.unref()
    const slot: Slot = { worker, ready: false, isolating: false, running: new Map() }
    worker.on('message', (reply: { readonly ready?: true; readonly id?: number }) => {
      if (reply.ready === true && reply.id === undefined) {
        slot.ready = true
        return dispatch()
      }
      const entry = reply.id === undefined ? undefined : slot.running.get(reply.id)
      if (entry === undefined) return
      slot.running.delete(reply.id!)
      if (entry.timer !== undefined) clearTimeout(entry.timer)
      if (entry.job.alone) slot.isolating = false
      entry.job.resolve(reply as never)
      dispatch()
    })
    worker.on('error', (error: Error & { code?: string }) => (slot.stopped ??= error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash'))
    worker.once('exit', () => stop(slot, slot.stopped ?? 'crash'))
    return slot
  }

  /** `slot`'s worker stopped (or is stopped, for `timeout`): its jobs fail, a fresh worker replaces it. */
  const stop = (slot: Slot, reason: WorkerFailure, timedOut?: number): void => {
    const index = slots.indexOf(slot)
    if (index < 0) return
    slot.stopped = reason
    slot.worker.removeAllListeners()
    void slot.worker.terminate()
    const wasReady = slot.ready
    for (const [id, { job, timer }] of slot.running) {
      if (timer !== undefined) clearTimeout(timer)
      job.reject(new WorkerJobError(id === timedOut ? 'timeout' : reason === 'timeout' ? 'crash' : reason, describe(id === timedOut ? 'timeout' : reason, options)))
    }
    slot.running.clear()
    if (closed) return void slots.splice(index, 1)
    if (!wasReady) {
      // It never served: a wrong script or a broken install. Every job fails the same way.
      broken = new WorkerJobError('start', `a worker could not start (${options.workerUrl.href})`)
      for (const job of queue.splice(0)) job.reject(broken)
      slots.splice(index, 1)
      return
    }
    slots[index] = spawn()
    dispatch()
  }

  const send = (slot: Slot, job: Job): void => {
    const id = nextId++
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stop(slot, 'timeout', id), options.timeoutMs)
    timer?.unref()
    slot.running.set(id, { job, ...(timer === undefined ? {} : { timer }) })
    if (job.alone) slot.isolating = true
    slot.worker.postMessage({ ...job.request, id })
  }

  const dispatch = (): void => {
    for (const slot of slots) {
      while (!closed && queue.length > 0 && slot.ready && slot.stopped === undefined && !slot.isolating && slot.running.size < pipeline) {
        // A job run alone waits for a worker with nothing else in flight.
        if (queue[0]!.alone && slot.running.size > 0) break
        send(slot, queue.shift()!)
      }
    }
  }

  const start = (): void => {
    if (slots.length === 0 && !closed) for (let i = 0; i < size; i++) slots.push(spawn())
  }
  if (options.warm !== false) start()

  return {
    run: (request, runOptions = {}) =>
      new Promise<Reply>((resolve, reject) => {
        if (closed) return reject(new WorkerJobError('closed', 'the workers were stopped'))
        if (broken !== undefined) return reject(broken)
        if (options.maxQueue !== undefined && queue.length >= options.maxQueue) return reject(new WorkerJobError('full', `more than ${options.maxQueue} jobs are waiting`))
        const job: Job = { request, alone: runOptions.alone === true, resolve: resolve as (reply: never) => void, reject }
        // A job run alone goes ahead of the queue: it is the retry of a batch already waited for.
        if (job.alone) queue.unshift(job)
        else queue.push(job)
        start()
        dispatch()
      }),
    backlog: () => queue.length + slots.reduce((sum, slot) => sum + slot.running.size, 0),
    async close() {
      if (closed) return
      closed = true
      const error = new WorkerJobError('closed', 'the workers were stopped')
      for (const job of queue.splice(0)) job.reject(error)
      await Promise.all(
        slots.splice(0).map((slot) => {
          slot.worker.removeAllListeners()
          for (const { job, timer } of slot.running.values()) {
            if (timer !== undefined) clearTimeout(timer)
            job.reject(error)
          }
          slot.running.clear()
          return slot.worker.terminate()
        }),
      )
    },
  }
}

function describe(reason: WorkerFailure, options: WorkerPoolOptions): string {
  if (reason === 'timeout') return `the job took longer than ${options.timeoutMs} ms; its worker was stopped`
  if (reason === 'memory') return 'the worker ran out of memory on the job'
  return 'the worker stopped on the job'
}
