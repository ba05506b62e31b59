import { namespaceOf, type Diagnostic, type Severity } from '@planspec/core'
import type { Document, LineCounter } from 'yaml'
import { CODES } from './codes.js'
import { normalizeLegacy } from './compat.js'
import { checkReferences } from './cross-reference.js'
import type { Finding, PathIssue } from './finding.js'
import { checkPlanGraph } from './graph-check.js'
import { DEFAULT_LIMITS, type ValidationLimits } from './limits.js'
import { decodeText, parseYamlFile, type ParsedFile } from './parse-yaml.js'
import { locate, pointerSegments, type SourceRange } from './positions.js'
import { NAMESPACED_KINDS, type Resource } from './resource.js'
import { createSchemaValidator, describe, type SchemaValidator } from './schema-check.js'
import { checkPolicy } from './policy-check.js'

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
}

/** Options of a validation run. */
export interface ValidateOptions {
  /** Accept legacy shapes as warnings instead of errors (DECISIONS §2). */
  readonly compat?: boolean
  /** Treat references to resources outside the file set as errors. */
  readonly closed?: boolean
  /** The repository's default namespace (`.planspec.yaml`), for files that omit it. */
  readonly defaultNamespace?: string
  readonly limits?: Partial<ValidationLimits>
  /**
   * Keep the parsed documents in the result (`parsed`), as `planspec fix` needs. Off by default:
   * releasing them as each file is done keeps memory flat on large repositories.
   */
  readonly keepParsed?: boolean
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
  /** The text of each file, for code frames and fixes. */
  readonly sources: ReadonlyMap<string, string>
  /** The parsed form of each file, for fixes that keep comments (only with `keepParsed`). */
  readonly parsed: ReadonlyMap<string, ParsedFile>
}

/** A validator with its schemas compiled once, reusable across runs. */
export interface Validator {
  validate(files: readonly SourceFile[], options?: ValidateOptions): ValidationResult
}

/**
 * Creates a validator. Compiling the schemas is the expensive part, so create one and reuse it.
 *
 * @example
 * const validator = createValidator()
 * const { diagnostics, summary } = validator.validate([{ file: 'plan.yaml', text }], { compat: true })
 */
export function createValidator(options: { schema?: SchemaValidator } = {}): Validator {
  const schema = options.schema ?? createSchemaValidator()
  return { validate: (files, runOptions) => validateFiles(schema, files, runOptions ?? {}) }
}

function validateFiles(schema: SchemaValidator, files: readonly SourceFile[], options: ValidateOptions): ValidationResult {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const perFile = new Map<string, Diagnostic[]>()
  const sources = new Map<string, string>()
  const parsedFiles = new Map<string, ParsedFile>()
  const resources: Resource[] = []
  const push = (file: string, diagnostic: Diagnostic): void => {
    let list = perFile.get(file)
    if (!list) perFile.set(file, (list = []))
    list.push(diagnostic)
  }
  for (const source of files) {
    perFile.set(source.file, perFile.get(source.file) ?? [])
    const text = readText(source, limits, (d) => push(source.file, d))
    if (text === undefined) continue
    const parsed = parseYamlFile(source.file, text, limits)
    sources.set(source.file, parsed.text)
    if (options.keepParsed) parsedFiles.set(source.file, parsed)
    for (const f of parsed.findings) push(source.file, fromFinding(source.file, parsed.lineCounter, f))
    for (const document of parsed.documents) {
      if (document.value === undefined || document.value === null) continue
      const emit = (issue: PathIssue, at: string, meta?: { kind?: string; name?: string }): void =>
        push(source.file, positioned(source.file, parsed.text, document.document, parsed.lineCounter, issue, at, options, meta))
      for (const resource of collectResources(document.value, source.file, document.index, schema, options, emit)) resources.push(resource)
    }
  }
  // Documents were released file by file; the few files with reference findings are parsed again
  // for positions (same text, same limits, same result).
  const reparsed = new Map<string, ParsedFile>()
  const parsedFor = (file: string): ParsedFile => {
    let parsed = parsedFiles.get(file) ?? reparsed.get(file)
    if (!parsed) reparsed.set(file, (parsed = parseYamlFile(file, sources.get(file) ?? '', limits)))
    return parsed
  }
  for (const issue of checkReferences(resources, { closed: options.closed ?? false })) {
    const r = issue.resource
    const parsed = parsedFor(r.file)
    const document = parsed.documents[r.documentIndex]!.document
    push(r.file, positioned(r.file, parsed.text, document, parsed.lineCounter, { ...issue, path: issue.path.slice(r.pointer.length) }, r.pointer, options, { kind: r.kind, name: r.name }))
  }
  const diagnostics: Diagnostic[] = []
  for (const list of perFile.values()) {
    list.sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code))
    if (list.length > limits.maxDiagnosticsPerFile) {
      const shown = list.slice(0, limits.maxDiagnosticsPerFile)
      const last = shown[shown.length - 1]!
      shown.push({ ...last, code: 'PS1099', severity: 'warning', message: `${list.length - shown.length} more findings in this file are not shown`, fix: undefined })
      diagnostics.push(...shown.map(stripUndefined))
      // Errors past the cap still count: a hidden error must still fail the run.
      const hiddenErrors = list.slice(limits.maxDiagnosticsPerFile).filter((d) => d.severity === 'error')
      if (hiddenErrors.length && !shown.some((d) => d.severity === 'error')) diagnostics.push(stripUndefined(hiddenErrors[0]!))
    } else diagnostics.push(...list.map(stripUndefined))
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  return {
    diagnostics,
    resources,
    summary: { files: files.length, resources: resources.length, errors, warnings: diagnostics.length - errors },
    sources,
    parsed: parsedFiles,
  }
}

