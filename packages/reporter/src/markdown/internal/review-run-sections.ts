import { pluralize } from '../../internal/pluralize.js'
import { codeSpan, escapeMarkdown } from '../escape-markdown.js'
import type { ExecutionSimulation, SimulationReportLike } from '../markdown-types.js'
import { blockSection, row, type Block } from './fit-blocks.js'
import type { Section } from './fit-sections.js'
import { cell, formatMs, idList } from './markdown-format.js'

const id = (text: string): string => codeSpan(text, { table: true, max: 200 })
const NODES_PER_LAYER = 40
const ORDER_SHOWN = 60

/** The problems that would stop a simulated run, and the Executions that could not be simulated. */
export function problemsSection(simulations: readonly ExecutionSimulation[], priority: number): Section {
  const rows = simulations.flatMap((s) => {
    if (s.report === undefined) return [row([id(s.execution), '—', '—', `could not simulate: ${cell(s.error ?? 'unknown error')}`])]
    return s.report.problems.map((p) => row([id(s.execution), id(p.node), id(p.code), cell(p.message)]))
  })
  const blocks = rows.length === 0 ? [] : [{ lead: '', header: ['Execution', 'Node', 'Code', 'Problem'], rows }]
  return blockSection(priority, { title: '### ✖ Problems that would stop a run', blocks, more: (hidden) => `${pluralize(hidden, 'more problem')} not shown here.` })
}

/**
 * The Gates the touched Executions will wait on and who may approve them (DECISIONS §5): the
 * listed reviewers, or anyone with write access, never the author of the change.
 */
export function approvalsSection(simulations: readonly ExecutionSimulation[], priority: number): Section {
  const rows = simulations.flatMap((s) =>
    (s.report?.gates ?? []).map((g) =>
      row([id(s.execution), id(g.node), id(g.gate), String(g.requiredApprovers), g.reviewers.length === 0 ? 'anyone with write access' : idList(g.reviewers, 20)]),
    ),
  )
  const blocks = rows.length === 0 ? [] : [{ lead: 'Eligible reviewers never include the author of the change (separation of duties).', header: ['Execution', 'Gate node', 'Gate', 'Approvals', 'Eligible reviewers'], rows }]
  return blockSection(priority, { title: '### Approvals this change will need', blocks, more: (hidden) => `${pluralize(hidden, 'more gate')} not shown here.` })
}

/** The simulated order (layers) and critical path of each touched Execution. */
export function simulationsSection(simulations: readonly ExecutionSimulation[], priority: number): Section {
  const blocks = simulations.flatMap((s): Block[] => (s.report === undefined ? [] : [simulationBlock(s, s.report)]))
  return blockSection(priority, { title: '### Simulated runs', blocks, more: (hidden) => `${pluralize(hidden, 'more layer')} not shown here.`, collapse: 'Order, layers and critical path of every touched Execution' })
}

/** One Execution's simulation: outcome, why it was simulated, start order, critical path, layers. */
function simulationBlock(simulation: ExecutionSimulation, report: SimulationReportLike): Block {
  const why = simulation.reasons === undefined || simulation.reasons.length === 0 ? '' : ` (touched: ${simulation.reasons.map((r) => escapeMarkdown(r, 40)).join(', ')})`
  const order = idList(report.order, ORDER_SHOWN, { table: false })
  const path = idList(report.criticalPath.nodes, ORDER_SHOWN, { table: false, separator: ' → ' })
  const critical = report.criticalPath.nodes.length === 0 ? path : `${path} (${formatMs(report.criticalPath.durationMs)} at most, from node timeouts)`
  const lead = [
    `#### ${codeSpan(simulation.execution)}: ${escapeMarkdown(report.outcome, 40)}${why}`,
    `Plan ${codeSpan(report.plan, { max: 200 })}.`,
    '',
    `- Start order: ${order}`,
    `- Critical path: ${critical}`,
  ].join('\n')
  const rows = report.layers.map((layer, i) => row([String(i + 1), idList(layer, NODES_PER_LAYER)]))
  return { lead, header: ['Layer', 'Nodes'], rows }
}
