import type { Diagnostic } from '@planspec/core'
import type { FileCheck } from './check-file.js'
import { checkReferences } from './cross-reference.js'
import type { ValidationLimits } from './limits.js'
import type { ParsedFile } from './parse-yaml.js'
import { positionIssue, type SeverityOptions } from './position-issue.js'
import type { Resource } from './resource.js'
import type { ValidationResult } from './validate.js'

/** Reads a file again with the positioned parser, to position a cross-reference finding. */
export type Reparse = (file: string) => ParsedFile

/**
 * Merges the per-file checks of a run, in the order given, and runs what needs the whole set:
 * cross-reference checks (on the resources, full or compact), positioned by parsing again only
 * the files they are found in; then sorts each file's findings by position and applies the
 * per-file cap. `fileCount` is the number of input files.
 */
export function finishValidation(checks: readonly FileCheck[], fileCount: number, options: SeverityOptions & { readonly keepParsed?: boolean }, limits: ValidationLimits, reparse: Reparse): ValidationResult {
  const perFile = new Map<string, Diagnostic[]>()
  const sources = new Map<string, string>()
  const parsedFiles = new Map<string, ParsedFile>()
  const resources: Resource[] = []
  for (const check of checks) {
    const list = perFile.get(check.file) ?? []
    perFile.set(check.file, list)
    for (const d of check.diagnostics) list.push(d)
    if (check.text !== undefined && (check.diagnostics.length > 0 || options.keepParsed)) sources.set(check.file, check.text)
    if (check.parsed) parsedFiles.set(check.file, check.parsed)
    for (const r of check.resources) resources.push(r)
  }
  // The few files with reference findings are parsed again for positions (same text, same
  // limits, same documents).
  const reparsed = new Map<string, ParsedFile>()
  const parsedFor = (file: string): ParsedFile => {
    let parsed = parsedFiles.get(file) ?? reparsed.get(file)
    if (!parsed) reparsed.set(file, (parsed = reparse(file)))
    return parsed
  }
  for (const issue of checkReferences(resources, { closed: options.closed ?? false })) {
    const r = issue.resource
    const parsed = parsedFor(r.file)
    sources.set(r.file, parsed.text)
    const document = parsed.documents[r.documentIndex]!.document
    perFile.get(r.file)!.push(positionIssue(parsed, document, { ...issue, path: issue.path.slice(r.pointer.length) }, r.pointer, options, { kind: r.kind, name: r.name }))
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
    summary: { files: fileCount, resources: resources.length, errors, warnings: diagnostics.length - errors },
    sources,
    parsed: parsedFiles,
  }
}

function stripUndefined(d: Diagnostic): Diagnostic {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(d)) if (v !== undefined) out[k] = v
  return out as unknown as Diagnostic
}
