import type { Diagnostic } from '@planspec/core'
import { CODES } from './codes.js'
import { collectResources, type Emit, type ResourceCheckOptions } from './collect-resources.js'
import { compactResource } from './compact-resource.js'
import { fastParse } from './fast-parse.js'
import { isPlanSpecDocument, namesPlanSpecApiVersion, SNIFF_BYTES } from './file-selection.js'
import type { ValidationLimits } from './limits.js'
import { decodeText, parseYamlFile, type ParsedFile } from './parse-yaml.js'
import { positionFinding, positionIssue, type SeverityOptions } from './position-issue.js'
import { textMayHoldCredentials } from './policy-check.js'
import type { Resource } from './resource.js'
import type { SchemaValidator } from './schema-check.js'

/**
 * One input file. Give `text` (or `bytes`, decoded as UTF-8 here), or `error` when the caller
 * could not read it; `size` lets the caller report an oversize file without reading it.
 */
export interface SourceFile {
  readonly file: string
  readonly text?: string
  readonly bytes?: Uint8Array
  readonly size?: number
  readonly error?: string
  /**
   * Validate the file only if it is a PlanSpec document (`isPlanSpecDocument` on its bytes);
   * otherwise its check says `skipped` and it counts for nothing. A file that cannot be read,
   * or is too large to be, is always reported.
   */
  readonly planSpecOnly?: boolean
  /**
   * Where the file is, when no content is given: the thread that checks it reads it there
   * (`validateParallel` hands workers paths, not bytes). `checkFile` itself never reads.
   */
  readonly absolutePath?: string
}

/** What the checks of one file depend on. */
export interface FileCheckOptions extends Omit<ResourceCheckOptions, 'credentialsPossible'>, SeverityOptions {
  /** Keep the careful path's parsed file (for `planspec fix`): every file takes that path. */
  readonly keepParsed?: boolean
  /** Keep full resource values; when false, only what cross-reference checks read. */
  readonly keepValues?: boolean
  /**
   * With `keepValues: false`: copy the kept values off the file's parse (the default), or not,
   * for a caller that copies them anyway (a worker's reply).
   */
  readonly detachValues?: boolean
}

/** Which parser read a file: the fast one, the positioned one, or none (unreadable). */
export type ParsePath = 'fast' | 'careful' | 'unread' | 'skipped'

/** The outcome of checking one file on its own, before cross-reference checks. */
export interface FileCheck {
  readonly file: string
  /** Every finding of the file, positioned (unsorted, uncapped). */
  readonly diagnostics: readonly Diagnostic[]
  readonly resources: readonly Resource[]
  /** The text (without a byte-order mark) of a file with findings, or of every file read with `keepParsed`. */
  readonly text?: string
  /** The careful path's parsed file, only with `keepParsed`. */
  readonly parsed?: ParsedFile
  readonly path: ParsePath
}

/**
 * Checks one file on its own: reading limits, YAML, and every per-resource check. A file is read
 * by a fast parser first (`fastParse`); positions are built only for a file with findings, which is read
 * again by the positioned parser and checked again there, so every finding keeps its exact line
 * and column range. A file the fast parser cannot read exactly as the positioned one (see
 * `fastParse`) takes the careful path at once. Never throws for bad input.
 */
export function checkFile(schema: SchemaValidator, source: SourceFile, options: FileCheckOptions, limits: ValidationLimits): FileCheck {
  const unread: Diagnostic[] = []
  const rawText = readText(source, limits, (d) => unread.push(d))
  if (source.planSpecOnly === true && !mayBePlanSpec(source, rawText, unread)) return { file: source.file, diagnostics: [], resources: [], path: 'skipped' }
  if (rawText === undefined) return { file: source.file, diagnostics: unread, resources: [], path: 'unread' }
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText
  const fast = options.keepParsed ? undefined : checkFast(schema, source.file, text, options, limits)
  const check = fast ? { file: source.file, diagnostics: [], resources: fast, path: 'fast' as const } : checkCareful(schema, source.file, text, options, limits)
  if (options.keepValues !== false) return check
  const detach = options.detachValues !== false
  return { ...check, resources: check.resources.map((resource) => compactResource(resource, { detach })) }
}

