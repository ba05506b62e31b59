import type { Diagnostic } from '@planspec/core'
import type { ValidationSummary } from '../types.js'
import { toRepoPath } from '../internal/to-repo-path.js'

/**
 * Renders diagnostics as GitHub Actions workflow commands, one line per diagnostic in the order
 * given: `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::message` (`::warning`
 * for warnings), which the runner turns into annotations on the pull request. Values are escaped
 * the way `@actions/core` does, so a message cannot end the command early or start another one.
 * Returns an empty string for no diagnostics; `summary` is not printed. Pure.
 *
 * @example
 * process.stdout.write(renderGithub(diagnostics, summary))
 */
export function renderGithub(diagnostics: readonly Diagnostic[], _summary: ValidationSummary): string {
  return diagnostics.map((d) => `${renderCommand(d)}\n`).join('')
}

function renderCommand(d: Diagnostic): string {
  const properties: [string, string | number][] = [
    ['file', toRepoPath(d.file)],
    ['line', d.line],
    ['col', d.column],
    ['endLine', d.endLine],
    ['endColumn', d.endColumn],
    ['title', d.code],
  ]
  const list = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',')
  return `::${d.severity} ${list}::${escapeData(d.message)}`
}

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData, escapeProperty)
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}
