import type { Diagnostic } from '@planspec/core'
import type { TextRenderOptions, ValidationSummary } from '../types.js'
import { paint } from '../internal/paint.js'
import { pluralize } from '../internal/pluralize.js'
import { renderCodeFrame } from '../internal/render-code-frame.js'
import { sanitizeTerminal } from '../internal/sanitize-terminal.js'

/**
 * Renders diagnostics for a terminal, the way a compiler does. Each diagnostic, in the order
 * given, gets a `file:line:col: error CODE: message` line, a code frame when `options.sources`
 * holds the file's text, and a `  fix: …` line when it has a fix; a blank line follows each. The
 * last line is the summary, `✖ 3 errors, 1 warning in 2 files (5 resources)` or
 * `✔ 5 resources in 2 files are valid`, built from `summary` (never recounted).
 *
 * Colour is added only when `options.color` is true. Control characters and bidirectional
 * overrides in messages and source lines are made visible, so file content cannot drive the
 * terminal. Pure: the same arguments always give the same string, which ends with a newline.
 *
 * @example
 * process.stdout.write(renderText(diagnostics, summary, { color: process.stdout.isTTY, sources }))
 */
export function renderText(
  diagnostics: readonly Diagnostic[],
  summary: ValidationSummary,
  options: TextRenderOptions,
): string {
  const { color, sources } = options
  const lines: string[] = []
  for (const diagnostic of diagnostics) {
    lines.push(...renderHeader(diagnostic, color))
    const source = sources?.get(diagnostic.file)
    if (source !== undefined) lines.push(...renderCodeFrame(source, diagnostic, color))
    if (diagnostic.fix) lines.push(`  ${paint(color, 'green', 'fix:')} ${sanitizeTerminal(diagnostic.fix.description)}`)
    lines.push('')
  }
  lines.push(renderSummaryLine(summary, color))
  return `${lines.join('\n')}\n`
}

function renderHeader(diagnostic: Diagnostic, color: boolean): string[] {
  const { file, line, column, severity, code } = diagnostic
  const tone = severity === 'error' ? 'red' : 'yellow'
  const [first, ...rest] = diagnostic.message.split(/\r?\n/) as [string, ...string[]]
  const location = `${sanitizeTerminal(file)}:${line}:${column}`
  const label = `${paint(color, tone, severity)} ${paint(color, 'bold', sanitizeTerminal(code))}`
  // A multi-line message keeps its lines, indented, so every unindented line is a location.
  return [`${location}: ${label}: ${sanitizeTerminal(first)}`, ...rest.map((l) => `  ${sanitizeTerminal(l)}`)]
}

function renderSummaryLine(summary: ValidationSummary, color: boolean): string {
  const { files, resources, errors, warnings } = summary
  const where = pluralize(files, 'file')
  if (errors > 0) {
    const counts = `${pluralize(errors, 'error')}, ${pluralize(warnings, 'warning')}`
    return `${paint(color, 'red', '✖')} ${paint(color, 'bold', counts)} in ${where} (${pluralize(resources, 'resource')})`
  }
  const verb = resources === 1 ? 'is' : 'are'
  const note = warnings > 0 ? ` (${paint(color, 'yellow', pluralize(warnings, 'warning'))})` : ''
  return `${paint(color, 'green', '✔')} ${pluralize(resources, 'resource')} in ${where} ${verb} valid${note}`
}
