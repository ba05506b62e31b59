import { formatDurationCompact } from '@planspec/core'
import { prepareRun, simulateRun, type SimulationReport } from '@planspec/engine'
import { renderSimulationGantt } from '@planspec/reporter'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { validatePaths, DEFAULTS } from './validate.js'

import { SIMULATE_FORMATS } from '../command-formats.js'

export { SIMULATE_FORMATS }

/** Options of `planspec simulate`. */
export interface SimulateOptions {
  readonly path: string
  readonly execution: string
  readonly namespace?: string
  readonly output: (typeof SIMULATE_FORMATS)[number]
}

/**
 * Runs `planspec simulate`: a deterministic dry run of one Execution on a virtual clock (see
 * `simulateRun`), printed as text, JSON or a Mermaid Gantt chart. Exit 1 when a problem would
 * stop the real run or the manifests have errors, 2 on usage errors.
 */
export async function runSimulate(options: SimulateOptions, io: CommandIO): Promise<number> {
  const result = await validatePaths({ paths: [options.path], compat: false, closed: false, ...DEFAULTS }, io)
  const errors = result.diagnostics.filter((d) => d.severity === 'error')
  for (const d of errors) io.stderr.write(`${d.file}:${d.line}:${d.column}: error ${d.code}: ${d.message}\n`)
  if (errors.length) return EXIT.findings
  let prepared
  try {
    prepared = prepareRun(result.resources, { name: options.execution, namespace: options.namespace })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const report = await simulateRun(prepared, result.resources, options.execution)
  const names = new Map(prepared.input.graph.nodes.map((n) => [n.id, n.name ?? n.id]))
  io.stdout.write(options.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : options.output === 'mermaid' ? renderSimulationGantt(report, { names }) : renderReport(report))
  return report.problems.length ? EXIT.findings : EXIT.ok
}

const at = (ms: number): string => (ms === 0 ? '0s' : formatDurationCompact(ms))

/** Renders the report for a terminal. */
export function renderReport(report: SimulationReport): string {
  const rows = [...report.nodes].sort((a, b) => a.startMs - b.startMs || a.layer - b.layer).map((n) => [String(n.layer), n.id, n.kind.toLowerCase(), n.provider ?? (n.kind === 'Gate' ? 'gate' : '-'), `${at(n.startMs)} → ${at(n.endMs)}`, n.note ?? ''])
  const header = ['LAYER', 'NODE', 'KIND', 'PROVIDER', 'WINDOW', 'NOTE']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  const out = [`simulation of execution ${report.execution} (plan ${report.plan}): ${report.outcome}`, '', line(header), ...rows.map(line), '']
  out.push(`start order:   ${report.order.join(', ') || '(none)'}`)
  out.push(`critical path: ${report.criticalPath.nodes.join(' → ')} (${at(report.criticalPath.durationMs)} at most, from node timeouts)`)
  for (const g of report.gates) out.push(`gate:          ${g.node} waits on Gate ${g.gate}: ${g.requiredApprovers} approval${g.requiredApprovers === 1 ? '' : 's'} from ${g.reviewers.length ? g.reviewers.join(', ') : 'anyone with write access'}`)
  for (const p of report.problems) out.push(`error ${p.code}: ${p.message}`)
  out.push(report.problems.length ? `✖ ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} would stop the run` : '✔ no problem would stop the run')
  return out.join('\n') + '\n'
}
