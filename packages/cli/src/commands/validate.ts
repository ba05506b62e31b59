import { availableParallelism } from 'node:os'
import { DEFAULT_LIMITS, validateParallel, type ValidationResult } from '@planspec/validator'
import { collectFiles } from '../files/collect-files.js'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { EXIT_2_CODES, pathProblem, splitPaths } from './validate/path-problems.js'
import { renderValidationReport, VALIDATE_FORMATS } from './validate/render-report.js'
import { validationWorkerUrl } from '../validation-worker-url.js'
import { createValidationProgress, PROGRESS_FROM_FILES } from '../validation-progress.js'

export { VALIDATE_FORMATS }

/** Options of `planspec validate`, as parsed from flags. */
export interface ValidateOptions {
  readonly paths: readonly string[]
  readonly output: (typeof VALIDATE_FORMATS)[number]
  readonly compat: boolean
  readonly closed: boolean
  readonly warningsAsErrors: boolean
  readonly maxFileBytes: number
  readonly maxDepth: number
  /** The file name of standard input (`-` unless given), e.g. the path it came from. */
  readonly stdinFilename?: string
  /** Threads to validate with (`--jobs`); a small set always stays in one. */
  readonly jobs?: number
  /** Validate every YAML file found in directories, also those that are not PlanSpec manifests. */
  readonly strict?: boolean
}

/**
 * Runs `planspec validate`: every file under the paths, every finding, in the chosen format.
 * Returns the exit code: 0 clean (warnings allowed), 1 findings, 2 when a path does not exist, no
 * YAML file was found or a file could not be read. Those exit-2 problems are diagnostics too
 * (PS1012, PS1013, PS1010), so `-o json|sarif|junit` always print a valid document; each is also
 * one line on stderr.
 */
export async function runValidate(options: ValidateOptions, io: CommandIO): Promise<number> {
  if (!VALIDATE_FORMATS.includes(options.output)) throw new UsageError(`unknown output format "${options.output}"; use one of ${VALIDATE_FORMATS.join(', ')}`)
  const startedAt = Date.now()
  const { found, missing } = await splitPaths(options.paths, io)
  const problems = missing.map((path) => pathProblem('PS1012', path, `path not found: ${path}`))
  let result: (ValidationResult & { readonly skipped: readonly string[] }) | undefined
  if (found.length > 0 || missing.length === 0) {
    try {
      // Reports need each resource's identity and references only: compact values keep memory flat.
      result = await validatePaths({ ...options, paths: found, keepParsed: options.output === 'junit', keepValues: false }, io)
    } catch (error) {
      if (!(error instanceof UsageError) || !error.message.startsWith('no YAML files found')) throw error
      problems.push(pathProblem('PS1013', found.join(' ') || '.', error.message))
    }
  }
  const all = [...problems, ...(result?.diagnostics ?? [])]
  const diagnostics = options.warningsAsErrors ? all.map((d) => ({ ...d, severity: 'error' as const })) : all
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const summary = { files: result?.summary.files ?? 0, resources: result?.summary.resources ?? 0, errors, warnings: diagnostics.length - errors }
  // Exit-2 problems also get one line on stderr; text output already shows unreadable files.
  for (const d of diagnostics) {
    if (problems.some((p) => p.message === d.message)) io.stderr.write(`error: ${d.message}\n`)
    else if (d.code === 'PS1010' && options.output !== 'text') io.stderr.write(`error: ${d.file}: ${d.message}\n`)
  }
  if (result !== undefined && result.skipped.length > 0) {
    const shown = result.skipped.slice(0, 5).join(', ')
    io.stderr.write(`note: skipped ${result.skipped.length} YAML file${result.skipped.length === 1 ? ' that names' : 's that name'} no planspec.io apiVersion (${shown}${result.skipped.length > 5 ? ', ...' : ''}); --strict validates them too\n`)
  }
  const text = await renderValidationReport(options.output, { diagnostics, summary, ...(result === undefined ? {} : { result }), startedAt, durationMs: Date.now() - startedAt }, io)
  io.stdout.write(text)
  if (diagnostics.some((d) => EXIT_2_CODES.has(d.code))) return EXIT.usage
  return errors > 0 ? EXIT.findings : EXIT.ok
}

/**
 * Collects and validates the files under the given paths (shared by validate, graph, fix, run and
 * simulate): on every core for a large tree, in this thread for a small one. YAML files found in
 * directories that are not PlanSpec documents are skipped (listed in `skipped`) unless `strict`.
 * More than 200 files on a terminal: a progress line on stderr, erased at the end.
 */
export async function validatePaths(options: Pick<ValidateOptions, 'paths' | 'compat' | 'closed' | 'maxFileBytes' | 'maxDepth' | 'stdinFilename' | 'jobs' | 'strict'> & { keepParsed?: boolean; keepValues?: boolean }, io: CommandIO): Promise<ValidationResult & { readonly skipped: readonly string[] }> {
  // Each file is read once, by the thread that checks it, which also tells a PlanSpec document from another YAML file.
  const { files, defaultNamespace, skipped } = await collectFiles(options.paths, io, options.maxFileBytes, options.stdinFilename, { strict: options.strict ?? false, sniffWhenRead: true })
  const noneFound = (skippedFiles: readonly string[]): UsageError => new UsageError(`no YAML files found under ${options.paths.join(' ') || '.'}${skippedFiles.length > 0 ? ` that are PlanSpec manifests (${skippedFiles.length} skipped: no planspec.io apiVersion; --strict validates them)` : ''}`)
  if (files.length === 0) throw noneFound(skipped)
  // A long run on a terminal shows how far it is (stderr only: CI logs and pipes stay clean).
  const progress = io.stderr.isTTY === true && files.length > PROGRESS_FROM_FILES ? createValidationProgress(io.stderr, Date.now) : undefined
  const result = await validateParallel(files, {
    ...(progress === undefined ? {} : { onProgress: (checked: number, total: number) => progress.update(checked, total) }),
    compat: options.compat,
    closed: options.closed,
    defaultNamespace,
    limits: { maxFileBytes: options.maxFileBytes, maxDepth: options.maxDepth },
    keepParsed: options.keepParsed,
    keepValues: options.keepValues,
    jobs: options.jobs,
    workerUrl: validationWorkerUrl(),
  }).finally(() => progress?.clear())
  const allSkipped = [...skipped, ...(result.skipped ?? [])]
  if (result.summary.files === 0) throw noneFound(allSkipped)
  return Object.assign(result, { skipped: allSkipped })
}

/** Parses `--jobs`: a positive number of threads, or `auto` (the available cores). */
export function parseJobs(text: string): number {
  if (text === 'auto') return availableParallelism()
  const jobs = Number(text)
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`invalid --jobs "${text}"; use a positive number or auto`)
  return jobs
}

export { parseSize, maxLogBytesOf } from '../size-flag.js'

/** The default limits, as shown in help. */
export const DEFAULTS = { maxFileBytes: DEFAULT_LIMITS.maxFileBytes, maxDepth: DEFAULT_LIMITS.maxDepth }
