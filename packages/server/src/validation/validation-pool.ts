import { availableParallelism } from 'node:os'
import type { Diagnostic } from '@planspec/core'
import { createWorkerPool, WorkerJobError, type SourceFile, type ValidationSummary } from '@planspec/validator'
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

/**
 * Creates the validation pool: `size` worker threads (the validator's shared `createWorkerPool`,
 * started at once so the first write does not wait for them), each running the validator one job
 * at a time. A job that runs longer than `timeoutMs` gets its worker terminated (and replaced) and
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
  const timeoutMs = options.timeoutMs ?? 30_000
  const maxHeapMb = options.maxHeapMb ?? 512
  const pool = createWorkerPool<Omit<ValidationJob, 'id'>, ValidationReply>({
    workerUrl: options.workerUrl ?? defaultWorkerUrl(),
    size: Math.max(1, options.size ?? Math.min(2, availableParallelism())),
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
    timeoutMs,
    maxQueue: options.maxQueue ?? 256,
    unref: true,
  })
  const toApiError = (error: unknown): Error => {
    if (!(error instanceof WorkerJobError)) return error as Error
    if (error.reason === 'timeout') return new ApiError('Timeout', `the input took longer than ${timeoutMs} ms to validate; the server stopped`)
    if (error.reason === 'memory') return new ApiError('RequestEntityTooLarge', `validating the input needs more than the ${maxHeapMb} MiB the server allows`)
    if (error.reason === 'full') return new ApiError('TooManyRequests', 'too many validations are waiting; retry shortly', { retryAfterSeconds: 1 })
    if (error.reason === 'closed') return new ApiError('ServiceUnavailable', 'the server is stopping')
    return new ApiError('InternalError', error.reason === 'start' ? 'the validator could not start' : 'the validator crashed on the input')
  }
  const submit = async (message: Omit<ValidationJob, 'id'>): Promise<Findings | { readonly value: unknown }> => {
    let reply: ValidationReply
    try {
      reply = await pool.run(message)
    } catch (error) {
      throw toApiError(error)
    }
    if (!reply.ok) throw new ApiError('BadRequest', reply.message)
    return 'value' in reply ? { value: reply.value } : { diagnostics: reply.diagnostics, summary: reply.summary }
  }

  return {
    check: async (files, jobOptions = {}) => (await submit({ type: 'files', files, options: jobOptions } as Omit<ValidationJob, 'id'>)) as Findings,
    checkBody: async (text, maxJsonDepth) => (await submit({ type: 'body', text, maxJsonDepth } as Omit<ValidationJob, 'id'>)) as Findings,
    parseYaml: async (text) => ((await submit({ type: 'yaml', text } as Omit<ValidationJob, 'id'>)) as { readonly value: unknown }).value,
    close: () => pool.close(),
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
