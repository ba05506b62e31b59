import { diffResources, type Diagnostic, type SemanticDiff } from '@planspec/core'
import { prepareRun, type ResourceLike } from './runner/prepare-run.js'
import { simulateRun, type SimulationReport } from './runner/simulate-run.js'

/** A validated side of a change, as the validator returns it. */
export interface ReviewedSide {
  readonly diagnostics: readonly Diagnostic[]
  readonly resources: readonly (ResourceLike & { readonly file?: string })[]
  readonly summary: { readonly errors: number; readonly warnings: number }
}

/** One head Execution the change touches, simulated (or why it could not be). */
export interface ReviewSimulation {
  /** Subject of the Execution, `execution/namespace/name`. */
  readonly execution: string
  /** Why it was simulated (the diff's reasons). */
  readonly reasons: readonly string[]
  readonly report?: SimulationReport
  readonly error?: string
}

/** The review of a change: findings, the semantic diff and the simulated runs. */
export interface ChangeReview<S extends ReviewedSide> {
  readonly head: S
  /** Head findings the change is responsible for: in a changed file, or new compared with base (all of head's without a base). */
  readonly findings: readonly Diagnostic[]
  /** Head's summary with errors and warnings counted over `findings`. */
  readonly summary: S['summary']
  /** Absent without a base. */
  readonly diff?: SemanticDiff
  readonly simulations: readonly ReviewSimulation[]
  /** Why the touched Executions were not simulated (head has validation errors). */
  readonly simulationSkipped?: string
}

/**
 * Reviews a change, once for `planspec review` and the GitHub Action: keeps the head findings the
 * change is responsible for (in a file of `changed`, or new compared with base: a change elsewhere
 * can break a reference into an unchanged file), computes the semantic diff (core's
 * `diffResources`) and simulates every head Execution the change touches (`prepareRun` +
 * `simulateRun`) unless head has validation errors. The sides come validated by the caller (the
 * validator, with its mode's options), so this stays free of parsing.
 *
 * @example
 * const review = await reviewChange({ head: validator.validate(headFiles, options), base: validator.validate(baseFiles, options), changed })
 */
export async function reviewChange<S extends ReviewedSide>(options: { readonly head: S; readonly base?: S; readonly changed?: ReadonlySet<string> }): Promise<ChangeReview<S>> {
  const { head, base } = options
  if (base === undefined) return { head, findings: head.diagnostics, summary: head.summary, simulations: [] }
  const key = (d: Diagnostic): string => `${d.code}\u0000${d.file}\u0000${d.path}\u0000${d.message}`
  const before = new Set(base.diagnostics.map(key))
  const changed = options.changed ?? new Set<string>()
  const findings = head.diagnostics.filter((d) => (d.file !== undefined && changed.has(d.file)) || !before.has(key(d)))
  const errors = findings.filter((d) => d.severity === 'error').length
  const summary = { ...head.summary, errors, warnings: findings.length - errors }
  const diff = diffResources(base.resources, head.resources)
  const simulations: ReviewSimulation[] = []
  const headErrors = head.summary.errors
  if (headErrors === 0) {
    for (const impact of diff.executions) {
      try {
        const prepared = prepareRun(head.resources, { name: impact.name, namespace: impact.namespace })
        simulations.push({ execution: impact.subject, reasons: impact.reasons, report: await simulateRun(prepared, head.resources, impact.name) })
      } catch (error) {
        simulations.push({ execution: impact.subject, reasons: impact.reasons, error: error instanceof Error ? error.message : String(error) })
      }
    }
  }
  return {
    head,
    findings,
    summary,
    diff,
    simulations,
    ...(headErrors > 0 && diff.executions.length > 0 ? { simulationSkipped: `head has ${headErrors} validation error${headErrors === 1 ? '' : 's'}` } : {}),
  }
}
