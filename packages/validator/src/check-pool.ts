import { Worker, type ResourceLimits } from 'node:worker_threads'
import { PlanSpecError, type Diagnostic } from '@planspec/core'
import type { FileCheck, FileCheckOptions, SourceFile } from './check-file.js'
import { CODES } from './codes.js'
import type { ValidationLimits } from './limits.js'
import type { AloneResult, CheckReply, CheckRequest } from './serve-validation.js'
import type { ValidateOptions } from './validate.js'

/** What a check pool needs. */
export interface CheckPoolOptions {
  /** The worker script: one that calls `serveValidation(parentPort)`. */
  readonly workerUrl: URL
  /** How many worker threads to run (at least one). */
  readonly workers: number
  /** Limits of each worker's heap and stack; a worker past them stops, the process does not. */
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

interface Slot {
  readonly worker: Worker
  /** Batches sent and not answered yet. */
  inFlight: number
  /** Checking a file alone: nothing else is sent until it answers. */
  isolating: boolean
  /** The worker said it serves: a stop before that is a start-up failure. */
  ready: boolean
  /** Why the worker stopped, once it has. */
  stopped?: string
}

/** What a batch gives per file: a check, or the result of validating the file alone. */
type Outcome = FileCheck | AloneResult

interface Job {
  /** A file of a failed batch, checked again on a worker of its own: a failure is its own. */
  readonly alone?: true
  readonly mode: CheckRequest['mode']
  readonly files: readonly SourceFile[]
  readonly options: CheckRequest['options']
  readonly limits: ValidationLimits
  readonly resolve: (outcomes: Outcome[]) => void
  readonly reject: (error: Error) => void
}

const STOPPED = 'PS1014'
// Two batches per worker: it starts the second as soon as it answers the first, while the
// thread that sent them may be busy.
const PIPELINE = 2

/**
 * Starts a pool of validation worker threads. A worker that stops while checking (out of memory,
 * a crash) never takes the process down: it is replaced, and each file of every batch it had is
 * checked again alone on a worker with nothing else in flight; a file that stops a worker on its
 * own is reported as PS1014 and every other file is checked normally. A worker that cannot start
 * at all fails every pending check with a ValidatorWorkerError.
 *
 * @example
 * const pool = createCheckPool({ workerUrl, workers: 2 })
 * const checks = await pool.check(files, {}, DEFAULT_LIMITS)
 * await pool.close()
 */
export function createCheckPool(options: CheckPoolOptions): CheckPool {
  const slots: Slot[] = []
  const queue: Job[] = []
  const running = new Set<Job>()
  let nextId = 0
  let closed = false
  let broken: Error | undefined

  const fail = (error: Error): void => {
    broken = error
    for (const job of [...queue.splice(0), ...running]) job.reject(error)
    running.clear()
  }

  const spawn = (): Slot => {
    const worker = new Worker(options.workerUrl, options.resourceLimits ? { resourceLimits: options.resourceLimits } : {})
    const slot: Slot = { worker, inFlight: 0, isolating: false, ready: false }
    const onReady = (message: CheckReply): void => {
      if (!('ready' in message)) return
      slot.ready = true
      worker.off('message', onReady)
      dispatch()
    }
    worker.on('message', onReady)
    worker.on('error', (error) => (slot.stopped = describeStop(error)))
    worker.once('exit', (code) => {
      slot.stopped ??= `the worker exited with code ${code}`
      if (closed) return
      if (!slot.ready) return fail(new ValidatorWorkerError(`a validation worker could not start: ${slot.stopped}`, { workerUrl: options.workerUrl.href }))
      slots.splice(slots.indexOf(slot), 1, spawn())
      dispatch()
    })
    return slot
  }

  const run = (slot: Slot, job: Job): void => {
    slot.inFlight++
    slot.isolating = job.alone === true
    running.add(job)
    const id = nextId++
    const { worker } = slot
    const settle = (reply: CheckReply | undefined): void => {
      worker.off('message', onMessage)
      worker.off('exit', onExit)
      slot.inFlight--
      slot.isolating = false
      if (!running.delete(job)) return // failed with the whole pool
      if (reply && 'checks' in reply) job.resolve([...reply.checks])
      else if (reply && 'results' in reply) job.resolve([...reply.results])
      else if (reply && 'json' in reply) job.resolve(JSON.parse(reply.json) as Outcome[])
      else retryAlone(job, (reply && 'error' in reply ? reply.error : undefined) ?? slot.stopped ?? 'the worker stopped')
      dispatch()
    }
    const onMessage = (reply: CheckReply): void => {
      if ('id' in reply && reply.id === id) settle(reply)
    }
    // An error is always followed by the exit, which settles the batch.
    const onExit = (): void => settle(undefined)
    worker.on('message', onMessage)
    worker.once('exit', onExit)
    const request: CheckRequest = { id, mode: job.mode, files: job.files.map(wholeBytes), options: job.options, limits: job.limits }
    worker.postMessage(request)
  }

  /** Checks each file of a failed batch alone; a file that failed alone is reported. */
  const retryAlone = (job: Job, why: string): void => {
    if (job.alone) {
      const check = stoppedCheck(job.files[0]!, why)
      return job.resolve([job.mode === 'check' ? check : { diagnostics: check.diagnostics, resources: [] }])
    }
    // Any batch in flight on a worker that stopped may be innocent: each of its files is checked
    // again, alone on a worker (ahead of the queue), so that only the file that stops it is blamed.
    const parts = job.files.map((file) => new Promise<Outcome[]>((resolve, reject) => queue.unshift({ ...job, alone: true, files: [file], resolve, reject })))
    Promise.all(parts).then((checks) => job.resolve(checks.flat()), job.reject)
  }

  const dispatch = (): void => {
    for (const slot of slots) {
      while (!closed && !broken && queue.length && slot.ready && !slot.isolating && slot.inFlight < PIPELINE && slot.stopped === undefined) {
        // A file checked alone waits for a worker with nothing else in flight.
        if (queue[0]!.alone && slot.inFlight > 0) break
        run(slot, queue.shift()!)
      }
    }
  }

  const submit = (mode: Job['mode'], files: readonly SourceFile[], jobOptions: Job['options'], limits: ValidationLimits): Promise<Outcome[]> => {
    if (broken) return Promise.reject(broken)
    if (closed) return Promise.reject(new ValidatorWorkerError('the validation workers were stopped'))
    return new Promise((resolve, reject) => {
      queue.push({ mode, files, options: jobOptions, limits, resolve, reject })
      dispatch()
    })
  }

  for (let i = 0; i < Math.max(1, options.workers); i++) slots.push(spawn())
  return {
    check: (files, checkOptions, limits) => submit('check', files, checkOptions, limits) as Promise<FileCheck[]>,
    validateEach: (files, eachOptions, limits) => submit('alone', files, eachOptions, limits) as Promise<AloneResult[]>,
    backlog: () => queue.length + running.size,
    async close() {
      if (closed) return
      closed = true
      await Promise.all(slots.map((slot) => slot.worker.terminate()))
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

function describeStop(error: Error): string {
  const code = (error as Error & { code?: string }).code
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'the validator ran out of memory on it'
  return error.message || 'the worker stopped'
}

function stoppedCheck(source: SourceFile, why: string): FileCheck {
  const diagnostic: Diagnostic = { code: STOPPED, severity: CODES[STOPPED].severity, message: `file could not be validated: ${why}`, file: source.file, line: 1, column: 1, endLine: 1, endColumn: 1, path: '' }
  return { file: source.file, diagnostics: [diagnostic], resources: [], path: 'unread' }
}