/** The fast path: the resources of a file without findings, or undefined (take the careful path). */
function checkFast(schema: SchemaValidator, file: string, text: string, options: FileCheckOptions, limits: ValidationLimits): Resource[] | undefined {
  // The careful path reports these (PS1008, PS1007, PS1009): let it.
  if (text.trim() === '') return undefined
  const values = fastParse(text, limits.maxDepth)
  if (values === undefined || values.length > limits.maxDocumentsPerFile) return undefined
  fastPathClean = true
  const resources: Resource[] = []
  const checkOptions = { ...options, credentialsPossible: textMayHoldCredentials(text) }
  for (let index = 0; index < values.length && fastPathClean; index++) {
    const value = values[index]
    if (value !== undefined && value !== null) for (const resource of collectResources(value, file, index, schema, checkOptions, leaveFastPath)) resources.push(resource)
  }
  return fastPathClean ? resources : undefined
}

// Whether the file on the fast path has had no finding yet (checks are synchronous: one file at a
// time); any finding sends the file to the careful path. No closure per file.
let fastPathClean = true
function leaveFastPath(): void {
  fastPathClean = false
}

/** The careful path: the positioned parser, with every finding at its exact range. */
function checkCareful(schema: SchemaValidator, file: string, text: string, options: FileCheckOptions, limits: ValidationLimits): FileCheck {
  const parsed = parseYamlFile(file, text, limits)
  const diagnostics = parsed.findings.map((f) => positionFinding(file, parsed.lineCounter, f))
  const resources: Resource[] = []
  for (const document of parsed.documents) {
    if (document.value === undefined || document.value === null) continue
    const emit: Emit = (issue, at, meta) => diagnostics.push(positionIssue(parsed, document.document, issue, at, options, meta))
    for (const resource of collectResources(document.value, file, document.index, schema, options, emit)) resources.push(resource)
  }
  const keepText = diagnostics.length > 0 || options.keepParsed === true
  return { file, diagnostics, resources, text: keepText ? parsed.text : undefined, parsed: options.keepParsed ? parsed : undefined, path: 'careful' }
}

/**
 * Whether a `planSpecOnly` source is to be validated: it names a planspec.io apiVersion, or it
 * could not be read (too large, unreadable: reported). Its text, decoded once, is sniffed as
 * `isPlanSpecDocument` sniffs its bytes; bytes that are not text are sniffed as they are.
 */
function mayBePlanSpec(source: SourceFile, text: string | undefined, unread: readonly Diagnostic[]): boolean {
  if (source.bytes === undefined) return source.text === undefined || isPlanSpecDocument(Buffer.from(source.text))
  if (text !== undefined) return source.bytes.byteLength <= SNIFF_BYTES ? namesPlanSpecApiVersion(text) : isPlanSpecDocument(source.bytes)
  return unread.some((d) => d.code !== 'PS1002') || isPlanSpecDocument(source.bytes)
}

/**
 * Reads the text of a source, or reports why it cannot be read (PS1010, PS1006, PS1002) and
 * returns undefined.
 */
export function readText(source: SourceFile, limits: ValidationLimits, push: (d: Diagnostic) => void): string | undefined {
  if (source.error !== undefined) return unreadable(source, push, 'PS1010', `cannot read file: ${source.error}`)
  const size = source.size ?? source.bytes?.byteLength ?? (source.text !== undefined ? Buffer.byteLength(source.text) : 0)
  if (size > limits.maxFileBytes) return unreadable(source, push, 'PS1006', `file is ${formatBytes(size)}, larger than the ${formatBytes(limits.maxFileBytes)} limit; it was not read`)
  if (source.text !== undefined) return source.text
  if (source.bytes === undefined) return unreadable(source, push, 'PS1010', 'no content was given for this file')
  const text = decodeText(source.bytes)
  return text ?? unreadable(source, push, 'PS1002', 'file is not UTF-8 text (binary content); it was not parsed')
}

/** Reports why a source was not read, at its first line; returns undefined (no text). */
function unreadable(source: SourceFile, push: (d: Diagnostic) => void, code: keyof typeof CODES, message: string): undefined {
  push({ code, severity: CODES[code].severity, message, file: source.file, line: 1, column: 1, endLine: 1, endColumn: 1, path: '' })
  return undefined
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`
  return `${n} bytes`
}
