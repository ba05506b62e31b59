import { diffResources, type Diagnostic, type SemanticDiff } from '@planspec/core'
import { prepareRun, simulateRun } from '@planspec/engine'
import type { ExecutionSimulation } from '@planspec/reporter'
import { createValidator, type SourceFile, type ValidationResult, type ValidationSummary } from '@planspec/validator'

/** The validation and semantic review of a change. */
export interface ChangeReview {
  readonly head: ValidationResult
  /** Head findings the change is responsible for: in changed files, or new compared with base. */
  readonly findings: readonly Diagnostic[]
  readonly summary: ValidationSummary
  readonly diff?: SemanticDiff
  readonly simulations: readonly ExecutionSimulation[]
}

/** Options of {@link reviewChange}. */
export interface ReviewChangeOptions {
  readonly head: readonly SourceFile[]
  /** Absent outside a pull request: every head finding counts and there is no diff. */
  readonly base?: readonly SourceFile[]
  readonly changed?: ReadonlySet<string>
  readonly compat: boolean
  readonly closed: boolean
  readonly defaultNamespace?: string
}

/**
 * Validates head (and base), keeps the findings the change is responsible for, computes the
 * semantic diff (`diffResources`) and simulates every head Execution the change touches
 * (`prepareRun` + `simulateRun`), unless head has errors: what `planspec review` does for a
 * working tree, here for a pull request. A finding counts when it is in a changed file, or when
 * base did not have it (a change elsewhere broke a reference into an unchanged file).
 */
export async function reviewChange(options: ReviewChangeOptions): Promise<ChangeReview> {
  const validator = createValidator()
  const validate = (files: readonly SourceFile[]): ValidationResult =>
    validator.validate(files, { compat: options.compat, closed: options.closed, ...(options.defaultNamespace === undefined ? {} : { defaultNamespace: options.defaultNamespace }) })
  const head = validate(options.head)
  if (options.base === undefined) return { head, findings: head.diagnostics, summary: head.summary, simulations: [] }
  const base = validate(options.base)
  const key = (d: Diagnostic): string => `${d.code}\u0000${d.file}\u0000${d.path}\u0000${d.message}`
  const before = new Set(base.diagnostics.map(key))
  const changed = options.changed ?? new Set<string>()
  const findings = head.diagnostics.filter((d) => changed.has(d.file) || !before.has(key(d)))
  const errors = findings.filter((d) => d.severity === 'error').length
  const summary: ValidationSummary = { ...head.summary, errors, warnings: findings.length - errors }
  const diff = diffResources(base.resources, head.resources)
  const simulations: ExecutionSimulation[] = []
  if (head.summary.errors === 0) {
    for (const impact of diff.executions) {
      try {
        const prepared = prepareRun(head.resources, { name: impact.name, namespace: impact.namespace })
        simulations.push({ execution: impact.subject, reasons: impact.reasons, report: await simulateRun(prepared, head.resources, impact.name) })
      } catch (error) {
        simulations.push({ execution: impact.subject, reasons: impact.reasons, error: error instanceof Error ? error.message : String(error) })
      }
    }
  }
  return { head, findings, summary, diff, simulations }
}
