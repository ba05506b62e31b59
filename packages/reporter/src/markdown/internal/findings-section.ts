import type { Diagnostic } from '@planspec/core'
import { pluralize } from '../../internal/pluralize.js'
import { toRepoPath } from '../../internal/to-repo-path.js'
import type { ValidationSummary } from '../../types.js'
import { codeSpan, escapeMarkdown } from '../escape-markdown.js'
import type { MarkdownOptions } from '../markdown-types.js'
import { blockSection, row } from './fit-blocks.js'
import type { Section } from './fit-sections.js'
import { cell, fileUrl } from './markdown-format.js'

const SEVERITY_RANK: Readonly<Record<string, number>> = { error: 0, warning: 1 }
const SEVERITY_LABEL: Readonly<Record<string, string>> = { error: '✖ error', warning: '⚠ warning' }

/** Says how a validation ended: `✔ 12 resources in 4 files are valid` or `✖ 2 errors, 1 warning in 4 files`. */
export function summaryLine(summary: ValidationSummary): string {
  if (summary.errors === 0 && summary.warnings === 0) return `✔ ${pluralize(summary.resources, 'resource')} in ${pluralize(summary.files, 'file')} ${summary.resources === 1 ? 'is' : 'are'} valid`
  const mark = summary.errors > 0 ? '✖' : '⚠'
  return `${mark} ${pluralize(summary.errors, 'error')}, ${pluralize(summary.warnings, 'warning')} in ${pluralize(summary.files, 'file')} (${pluralize(summary.resources, 'resource')})`
}

/**
 * Ranks findings: errors first, then warnings, then anything else; within a severity by file,
 * line, column and code. Returns a new array.
 */
export function rankFindings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic): number => SEVERITY_RANK[d.severity] ?? 2
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  return [...diagnostics].sort((a, b) => rank(a) - rank(b) || text(toRepoPath(a.file), toRepoPath(b.file)) || a.line - b.line || a.column - b.column || text(a.code, b.code))
}

/** The section listing findings as a ranked table with file:line links; empty without findings. */
export function findingsSection(title: string, diagnostics: readonly Diagnostic[], priority: number, options: MarkdownOptions): Section {
  const rows = rankFindings(diagnostics).map((d) => {
    const resource = d.kind === undefined ? '' : codeSpan(d.name === undefined ? d.kind : `${d.kind}/${d.name}`, { table: true, max: 120 })
    return row([SEVERITY_LABEL[d.severity] ?? escapeMarkdown(d.severity), codeSpan(d.code, { table: true }), location(d, options), resource, cell(d.message)])
  })
  const blocks = rows.length === 0 ? [] : [{ lead: '', header: ['Severity', 'Code', 'Location', 'Resource', 'Message'], rows }]
  return blockSection(priority, { title, blocks, more: (hidden) => `${pluralize(hidden, 'more finding')} not shown here.` })
}

/** `file:line`, linked to the line when a link base is given. */
function location(d: Diagnostic, options: MarkdownOptions): string {
  const file = toRepoPath(d.file)
  const label = `${file}:${d.line}`
  const url = options.fileLinkBase === undefined ? undefined : fileUrl(options.fileLinkBase, file, d.line)
  return url === undefined ? codeSpan(label, { table: true, max: 200 }) : `[${escapeMarkdown(label, 200)}](${url})`
}
