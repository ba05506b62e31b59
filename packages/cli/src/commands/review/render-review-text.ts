import { formatDurationCompact, type Diagnostic, type PlanDiff, type ProviderResolution, type SemanticDiff } from '@planspec/core'
import type { ExecutionSimulation } from '@planspec/reporter'

/** What `planspec review` found, as printed by `-o json` (and rendered by the other formats). */
export interface ReviewReport {
  readonly base: { readonly ref: string; readonly commit: string; readonly summary: ValidationCounts }
  readonly head: { readonly ref: string; readonly commit?: string; readonly summary: ValidationCounts; readonly diagnostics: readonly Diagnostic[] }
  readonly diff: SemanticDiff
  readonly simulations: readonly ExecutionSimulation[]
  /** Why no Execution was simulated, when none was. */
  readonly simulationSkipped?: string
}

/** The counts of a validation run. */
export interface ValidationCounts {
  readonly files: number
  readonly resources: number
  readonly errors: number
  readonly warnings: number
}

// Controls (ESC included) and bidi overrides: manifest text must not drive the terminal.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
const clean = (text: string): string => text.replace(UNSAFE, '\ufffd')
const SIGN: Readonly<Record<string, string>> = { added: '+', removed: '-', changed: '~', renamed: '>', retyped: '~' }
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`

/**
 * Renders a review for a terminal: what changed per kind, the graph changes of each Plan, the
 * provider and approver changes, every resource changed, and each simulated Execution (layers,
 * critical path, gates, problems). Plain text, one fact per line; manifest text is sanitized.
 */
export function renderReviewText(report: ReviewReport): string {
  const { diff } = report
  const out: string[] = [`review of ${clean(report.base.ref)} (${report.base.commit.slice(0, 12)}) → ${clean(report.head.ref)}${report.head.commit === undefined ? '' : ` (${report.head.commit.slice(0, 12)})`}`]
  const kinds = diff.counts.map((c) => `${clean(c.kind)} ${[c.added && `${c.added} added`, c.removed && `${c.removed} removed`, c.changed && `${c.changed} changed`, c.renamed && `${c.renamed} renamed`].filter(Boolean).join(', ')}`)
  out.push(`changes: ${kinds.length === 0 ? 'none' : kinds.join('; ')}`)
  const h = report.head.summary
  out.push(`validation of head: ${plural(h.errors, 'error')}, ${plural(h.warnings, 'warning')} in ${plural(h.files, 'file')} (${plural(h.resources, 'resource')})`)
  for (const plan of diff.plans) out.push('', ...planLines(plan))
  if (diff.bindings.length > 0) {
    out.push('', 'providers:')
    for (const b of diff.bindings) {
      const use = `${clean(b.execution)} node ${clean(b.nodeId)}${b.capability === undefined ? '' : ` capability ${clean(b.capability)}`}`
      out.push(`  ${use}: ${b.before === undefined ? '(new)' : resolution(b.before)} → ${resolution(b.after)}${b.configChanged ? ' (config changed)' : ''}`)
    }
  }
  if (diff.gates.length > 0) {
    out.push('', 'approvers:')
    for (const g of diff.gates) {
      const reviewers = [...g.reviewers.added.map((r) => `+${clean(r)}`), ...g.reviewers.removed.map((r) => `-${clean(r)}`)].join(' ')
      const { before, after } = g.requiredApprovers
      const approvals = before === after || before === undefined ? String(after) : after === undefined ? `was ${before}` : `${before} → ${after}`
      const who = g.reviewers.after.length === 0 ? '(anyone with write access)' : g.reviewers.after.map(clean).join(', ')
      out.push(`  ${g.action} ${clean(g.subject)}: reviewers ${who}${reviewers === '' ? '' : ` [${reviewers}]`}; approvals ${approvals}`)
    }
  }
  if (diff.resources.length > 0) {
    out.push('', 'resources:')
    for (const r of diff.resources) {
      if (r.action === 'renamed') out.push(`  ${SIGN[r.action]} ${clean(r.subject)} (renamed from ${clean(r.previousName ?? '?')}, same content${r.referencedBy?.length ? `; references updated in ${r.referencedBy.map(clean).join(', ')}` : ''})`)
      else out.push(`  ${SIGN[r.action]} ${clean(r.subject)}${r.fields.length > 0 ? ` (${r.fields.map(clean).join(', ')})` : ''}`)
    }
  }
  if (report.simulationSkipped !== undefined) out.push('', `simulation skipped: ${report.simulationSkipped}`)
  for (const s of report.simulations) out.push('', ...simulationLines(s))
  return `${out.join('\n')}\n`
}

/** The lines of one Plan's graph diff. */
function planLines(plan: PlanDiff): string[] {
  const c = plan.counts
  const summary = `nodes +${c.nodesAdded} -${c.nodesRemoved} ~${c.nodesChanged} rewired ${c.nodesRewired}; dependencies +${c.edgesAdded} -${c.edgesRemoved} retyped ${c.edgesRetyped}`
  const lines = [`${plan.action} ${clean(plan.subject)}: ${plan.graphChanged ? summary : 'graph unchanged'}`]
  for (const n of plan.nodes) {
    const fields = n.fields.length > 0 ? `: ${n.fields.map(clean).join(', ')}` : ''
    if (n.action !== 'unchanged') lines.push(`  ${SIGN[n.action]} node ${clean(n.id)} (${clean(n.kind)})${fields}${n.rewired ? '; waits on different nodes' : ''}`)
    else if (n.rewired) lines.push(`  ~ node ${clean(n.id)} (${clean(n.kind)}): waits on different nodes`)
  }
  for (const e of plan.edges) {
    if (e.action === 'unchanged') continue
    lines.push(`  ${SIGN[e.action]} dependency ${clean(e.from)} → ${clean(e.to)} ${e.action === 'retyped' ? `${e.before} → ${e.after}` : `(${e.after ?? e.before})`}`)
  }
  return lines
}

/** A provider resolution in words. */
function resolution(r: ProviderResolution): string {
  if (r.outcome === 'bound') return clean(r.provider)
  return r.outcome === 'unbound' ? `unbound (${r.reason})` : `conflict (rules ${r.ruleIndexes.join(', ')} of ${clean(r.binding)})`
}

/** The lines of one simulated Execution. */
function simulationLines(s: ExecutionSimulation): string[] {
  const head = `simulated ${clean(s.execution)}${s.reasons?.length ? ` (touched: ${s.reasons.join(', ')})` : ''}`
  if (s.report === undefined) return [`${head}: could not simulate: ${clean(s.error ?? 'unknown error')}`]
  const r = s.report
  const lines = [`${head}: ${clean(r.outcome)}`]
  lines.push(`  layers: ${r.layers.map((layer, i) => `${i + 1}: ${layer.map(clean).join(', ')}`).join(' | ') || '(none)'}`)
  const took = r.criticalPath.durationMs === 0 ? '0s' : formatDurationCompact(r.criticalPath.durationMs)
  lines.push(`  critical path: ${r.criticalPath.nodes.length === 0 ? '(none)' : `${r.criticalPath.nodes.map(clean).join(' → ')} (${took} at most)`}`)
  for (const g of r.gates) {
    const who = g.reviewers.length === 0 ? 'anyone with write access' : g.reviewers.map(clean).join(', ')
    lines.push(`  gate ${clean(g.node)} waits on Gate ${clean(g.gate)}: ${plural(g.requiredApprovers, 'approval')} from ${who} (never the author of the change)`)
  }
  for (const p of r.problems) lines.push(`  error ${clean(p.code)} at node ${clean(p.node)}: ${clean(p.message)}`)
  return lines
}
