import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { Diagnostic } from '@planspec/core'
import type { SourceFile, ValidationSummary } from '@planspec/validator'
import { ApiError } from '../server/error-catalog.js'
import type { JobOptions, ValidationJob, ValidationReply } from './validation-jobs.js'

/** Findings of one validation: what the API answers and admission decides on. */
export interface Findings {
  readonly diagnostics: readonly Diagnostic[]
  readonly summary: ValidationSummary
}

/**
 * Validation off the event loop (DECISIONS §9): every run of the validator on untrusted input,
 * and the parse of `POST .../validate` bodies, in worker threads with a time and a memory limit.
 */
export interface ValidationService {
  /** Validates files (YAML or JSON text) as the CLI would. */
  check(files: readonly SourceFile[], options?: JobOptions): Promise<Findings>
  /** Parses and validates the raw body of `POST .../validate` (see `parseValidateBody`); a malformed body is a 400 `ApiError`. */
  checkBody(text: string, maxJsonDepth: number): Promise<Findings>
  /** Parses one YAML document (an apply configuration) in a worker; malformed YAML is a 400 `ApiError`. */
  parseYaml(text: string): Promise<unknown>
  /** Ends the workers; pending and later jobs fail. Idempotent. */
  close(): Promise<void>
}

/** Options of {@link createValidationPool}. */
export interface ValidationPoolOptions {
  /** Worker threads (default: 2, or 1 on a single CPU). */
  readonly size?: number
  /** Longest one job may run; past it the worker is terminated and the request gets 504 (default 30 s). */
  readonly timeoutMs?: number
  /** Heap of each worker, in MiB; a job that needs more gets 413 (default 512). */
  readonly maxHeapMb?: number
  /** Jobs waiting for a worker; more get 429 (default 256). */
  readonly maxQueue?: number
  /** The worker script (default: `validation-worker.js` beside this module, or in `dist` when run from source). */
  readonly workerUrl?: URL
}

interface Job {
  readonly message: Omit<ValidationJob, 'id'>
  readonly resolve: (result: Findings | { readonly value: unknown }) => void
  readonly reject: (error: Error) => void
}
interface Slot {
  worker: Worker
  /** The worker compiled its validator: jobs (and their time limit) start only then. */
  ready: boolean
  job?: { readonly id: number; readonly entry: Job; readonly timer: NodeJS.Timeout }
}

/**
 * Creates the validation pool: `size` worker threads, each running the validator one job at a
 * time. A job that runs longer than `timeoutMs` gets its worker terminated (and replaced) and
 * fails with 504 `Timeout`; one whose worker runs out of its `maxHeapMb` heap fails with 413; a
 * crashed worker is replaced. Jobs queue (at most `maxQueue`, then 429) while every worker is
 * busy. The workers do not keep the process alive.
 *
 * @example
 * const pool = createValidationPool()
 * const { diagnostics } = await pool.check([{ file: 'plan.yaml', text }])
 * await pool.close()
 */
export function createValidationPool(options: ValidationPoolOptions = {}): ValidationService {
  const size = Math.max(1, options.size ?? Math.min(2, availableParallelism()))
  const timeoutMs = options.timeoutMs ?? 30_000
  const maxHeapMb = options.maxHeapMb ?? 512
  const maxQueue = options.maxQueue ?? 256
  const url = options.workerUrl ?? defaultWorkerUrl()
  const queue: Job[] = []
  const slots: Slot[] = []
  let nextId = 1
  let closed = false

  const spawn = (): Slot => {
    const worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } })
    worker.unref()
    const slot: Slot = { worker, ready: false }
    worker.on('message', (reply: ValidationReply | { readonly ready: true }) => {
      if ('ready' in reply) {
        slot.ready = true
        return pump()
      }
      const job = slot.job
      if (job === undefined || reply.id !== job.id) return
      clearTimeout(job.timer)
      slot.job = undefined
      if (reply.ok) job.entry.resolve('value' in reply ? { value: reply.value } : { diagnostics: reply.diagnostics, summary: reply.summary })
      else job.entry.reject(new ApiError('BadRequest', reply.message))
      pump()
    })
    worker.on('error', (error: Error & { code?: string }) => fail(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new ApiError('RequestEntityTooLarge', `validating the input needs more than the ${maxHeapMb} MiB the server allows`) : new ApiError('InternalError', 'the validator crashed on the input')))
    worker.on('exit', () => fail(slot, new ApiError('InternalError', 'the validator stopped on the input')))
    return slot
  }
  /** The job of `slot` failed with `error` (timeout, memory, crash): a fresh worker replaces it. */
  const fail = (slot: Slot, error: Error): void => {
    const job = slot.job
    slot.job = undefined
    if (job !== undefined) {
      clearTimeout(job.timer)
      job.entry.reject(error)
    }
    const index = slots.indexOf(slot)
    if (index < 0) return
    slot.worker.removeAllListeners()
    void slot.worker.terminate()
    if (closed) slots.splice(index, 1)
    else slots[index] = spawn()
    pump()
  }
  const pump = (): void => {
    for (const slot of slots) {
      if (!slot.ready || slot.job !== undefined || queue.length === 0) continue
      const entry = queue.shift()!
      const id = nextId++
      const timer = setTimeout(() => fail(slot, new ApiError('Timeout', `the input took longer than ${timeoutMs} ms to validate; the server stopped`)), timeoutMs)
      timer.unref()
      slot.job = { id, entry, timer }
      slot.worker.postMessage({ ...entry.message, id })
    }
  }
  const submit = (message: Omit<ValidationJob, 'id'>): Promise<Findings | { readonly value: unknown }> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new ApiError('ServiceUnavailable', 'the server is stopping'))
      if (queue.length >= maxQueue) return reject(new ApiError('TooManyRequests', 'too many validations are waiting; retry shortly', { retryAfterSeconds: 1 }))
      queue.push({ message, resolve, reject })
      if (slots.length === 0) for (let i = 0; i < size; i++) slots.push(spawn())
      pump()
    })

  return {
    check: async (files, jobOptions = {}) => (await submit({ type: 'files', files, options: jobOptions } as Omit<ValidationJob, 'id'>)) as Findings,
    checkBody: async (text, maxJsonDepth) => (await submit({ type: 'body', text, maxJsonDepth } as Omit<ValidationJob, 'id'>)) as Findings,
    parseYaml: async (text) => ((await submit({ type: 'yaml', text } as Omit<ValidationJob, 'id'>)) as { readonly value: unknown }).value,
    async close() {
      if (closed) return
      closed = true
      for (const job of queue.splice(0)) job.reject(new ApiError('ServiceUnavailable', 'the server is stopping'))
      await Promise.all(
        slots.splice(0).map((slot) => {
          slot.worker.removeAllListeners()
          if (slot.job !== undefined) {
            clearTimeout(slot.job.timer)
            slot.job.entry.reject(new ApiError('ServiceUnavailable', 'the server is stopping'))
          }
          return slot.worker.terminate()
        }),
      )
    },
  }
}

/**
 * The worker script beside this module: in the package's `dist`, and in a bundle that ships
 * `validation-worker.js` next to itself (the CLI's). Run from source (tests), the built one in `dist`.
 */
function defaultWorkerUrl(): URL {
  const here = new URL(import.meta.url)
  return here.pathname.endsWith('.ts') ? new URL('../../dist/validation/validation-worker.js', here) : new URL('./validation-worker.js', here)
}
