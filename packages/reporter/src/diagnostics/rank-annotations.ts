import type { Diagnostic } from '@planspec/core'
import { pluralize } from '../internal/pluralize.js'

/** GitHub shows at most this many error and this many warning annotations per step, and drops the rest. */
export const ANNOTATIONS_PER_SEVERITY = 10

const SEVERITY_RANK: ReadonlyMap<string, number> = new Map([
  ['error', 0],
  ['warning', 1],
])

/** Where an annotation points, as GitHub takes it: 1-based, the end on the last character of the finding. */
export interface AnnotationRange {
  readonly line: number
  readonly endLine: number
  /** Only for a finding on one line: GitHub ignores columns across lines. */
  readonly column?: number
  /** Inclusive: the column of the finding's last character. */
  readonly endColumn?: number
}

/**
 * Ranks findings for GitHub annotations, which show only the first 10 errors and 10 warnings of
 * a step: errors first, then warnings, then any other severity; within a severity by code (so
 * YAML errors, which hide everything after them, come before schema, graph and reference ones),
 * then file, line and column. Returns a new array; the same findings always rank the same.
 *
 * @example
 * rankForAnnotations(diagnostics).slice(0, 10)
 */
export function rankForAnnotations(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic): number => SEVERITY_RANK.get(d.severity) ?? 2
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  return [...diagnostics].sort((a, b) => rank(a) - rank(b) || text(a.code, b.code) || text(a.file, b.file) || a.line - b.line || a.column - b.column)
}

/**
 * Turns a finding's range (end exclusive, possibly at column 1 of the next line) into the range
 * an annotation should mark: the end on the finding's last character. A finding that ends at the
 * start of a line ends on the line before; with the file's text in `source`, on that line's last
 * character. Columns are given for a one-line finding only.
 *
 * @example
 * annotationRange({ line: 3, column: 5, endLine: 4, endColumn: 1, … }) // { line: 3, endLine: 3, column: 5 }
 */
export function annotationRange(d: Diagnostic, source?: string): AnnotationRange {
  const line = Math.max(1, d.line)
  const column = Math.max(1, d.column)
  let endLine = Math.max(line, d.endLine)
  let endColumn: number | undefined = Math.max(column, d.endColumn - 1)
  if (endLine > line && d.endColumn <= 1) {
    endLine -= 1
    const text = source?.split(/\r?\n/)[endLine - 1]
    endColumn = text === undefined ? undefined : Math.max(1, text.length)
  }
  if (endLine > line) return { line, endLine }
  return endColumn === undefined ? { line, endLine, column } : { line, endLine, column, endColumn: Math.max(column, endColumn) }
}

/**
 * Says what the annotations left out: `undefined` when every finding fits in GitHub's 10 errors
 * and 10 warnings, else one sentence counting the findings not annotated by severity.
 *
 * @example
 * annotationOverflow(ranked) // '13 more errors and 2 more warnings are not annotated: GitHub shows 10 of each per step. …'
 */
export function annotationOverflow(diagnostics: readonly Diagnostic[]): string | undefined {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  const cutErrors = Math.max(0, errors - ANNOTATIONS_PER_SEVERITY)
  const cutWarnings = Math.max(0, warnings - ANNOTATIONS_PER_SEVERITY)
  if (cutErrors + cutWarnings === 0) return undefined
  const parts = [cutErrors > 0 ? pluralize(cutErrors, 'more error') : '', cutWarnings > 0 ? pluralize(cutWarnings, 'more warning') : ''].filter((p) => p !== '')
  return `${parts.join(' and ')} ${cutErrors + cutWarnings === 1 ? 'is' : 'are'} not annotated: GitHub shows ${ANNOTATIONS_PER_SEVERITY} errors and ${ANNOTATIONS_PER_SEVERITY} warnings per step, the most useful first. Every finding is in the log above, the job summary and the SARIF file.`
}
