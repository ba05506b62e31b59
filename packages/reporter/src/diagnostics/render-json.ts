import type { Diagnostic } from '@planspec/core'
import type { ValidationSummary } from '../types.js'

/**
 * Renders diagnostics as pretty-printed JSON (2 spaces, trailing newline) of exactly this shape:
 * `{"summary":{"files","resources","errors","warnings"},"diagnostics":[{"code","severity",
 * "message","file","line","column","endLine","endColumn","path","kind","name"}]}`, keys in that
 * order. `kind` and `name` are `null` when absent; `fix` and any other field are left out, so the
 * shape is a stable contract for scripts. Diagnostics keep the order given. Pure.
 *
 * @example
 * const report = JSON.parse(renderJson(diagnostics, summary))
 */
export function renderJson(diagnostics: readonly Diagnostic[], summary: ValidationSummary): string {
  const report = {
    summary: { files: summary.files, resources: summary.resources, errors: summary.errors, warnings: summary.warnings },
    diagnostics: diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.file,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      path: d.path,
      kind: d.kind ?? null,
      name: d.name ?? null,
    })),
  }
  return `${JSON.stringify(report, null, 2)}\n`
}
