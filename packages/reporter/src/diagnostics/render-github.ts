import type { Diagnostic } from '@planspec/core'
import type { GithubRenderOptions, ValidationSummary } from '../types.js'
import { toRepoPath } from '../internal/to-repo-path.js'
import { annotationOverflow, annotationRange, ANNOTATIONS_PER_SEVERITY, rankForAnnotations } from './rank-annotations.js'

/**
 * Renders diagnostics for a GitHub Actions log. GitHub turns at most 10 error and 10 warning
 * workflow commands per step into annotations and drops the rest, so the findings are ranked
 * first (`rankForAnnotations`: errors, then by code, file and line):
 * - the first 10 errors and 10 warnings become `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::message`
 *   (`::warning` for warnings), whose end is the finding's last character (`annotationRange`;
 *   columns only for a one-line finding);
 * - the others are plain log lines, `file:line:col: severity CODE: message`, so nothing is lost;
 * - then one `::notice` says how many were not annotated.
 * Values are escaped the way `@actions/core` does, so a message cannot end the command early or
 * start another one (plain lines get the same escaping). Returns an empty string for no
 * diagnostics; `summary` is not printed. Pure.
 *
 * @example
 * process.stdout.write(renderGithub(diagnostics, summary, { sources }))
 */
export function renderGithub(diagnostics: readonly Diagnostic[], _summary: ValidationSummary, options: GithubRenderOptions = {}): string {
  const shown = { error: 0, warning: 0 }
  const lines = rankForAnnotations(diagnostics).map((d) => {
    const severity = d.severity === 'error' ? 'error' : 'warning'
    shown[severity] += 1
    return shown[severity] <= ANNOTATIONS_PER_SEVERITY ? renderCommand(d, options.sources?.get(d.file)) : `${escapeData(`${toRepoPath(d.file)}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`)}`
  })
  const overflow = annotationOverflow(diagnostics)
  if (overflow !== undefined) lines.push(`::notice title=PlanSpec::${escapeData(overflow)}`)
  return lines.map((line) => `${line}\n`).join('')
}

function renderCommand(d: Diagnostic, source: string | undefined): string {
  const range = annotationRange(d, source)
  const properties: [string, string | number][] = [['file', toRepoPath(d.file)], ['line', range.line]]
  if (range.column !== undefined) properties.push(['col', range.column])
  properties.push(['endLine', range.endLine])
  if (range.endColumn !== undefined) properties.push(['endColumn', range.endColumn])
  properties.push(['title', d.code])
  const list = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',')
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${list}::${escapeData(d.message)}`
}

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData, escapeProperty)
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}
