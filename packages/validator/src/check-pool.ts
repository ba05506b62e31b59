import type { ResourceLimits } from 'node:worker_threads'
import { PlanSpecError, type Diagnostic } from '@planspec/core'
import type { FileCheck, FileCheckOptions, SourceFile } from './check-file.js'
import { CODES } from './codes.js'
import type { ValidationLimits } from './limits.js'
import type { AloneResult, CheckReply, CheckRequest } from './serve-validation.js'
import type { ValidateOptions } from './validate.js'
import { createWorkerPool, WorkerJobError } from './worker-pool.js'

/** What a check pool needs. */
export interface CheckPoolOptions {
  /** The worker script: one that calls `serveValidation(parentPort)`. */
  readonly workerUrl: URL
  /** How many worker threads to run (at least one). */
  readonly workers: number
  /**
   * Limits of each worker's heap and stack; a worker past them stops, the process does not.
   * Default: a 16 MiB young generation, V8's defaults otherwise.
   */
  readonly resourceLimits?: ResourceLimits
}

/** Worker threads that check batches of files. */
export interface CheckPool {
  /** Checks a batch of files on the next free worker; resolves with one check per file, in order. */
  check(files: readonly SourceFile[], options: FileCheckOptions, limits: ValidationLimits): Promise<FileCheck[]>
  /**
   * Validates each file of a batch as a set of its own (as `createValidator().validate([file])`),
   * on the next free worker; resolves with one result per file, in order.
   */
  validateEach(files: readonly SourceFile[], options: FileCheckOptions & Pick<ValidateOptions, 'outsideReferences'>, limits: ValidationLimits): Promise<AloneResult[]>
  /** How many batches are waiting or being checked: a caller may check more itself meanwhile. */
  backlog(): number
  /** Stops every worker. Idempotent. */
  close(): Promise<void>
}

/** Thrown when a validation worker cannot start at all (a wrong script, say): retrying cannot help. */
export class ValidatorWorkerError extends PlanSpecError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super(message, { code: 'PLANSPEC_ERR_VALIDATOR_WORKER', data, terminal: true })
  }
}

/** What a batch gives per file: a check, or the result of validating the file alone. */
type Outcome = FileCheck | AloneResult

const STOPPED = 'PS1014'
// A worker's young generation: smaller than V8's default, it keeps a validation worker's peak
// memory about 12 MiB lower at no cost in CPU (each batch's parse is short-lived), measured on
// 10,000 manifests.
const WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16 }
// Two batches per worker: it starts the second as soon as it answers the first, while the
// thread that sent them may be busy.
const PIPELINE = 2

/**
 * Starts a pool of validation worker threads (on the shared {@link createWorkerPool}). A worker
 * that stops while checking (out of memory, a crash) never takes the process down: it is
 * replaced, and each file of every batch it had is checked again alone on a worker with nothing
 * else in flight; a file that stops a worker on its own is reported as PS1014 and every other file
 * is checked normally. A worker that cannot start at all fails every pending check with a
 * ValidatorWorkerError.
 *
 * @example
 * const pool = createCheckPool({ workerUrl, workers: 2 })
 * const checks = await pool.check(files, {}, DEFAULT_LIMITS)
 * await pool.close()
 */
export function createCheckPool(options: CheckPoolOptions): CheckPool {
  const pool = createWorkerPool<Omit<CheckRequest, 'id'>, CheckReply>({ workerUrl: options.workerUrl, size: options.workers, pipeline: PIPELINE, resourceLimits: options.resourceLimits ?? WORKER_LIMITS })
  let closed = false

  const submit = async (mode: CheckRequest['mode'], files: readonly SourceFile[], jobOptions: CheckRequest['options'], limits: ValidationLimits, alone = false): Promise<Outcome[]> => {
    if (closed) throw new ValidatorWorkerError('the validation workers were stopped')
    let reply: CheckReply
    try {
      reply = await pool.run({ mode, files: files.map(wholeBytes), options: jobOptions, limits }, { alone })
    } catch (error) {
      if (!(error instanceof WorkerJobError) || error.reason === 'closed') throw error instanceof WorkerJobError ? new ValidatorWorkerError('the validation workers were stopped') : error
      if (error.reason === 'start') throw new ValidatorWorkerError(`a validation worker could not start: ${error.message}`, { workerUrl: options.workerUrl.href })
      return retryAlone(mode, files, jobOptions, limits, alone, error.reason === 'memory' ? 'the validator ran out of memory on it' : 'the worker stopped')
    }
    if ('checks' in reply) return [...reply.checks]
    if ('results' in reply) return [...reply.results]
    if ('json' in reply) return JSON.parse(reply.json) as Outcome[]
    return retryAlone(mode, files, jobOptions, limits, alone, 'error' in reply ? reply.error : 'the worker stopped')
  }

  /**
   * Any batch in flight on a worker that stopped may be innocent: each of its files is checked
   * again, alone on a worker (ahead of the queue), so that only the file that stops it is blamed.
   */
  const retryAlone = async (mode: CheckRequest['mode'], files: readonly SourceFile[], jobOptions: CheckRequest['options'], limits: ValidationLimits, alone: boolean, why: string): Promise<Outcome[]> => {
    if (alone) {
      const check = stoppedCheck(files[0]!, why)
      return [mode === 'check' ? check : { diagnostics: check.diagnostics, resources: [] }]
    }
    const parts = await Promise.all(files.map((file) => submit(mode, [file], jobOptions, limits, true)))
    return parts.flat()
  }

  return {
    check: (files, checkOptions, limits) => submit('check', files, checkOptions, limits) as Promise<FileCheck[]>,
    validateEach: (files, eachOptions, limits) => submit('alone', files, eachOptions, limits) as Promise<AloneResult[]>,
    backlog: () => pool.backlog(),
    async close() {
      closed = true
      await pool.close()
    },
  }
}

/**
 * Returns the file with bytes that own their whole buffer: a message copies a view's entire
 * buffer (a blob that is a view into a pack file would copy the pack), so a partial view is
 * copied down to its own bytes first.
 */
function wholeBytes(file: SourceFile): SourceFile {
  const bytes = file.bytes
  if (!bytes || (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)) return file
  return { ...file, bytes: bytes.slice() }
}

function stoppedCheck(source: SourceFile, why: string): FileCheck {
  const diagnostic: Diagnostic = { code: STOPPED, severity: CODES[STOPPED].severity, message: `file could not be validated: ${why}`, file: source.file, line: 1, column: 1, endLine: 1, endColumn: 1, path: '' }
  return { file: source.file, diagnostics: [diagnostic], resources: [], path: 'unread' }
}
