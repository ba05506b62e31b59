import type { Diagnostic } from '@planspec/core'
import { checkFile, readText, type SourceFile } from './check-file.js'
import { checkSetReferences, finishValidation } from './finish-validation.js'
import { DEFAULT_LIMITS, type ValidationLimits } from './limits.js'
import { parseYamlFile, type ParsedFile } from './parse-yaml.js'
import type { Resource } from './resource.js'
import { createSchemaValidator, type SchemaValidator } from './schema-check.js'

export type { SourceFile } from './check-file.js'

/** Options of a validation run. */
export interface ValidateOptions {
  /** Accept legacy shapes as warnings instead of errors (DECISIONS §2). */
  readonly compat?: boolean
  /** Treat references to resources outside the file set as errors. */
  readonly closed?: boolean
  /**
   * Report references to resources outside the file set (PS4001), as warnings or (`closed`)
   * errors; true by default. False leaves them out, for a caller that validates the files of a
   * larger set one by one (the git store) and judges references itself.
   */
  readonly outsideReferences?: boolean
  /** The repository's default namespace (`.planspec.yaml`), for files that omit it. */
  readonly defaultNamespace?: string
  readonly limits?: Partial<ValidationLimits>
  /**
   * Keep the parsed documents in the result (`parsed`), as `planspec fix` needs. Off by default:
   * releasing them as each file is done keeps memory flat on large repositories.
   */
  readonly keepParsed?: boolean
  /**
   * Keep each resource's whole value (the default). When false, `resources[].value` holds only
   * what cross-reference checks read (see `compactResource`), which keeps the memory of a large
   * run flat; `planspec validate` needs no more.
   */
  readonly keepValues?: boolean
}

/** Counts of a validation run, as printed in every output format. */
export interface ValidationSummary {
  readonly files: number
  readonly resources: number
  readonly errors: number
  readonly warnings: number
}

/** The outcome of validating a set of files: every finding, and the resources found. */
export interface ValidationResult {
  readonly diagnostics: readonly Diagnostic[]
  readonly resources: readonly Resource[]
  readonly summary: ValidationSummary
  /** The text of each file with findings (of every file with `keepParsed`), for code frames and fixes. */
  readonly sources: ReadonlyMap<string, string>
  /** The parsed form of each file, for fixes that keep comments (only with `keepParsed`). */
  readonly parsed: ReadonlyMap<string, ParsedFile>
  /** Files given as `planSpecOnly` that are not PlanSpec documents: not validated, not counted. */
  readonly skipped?: readonly string[]
}

/** A validator with its schemas compiled once, reusable across runs. */
export interface Validator {
  validate(files: readonly SourceFile[], options?: ValidateOptions): ValidationResult
}

/**
 * Creates a validator. Compiling the schemas is the expensive part, so create one and reuse it.
 * Each file is read by the fast parser and read again with positions only when it has findings
 * (see `checkFile`); the result is the same as with positions everywhere.
 *
 * @example
 * const validator = createValidator()
 * const { diagnostics, summary } = validator.validate([{ file: 'plan.yaml', text }], { compat: true })
 */
export function createValidator(options: { schema?: SchemaValidator } = {}): Validator {
  const schema = options.schema ?? createSchemaValidator()
  return { validate: (files, runOptions) => validateFiles(schema, files, runOptions ?? {}) }
}

/** Resolves the limits of a run: the defaults, overridden by the options. */
export function limitsOf(options: ValidateOptions): ValidationLimits {
  return { ...DEFAULT_LIMITS, ...options.limits }
}

function validateFiles(schema: SchemaValidator, files: readonly SourceFile[], options: ValidateOptions): ValidationResult {
  const limits = limitsOf(options)
  const checks = files.map((source) => checkFile(schema, source, options, limits))
  const issues = checkSetReferences(checks, options)
  const byName = new Map(files.map((f) => [f.file, f]))
  const reparsed = new Map<string, ParsedFile>()
  const parsedFor = (file: string): ParsedFile => {
    let parsed = reparsed.get(file)
    if (!parsed) reparsed.set(file, (parsed = reparseSource(byName.get(file)!, limits)))
    return parsed
  }
  return finishValidation(checks, files.length, options, limits, issues, parsedFor)
}

/** Reads a source again with the positioned parser (for a file that was read once already). */
export function reparseSource(source: SourceFile, limits: ValidationLimits): ParsedFile {
  return parseYamlFile(source.file, readText(source, limits, () => undefined) ?? '', limits)
}
