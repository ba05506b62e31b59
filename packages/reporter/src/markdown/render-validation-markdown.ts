import type { Diagnostic } from '@planspec/core'
import type { ValidationSummary } from '../types.js'
import { findingsSection, summaryLine } from './internal/findings-section.js'
import { fitSections } from './internal/fit-sections.js'
import { GITHUB_COMMENT_LIMIT, overflowNote } from './internal/markdown-format.js'
import type { MarkdownOptions } from './markdown-types.js'
import { stickyMarker } from './sticky-marker.js'

/**
 * Renders validation results as GitHub Markdown, for a pull request comment or a job summary: a
 * heading, the counts (`✖ 2 errors, 1 warning in 4 files (12 resources)`), and a table of the
 * findings ranked errors first, then warnings, then by file, line and column. Each row shows the
 * severity, the code, the location (`file:line`, a link to the line when
 * `options.fileLinkBase` is set), the resource and the message.
 *
 * The body never exceeds `options.maxLength` (default 65,535): when the table does not fit, the
 * first rows that fit are kept, a line says how many were left out, and a note points to
 * `options.detailsUrl`. All user text is escaped (see `escapeMarkdown` and `codeSpan`). `summary`
 * is printed as given, never recounted. Pure.
 *
 * @example
 * const body = renderValidationMarkdown(result.diagnostics, result.summary, { marker: 'validate', fileLinkBase: `https://github.com/o/r/blob/${sha}/` })
 */
export function renderValidationMarkdown(diagnostics: readonly Diagnostic[], summary: ValidationSummary, options: MarkdownOptions = {}): string {
  const header = `## PlanSpec validation\n\n${summaryLine(summary)}`
  return fitSections([{ priority: 0, render: () => ({ text: header, complete: true }) }, findingsSection('### Findings', diagnostics, 1, options)], {
    maxLength: options.maxLength ?? GITHUB_COMMENT_LIMIT,
    note: overflowNote(options),
    ...(options.marker === undefined ? {} : { preamble: stickyMarker(options.marker) }),
  })
}
