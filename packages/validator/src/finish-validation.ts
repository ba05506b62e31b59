import type { Diagnostic } from '@planspec/core'
import type { FileCheck } from './check-file.js'
import { checkReferences, type ReferenceIssue } from './cross-reference.js'
import type { ValidationLimits } from './limits.js'
import type { ParsedFile } from './parse-yaml.js'
import { positionIssue, type SeverityOptions } from './position-issue.js'
import type { Resource } from './resource.js'
import type { ValidationResult } from './validate.js'

/**
 * Runs the checks that need the whole set: cross-reference checks over the resources of every
 * file (full or compact values). The files of the findings are parsed again for positions by
 * `finishValidation`; `issues.map((i) => i.resource.file)` says which.
 */
export function checkSetReferences(checks: readonly FileCheck[], options: SeverityOptions & { readonly outsideReferences?: boolean }): ReferenceIssue[] {
  return checkReferences(checks.flatMap((check) => check.resources), { closed: options.closed ?? false, outsideReferences: options.outsideReferences })
}

/**
 * Merges the per-file checks of a run, in the order given, with the set's reference findings,
 * positioned in the files `parsedFor` parses again (the same text, limits and documents as the
 * first reading); then sorts each file's findings by position and applies the per-file cap.
 * `fileCount` is the number of input files; the `skipped` ones (not PlanSpec documents) are not counted.
 */
export function finishValidation(checks: readonly FileCheck[], fileCount: number, options: SeverityOptions & { readonly keepParsed?: boolean }, limits: ValidationLimits, issues: readonly ReferenceIssue[], parsedFor: (file: string) => ParsedFile): ValidationResult {
  const perFile = new Map<string, Diagnostic[]>()
  const sources = new Map<string, string>()
  const parsedFiles = new Map<string, ParsedFile>()
  const resources: Resource[] = []
  const skipped: string[] = []
  for (const check of checks) {
    if (check.path === 'skipped') {
      skipped.push(check.file)
      continue
    }
    const list = perFile.get(check.file) ?? []
    perFile.set(check.file, list)
    for (const d of check.diagnostics) list.push(d)
    if (check.text !== undefined && (check.diagnostics.length > 0 || options.keepParsed)) sources.set(check.file, check.text)
    if (check.parsed) parsedFiles.set(check.file, check.parsed)
    for (const r of check.resources) resources.push(r)
  }
  for (const issue of issues) {
    const r = issue.resource
    const parsed = parsedFiles.get(r.file) ?? parsedFor(r.file)
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
    summary: { files: fileCount - skipped.length, resources: resources.length, errors, warnings: diagnostics.length - errors },
    sources,
    parsed: parsedFiles,
    ...(skipped.length > 0 ? { skipped } : {}),
  }
}

function stripUndefined(d: Diagnostic): Diagnostic {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(d)) if (v !== undefined) out[k] = v
  return out as unknown as Diagnostic
}