function readText(source: SourceFile, limits: ValidationLimits, push: (d: Diagnostic) => void): string | undefined {
  const at = (code: keyof typeof CODES, message: string): undefined => {
    push({ code, severity: CODES[code].severity, message, file: source.file, line: 1, column: 1, endLine: 1, endColumn: 1, path: '' })
    return undefined
  }
  if (source.error !== undefined) return at('PS1010', `cannot read file: ${source.error}`)
  const size = source.size ?? source.bytes?.byteLength ?? (source.text !== undefined ? Buffer.byteLength(source.text) : 0)
  if (size > limits.maxFileBytes) return at('PS1006', `file is ${formatBytes(size)}, larger than the ${formatBytes(limits.maxFileBytes)} limit; it was not read`)
  if (source.text !== undefined) return source.text
  if (source.bytes === undefined) return at('PS1010', 'no content was given for this file')
  const text = decodeText(source.bytes)
  return text ?? at('PS1002', 'file is not UTF-8 text (binary content); it was not parsed')
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`
  return `${n} bytes`
}

type Emit = (issue: PathIssue, at: string, meta?: { kind?: string; name?: string }) => void

function collectResources(value: unknown, file: string, documentIndex: number, schema: SchemaValidator, options: ValidateOptions, emit: Emit): Resource[] {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    emit({ code: 'PS2001', message: `a document must be a mapping (a resource), not ${describe(value)}`, path: '' }, '')
    return []
  }
  const object = value as Record<string, unknown>
  if (object.kind === 'List') {
    const issues = schema.validate('List', { ...object, items: [] })
    for (const issue of issues) emit(issue, '', { kind: 'List' })
    if (!Array.isArray(object.items)) return []
    const out: Resource[] = []
    object.items.forEach((item, i) => {
      const pointer = `/items/${i}`
      if (item && typeof item === 'object' && (item as Record<string, unknown>).kind === 'List') {
        emit({ code: 'PS2002', message: 'a List cannot contain another List', path: '/kind' }, pointer, { kind: 'List' })
        return
      }
      const resource = checkResource(item, pointer, file, documentIndex, schema, options, emit)
      if (resource) out.push(resource)
    })
    return out
  }
  const resource = checkResource(object, '', file, documentIndex, schema, options, emit)
  return resource ? [resource] : []
}

function checkResource(value: unknown, pointer: string, file: string, documentIndex: number, schema: SchemaValidator, options: ValidateOptions, emit: Emit): Resource | undefined {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    emit({ code: 'PS2001', message: `a List item must be a mapping (a resource), not ${describe(value)}`, path: '' }, pointer)
    return undefined
  }
  // `value` is this run's own fresh object (from toJS), so legacy shapes are normalized in place.
  const object = value as Record<string, unknown>
  const kind = object.kind
  const metadata = object.metadata && typeof object.metadata === 'object' && !Array.isArray(object.metadata) ? (object.metadata as Record<string, unknown>) : undefined
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined
  const meta = { kind: typeof kind === 'string' ? kind : undefined, name }
  if (typeof kind !== 'string' || !schema.kinds.has(kind) || kind === 'List') {
    const hint = typeof kind === 'string' ? closestKind(kind, schema.kinds) : undefined
    emit({ code: 'PS2002', message: kind === undefined ? 'missing required field "kind"' : `unknown kind ${describe(kind)}${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${[...schema.kinds].filter((k) => k !== 'List').join(', ')}`, path: kind === undefined ? '' : '/kind', key: kind === undefined }, pointer, meta)
    return undefined
  }
  const severity: Severity = options.compat ? 'warning' : 'error'
  for (const legacy of normalizeLegacy(object)) emit({ ...legacy, severity }, pointer, meta)
  const namespaced = NAMESPACED_KINDS.has(kind)
  const hadNamespace = metadata !== undefined && 'namespace' in metadata
  const namespace = namespaced ? namespaceOf(metadata as { namespace?: string } | undefined, options.defaultNamespace) : ''
  const schemaIssues = schema.validate(kind, object)
  for (const issue of schemaIssues) emit(issue, pointer, meta)
  if (object.status !== undefined && object.status !== null && Object.keys(object.status as object).length > 0) {
    emit({ code: 'PS2015', message: 'status is written by controllers; the status in this file is ignored', path: '/status', key: true }, pointer, meta)
  }
  const schemaValid = schemaIssues.length === 0
  if (schemaValid && kind === 'Plan') for (const issue of checkPlanGraph(object.spec as Record<string, unknown>)) emit(issue, pointer, meta)
  if (schemaValid) for (const issue of checkPolicy(kind, object)) emit(issue, pointer, meta)
  if (typeof name !== 'string' || metadata === undefined) return undefined
  if (namespaced && !hadNamespace) (object.metadata as Record<string, unknown>).namespace = namespace
  return { file, documentIndex, pointer, apiVersion: String(object.apiVersion), kind, name, namespace, value: object, schemaValid }
}

function closestKind(kind: string, kinds: ReadonlySet<string>): string | undefined {
  const lower = kind.toLowerCase()
  for (const k of kinds) if (k.toLowerCase() === lower || k.toLowerCase() === lower.replace(/s$/, '')) return k
  return undefined
}

function positioned(file: string, text: string, document: Document.Parsed, lineCounter: LineCounter, issue: PathIssue, at: string, options: ValidateOptions, meta?: { kind?: string; name?: string }): Diagnostic {
  const path = at + issue.path
  let range: SourceRange = locate(document, path, { key: issue.key })
  if (issue.within && !issue.key) range = narrow(range, issue.within, valueAt(document, path), text)
  const start = lineCounter.linePos(range.from)
  const end = lineCounter.linePos(range.to)
  const severity = issue.severity ?? defaultSeverity(issue.code, options)
  return {
    code: issue.code,
    severity,
    message: issue.message,
    file,
    line: start.line,
    column: start.col,
    endLine: end.line,
    endColumn: end.col,
    path,
    kind: meta?.kind,
    name: meta?.name,
    fix: issue.fix && at ? { ...issue.fix, edits: issue.fix.edits.map((e) => ({ ...e, path: at + e.path })) } : issue.fix,
  }
}

function defaultSeverity(code: keyof typeof CODES, options: ValidateOptions): Severity {
  if (code === 'PS4001') return options.closed ? 'error' : 'warning'
  return CODES[code].severity
}

/**
 * Narrows a string value's range to part of the value (an expression inside a template, say),
 * when the source shows that line of the value verbatim; otherwise keeps the whole value.
 */
function narrow(range: SourceRange, within: { start: number; end: number }, value: unknown, text: string): SourceRange {
  if (typeof value !== 'string') return range
  const lineStart = value.lastIndexOf('\n', within.start - 1) + 1
  const lineEnd = value.indexOf('\n', within.start)
  const line = value.slice(lineStart, lineEnd < 0 ? value.length : lineEnd)
  if (!line || within.end > lineStart + line.length) return range
  const base = text.indexOf(line, range.from)
  if (base < 0 || base + line.length > Math.max(range.to, range.from + 1) + 2) return range
  return { from: base + within.start - lineStart, to: Math.max(base + within.start - lineStart + 1, base + within.end - lineStart) }
}

function fromFinding(file: string, lineCounter: LineCounter, f: Finding): Diagnostic {
  const start = lineCounter.linePos(f.from)
  const end = lineCounter.linePos(Math.max(f.from, f.to))
  return { code: f.code, severity: f.severity, message: f.message, file, line: start.line, column: start.col, endLine: end.line, endColumn: end.col, path: f.path ?? '' }
}

function stripUndefined(d: Diagnostic): Diagnostic {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(d)) if (v !== undefined) out[k] = v
  return out as unknown as Diagnostic
}

function valueAt(document: Document.Parsed, pointer: string): unknown {
  const node = document.getIn(pointerSegments(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s)), true) as { value?: unknown } | undefined
  return node && typeof node === 'object' && 'value' in node ? node.value : undefined
}
