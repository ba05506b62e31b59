import { availableParallelism } from 'node:os'
import type { ResourceLimits } from 'node:worker_threads'
import { checkFile, type FileCheck, type SourceFile } from './check-file.js'
import { createCheckPool } from './check-pool.js'
import { checkSetReferences, finishValidation } from './finish-validation.js'
import type { ValidationLimits } from './limits.js'
import type { ParsedFile } from './parse-yaml.js'
import { createSchemaValidator, type SchemaValidator } from './schema-check.js'
import { limitsOf, reparseSource, type ValidateOptions, type ValidationResult } from './validate.js'
import { readSource, type SourceInput } from './read-source.js'

/** Options of `validateParallel`: those of a validation run, and how to share it out. */
export interface ParallelValidateOptions extends ValidateOptions {
  /** Threads to use; 1 checks everything in this thread. Default: the available cores. */
  readonly jobs?: number
  /** Sets smaller than this many bytes stay in this thread (a worker costs a start-up). Default 4 MiB. */
  readonly parallelFromBytes?: number
  /** The worker script (default: this package's `validate-worker.js`); a bundled program gives its own. */
  readonly workerUrl?: URL
  /** Told how many files have been checked so far, of how many (after each file or batch): a progress display. */
  readonly onProgress?: (checked: number, total: number) => void
  /** Heap and stack limits of each worker (default: the check pool's, see `createCheckPool`). */
  readonly resourceLimits?: ResourceLimits
}

/** The worker script of this package (as built: `dist/validate-worker.js`). */
export const VALIDATION_WORKER_URL = new URL('./validate-worker.js', import.meta.url)

/** The default size from which a set is split across worker threads. */
export const PARALLEL_FROM_BYTES = 4 * 1024 * 1024

// A batch is a few hundred KiB: big enough that a message costs little, small enough that both
// workers stay busy to the end and that memory holds only a few batches at a time.
const BATCH_BYTES = 256 * 1024
const BATCH_FILES = 64
const SMALL_FILE = 4096

/**
 * Validates a set of files like `createValidator().validate`, with the same result, using every
 * core for large sets: files are checked in batches by this thread and `jobs - 1` worker threads,
 * results are merged in input order, and the cross-reference checks run after the merge. A small set (under
 * `parallelFromBytes`) or `jobs: 1` stays in this thread, so a one-file run starts no worker.
 * Lazy sources are read one batch at a time and released once checked; with `keepValues: false`
 * only compact resource values are kept, so memory stays flat in the number of files. A file
 * that stops a worker (memory exhausted) is reported as PS1014; the process carries on.
 *
 * @throws ValidatorWorkerError when the worker script cannot start.
 * @example
 * const result = await validateParallel(paths.map((f) => ({ file: f, size: statSync(f).size, read: async () => ({ file: f, bytes: readFileSync(f) }) })), { keepValues: false })
 */
export async function validateParallel(inputs: readonly SourceInput[], options: ParallelValidateOptions = {}, deps: { readonly schema?: SchemaValidator } = {}): Promise<ValidationResult> {
  const limits = limitsOf(options)
  const jobs = Math.max(1, Math.floor(options.jobs ?? availableParallelism()))
  const bytes = inputs.reduce((sum, input) => sum + sizeOf(input), 0)
  const parallel = jobs > 1 && !options.keepParsed && bytes >= (options.parallelFromBytes ?? PARALLEL_FROM_BYTES)
  const schema = deps.schema ?? createSchemaValidator()
  const checks = parallel ? await checkInWorkers(inputs, jobs, options, limits, schema) : await checkHere(inputs, options, limits, schema)
  const issues = checkSetReferences(checks, options)
  // Only the files with reference findings are read and parsed again, for positions.
  const parsed = new Map<string, ParsedFile>()
  const byName = new Map(inputs.map((input) => [input.file, input]))
  for (const file of new Set(issues.map((issue) => issue.resource.file))) parsed.set(file, reparseSource(await readSource(byName.get(file)!), limits))
  return finishValidation(checks, inputs.length, options, limits, issues, (file) => parsed.get(file)!)
}

async function checkHere(inputs: readonly SourceInput[], options: ParallelValidateOptions, limits: ValidationLimits, schema: SchemaValidator): Promise<FileCheck[]> {
  const checks: FileCheck[] = []
  for (const input of inputs) {
    checks.push(checkFile(schema, await readSource(input), options, limits))
    options.onProgress?.(checks.length, inputs.length)
  }
  return checks
}

/**
 * Checks the files on `jobs` threads: this one and `jobs - 1` workers. Each batch goes to the
 * workers while they have room (two batches each), else it is checked here at once; results land
 * at their input positions.
 */
async function checkInWorkers(inputs: readonly SourceInput[], jobs: number, options: ParallelValidateOptions, limits: ValidationLimits, schema: SchemaValidator): Promise<FileCheck[]> {
  const workers = jobs - 1
  const pool = createCheckPool({ workerUrl: options.workerUrl ?? VALIDATION_WORKER_URL, workers, resourceLimits: options.resourceLimits })
  const checks: FileCheck[] = new Array(inputs.length)
  const sent: Promise<void>[] = []
  const checkOptions = { compat: options.compat, closed: options.closed, defaultNamespace: options.defaultNamespace, keepValues: options.keepValues }
  let checked = 0
  const progressed = (files: number): void => {
    checked += files
    options.onProgress?.(checked, inputs.length)
  }
  try {
    let batch: SourceInput[] = []
    let batchBytes = 0
    let start = 0
    const flush = async (): Promise<void> => {
      const inputsOfBatch = batch
      const at = start
      batch = []
      batchBytes = 0
      if (pool.backlog() < workers * 2) {
        // A worker reads the files it can find itself; this thread reads the others for it.
        const files = await Promise.all(inputsOfBatch.map(forWorker))
        const done = pool.check(files, checkOptions, limits).then((result) => {
          result.forEach((check, i) => (checks[at + i] = check))
          progressed(files.length)
        })
        done.catch(() => undefined) // awaited below; a failure fails the run there
        sent.push(done)
        return
      }
      for (let i = 0; i < inputsOfBatch.length; i++) checks[at + i] = checkFile(schema, await readSource(inputsOfBatch[i]!), checkOptions, limits)
      progressed(inputsOfBatch.length)
      // Let the workers' answers in, so that they get their next batches.
      await new Promise((resolve) => setImmediate(resolve))
    }
    for (let i = 0; i < inputs.length; i++) {
      if (batch.length === 0) start = i
      const input = inputs[i]!
      batch.push(input)
      batchBytes += sizeOf(input)
      if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) await flush()
    }
    if (batch.length) await flush()
    await Promise.all(sent)
    return checks
  } finally {
    await pool.close()
  }
}

/** A file as a worker gets it: by its path when it has one (the worker reads it), else read here. */
async function forWorker(input: SourceInput): Promise<SourceFile> {
  if (!('read' in input) || input.absolutePath === undefined) return readSource(input)
  return { file: input.file, absolutePath: input.absolutePath, ...(input.size === undefined ? {} : { size: input.size }), ...(input.planSpecOnly === true ? { planSpecOnly: true } : {}) }
}

function sizeOf(input: SourceInput | SourceFile): number {
  if ('read' in input) return input.size ?? SMALL_FILE
  return input.size ?? input.bytes?.byteLength ?? input.text?.length ?? 0
}
