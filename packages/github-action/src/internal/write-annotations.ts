import type { Diagnostic } from '@planspec/core'
import type { ActionCore } from '../action-types.js'

/** GitHub shows at most this many error and this many warning annotations per step. */
export const ANNOTATIONS_PER_SEVERITY = 10

/**
 * Ranks findings for annotation: errors first, then warnings; within a severity by code, then
 * file, line and column, so the same findings always give the same annotations.
 */
export function rankFindings(findings: readonly Diagnostic[]): Diagnostic[] {
  const order = (d: Diagnostic): number => (d.severity === 'error' ? 0 : 1)
  return [...findings].sort(
    (a, b) => order(a) - order(b) || a.code.localeCompare(b.code) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  )
}

/**
 * Writes the first 10 errors and the first 10 warnings of the ranked findings as annotations
 * (GitHub drops the rest of a step's annotations silently) and returns the findings that were
 * not annotated, for the job summary.
 */
export function writeAnnotations(core: ActionCore, findings: readonly Diagnostic[]): Diagnostic[] {
  const counts = { error: 0, warning: 0 }
  const rest: Diagnostic[] = []
  for (const d of rankFindings(findings)) {
    if (counts[d.severity] >= ANNOTATIONS_PER_SEVERITY) {
      rest.push(d)
      continue
    }
    counts[d.severity] += 1
    const properties = { title: d.code, file: d.file, startLine: d.line, endLine: d.endLine, ...(d.line === d.endLine ? { startColumn: d.column, endColumn: d.endColumn } : {}) }
    if (d.severity === 'error') core.error(d.message, properties)
    else core.warning(d.message, properties)
  }
  return rest
}
