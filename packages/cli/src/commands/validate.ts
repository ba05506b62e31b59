import { availableParallelism } from 'node:os'
import { CODES, DEFAULT_LIMITS, validateParallel, type ValidationResult } from '@planspec/validator'
import { renderGithub, renderJson, renderJunit, renderSarif, renderText } from '@planspec/reporter'
import type { Diagnostic } from '@planspec/core'
import { collectFiles } from '../files/collect-files.js'
import { EXIT, UsageError, useColor, type CommandIO } from '../io.js'
import { VERSION } from '../version.js'
import { validationWorkerUrl } from '../validation-worker-url.js'

/** The output formats of `planspec validate`. */
export const VALIDATE_FORMATS = ['text', 'json', 'github', 'sarif', 'junit'] as const

/** Options of `planspec validate`, as parsed from flags. */
export interface ValidateOptions {
  readonly paths: readonly string[]
  readonly output: (typeof VALIDATE_FORMATS)[number]
  readonly compat: boolean
  readonly closed: boolean
  readonly warningsAsErrors: boolean
  readonly maxFileBytes: number
  readonly maxDepth: number
  /** Threads to validate with (`--jobs`); a small set always stays in one. */
  readonly jobs?: number
}

/**
 * Runs `planspec validate`: every file under the paths, every finding, in the chosen format.
 * Returns the exit code: 0 clean (warnings allowed), 1 findings, 2 when a file could not be read.
 */
export async function runValidate(options: ValidateOptions, io: CommandIO): Promise<number> {
  if (!VALIDATE_FORMATS.includes(options.output)) throw new UsageError(`unknown output format "${options.output}"; use one of ${VALIDATE_FORMATS.join(', ')}`)
  // Reports need each resource's identity and references only: compact values keep memory flat.
  const result = await validatePaths({ ...options, keepValues: false }, io)
  const diagnostics = options.warningsAsErrors ? result.diagnostics.map((d) => ({ ...d, severity: 'error' as const })) : result.diagnostics
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const summary = { ...result.summary, errors, warnings: diagnostics.length - errors }
  io.stdout.write(render(options.output, diagnostics, summary, result, io))
  if (diagnostics.some((d) => d.code === 'PS1010')) return EXIT.usage
  return errors > 0 ? EXIT.findings : EXIT.ok
}

/**
 * Collects and validates the files under the given paths (shared by validate, graph, fix, run and
 * simulate): on every core for a large tree, in this thread for a small one.
 */
export async function validatePaths(options: Pick<ValidateOptions, 'paths' | 'compat' | 'closed' | 'maxFileBytes' | 'maxDepth' | 'jobs'> & { keepParsed?: boolean; keepValues?: boolean }, io: CommandIO): Promise<ValidationResult> {
  const { files, defaultNamespace } = await collectFiles(options.paths, io, options.maxFileBytes)
  if (files.length === 0) throw new UsageError(`no YAML files found under ${options.paths.join(' ') || '.'}`)
  return validateParallel(files, {
    compat: options.compat,
    closed: options.closed,
    defaultNamespace,
    limits: { maxFileBytes: options.maxFileBytes, maxDepth: options.maxDepth },
    keepParsed: options.keepParsed,
    keepValues: options.keepValues,
    jobs: options.jobs,
    workerUrl: validationWorkerUrl(),
  })
}

/** Parses `--jobs`: a positive number of threads, or `auto` (the available cores). */
export function parseJobs(text: string): number {
  if (text === 'auto') return availableParallelism()
  const jobs = Number(text)
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`invalid --jobs "${text}"; use a positive number or auto`)
  return jobs
}

function render(format: ValidateOptions['output'], diagnostics: readonly Diagnostic[], summary: ValidationResult['summary'], result: ValidationResult, io: CommandIO): string {
  switch (format) {
    case 'json':
      return renderJson(diagnostics, summary)
    case 'github':
      return renderGithub(diagnostics, summary)
    case 'sarif': {
      const ruleDocs = new Map(Object.entries(CODES).map(([code, info]) => [code, { shortDescription: info.title, helpText: info.help }]))
      return renderSarif(diagnostics, summary, { toolVersion: VERSION, ruleDocs })
    }
    case 'junit':
      return renderJunit(diagnostics, summary, { resources: result.resources.map((r) => ({ file: r.file, kind: r.kind, name: r.name, path: r.pointer })) })
    default:
      return renderText(diagnostics, summary, { color: useColor(io), sources: result.sources })
  }
}

/** Parses a size flag such as `1MiB`, `512k` or `1048576` into bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim())
  if (!match) throw new UsageError(`invalid size "${text}"; use a number of bytes or a suffix such as 512KiB or 1MiB`)
  const unit = (match[2] ?? 'b').toLowerCase()[0]
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1
  return Math.floor(Number(match[1]) * factor)
}

/** The default limits, as shown in help. */
export const DEFAULTS = { maxFileBytes: DEFAULT_LIMITS.maxFileBytes, maxDepth: DEFAULT_LIMITS.maxDepth }
