import type { Diagnostic } from '@planspec/core'
import { annotationOverflow, annotationRange, ANNOTATIONS_PER_SEVERITY, rankForAnnotations } from '@planspec/reporter'
import type { ActionCore } from '../action-types.js'

export { ANNOTATIONS_PER_SEVERITY }

/**
 * Writes the first 10 errors and the first 10 warnings of the findings, ranked as
 * `planspec validate -o github` ranks them (errors first, then by code, file and line), as
 * annotations ending on each finding's last character; GitHub drops the rest of a step's
 * annotations silently, so a notice then says how many were left out. Returns the findings that
 * were not annotated, for the job summary.
 */
export function writeAnnotations(core: ActionCore, findings: readonly Diagnostic[], sources?: ReadonlyMap<string, string>): Diagnostic[] {
  const counts = { error: 0, warning: 0 }
  const rest: Diagnostic[] = []
  for (const d of rankForAnnotations(findings)) {
    if (counts[d.severity] >= ANNOTATIONS_PER_SEVERITY) {
      rest.push(d)
      continue
    }
    counts[d.severity] += 1
    const range = annotationRange(d, sources?.get(d.file))
    const properties = {
      title: d.code,
      file: d.file,
      startLine: range.line,
      endLine: range.endLine,
      ...(range.column === undefined ? {} : { startColumn: range.column }),
      ...(range.endColumn === undefined ? {} : { endColumn: range.endColumn }),
    }
    if (d.severity === 'error') core.error(d.message, properties)
    else core.warning(d.message, properties)
  }
  const overflow = annotationOverflow(findings)
  if (overflow !== undefined) core.notice(overflow, { title: 'PlanSpec' })
  return rest
}
