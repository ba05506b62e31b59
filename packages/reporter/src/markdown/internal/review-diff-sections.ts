import type { BindingResolutionChange, GateDiff, PlanDiff, ProviderResolution, SemanticDiff } from '@planspec/core'
import { pluralize } from '../../internal/pluralize.js'
import { codeSpan, escapeMarkdown } from '../escape-markdown.js'
import { blockSection, row, type Block } from './fit-blocks.js'
import type { Section } from './fit-sections.js'
import { countList, idList } from './markdown-format.js'

const ACTION_LABEL: Readonly<Record<string, string>> = { added: '➕ added', removed: '➖ removed', changed: '✏️ changed', renamed: '🏷️ renamed', retyped: '🔀 retyped', rewired: '🔀 rewired' }
const FIELDS_SHOWN = 8

/** An identifier in a table cell. */
const id = (text: string): string => codeSpan(text, { table: true, max: 200 })

/** The section of provider (Binding) and approver (Gate) changes; empty when there are none. */
export function providersSection(diff: SemanticDiff, priority: number): Section {
  const blocks: Block[] = []
  if (diff.bindings.length > 0) {
    blocks.push({ lead: '**Providers** (Binding resolution per capability use)', header: ['Execution', 'Node', 'Capability', 'Before', 'After'], rows: diff.bindings.map(bindingRow) })
  }
  if (diff.gates.length > 0) {
    blocks.push({ lead: '**Approvers** (Gate reviewers and required approvals)', header: ['Gate', 'Change', 'Reviewers added', 'Reviewers removed', 'Approvals needed'], rows: diff.gates.map(gateRow) })
  }
  return blockSection(priority, { title: '### Providers and approvers', blocks, more: (hidden) => `${pluralize(hidden, 'more change')} to providers and approvers not shown here.` })
}

/** The section of Plan graph changes, one block per Plan; empty when no Plan changed. */
export function plansSection(diff: SemanticDiff, priority: number): Section {
  const blocks = diff.plans.flatMap(planBlocks)
  return blockSection(priority, { title: '### Plans', blocks, more: (hidden) => `${pluralize(hidden, 'more node or dependency change')} not shown here.` })
}

/**
 * The section listing every resource added, removed, changed or renamed; empty when there is
 * none. A rename says what it was called and which resources now refer to the new name.
 */
export function resourcesSection(diff: SemanticDiff, priority: number): Section {
  const rows = diff.resources.map((r) => {
    const subject = r.previousName === undefined ? id(r.subject) : `${id(r.subject)} (was ${id(r.previousName)})`
    const fields = r.action === 'renamed' ? `same content${r.referencedBy === undefined || r.referencedBy.length === 0 ? '' : `; references updated in ${idList(r.referencedBy, FIELDS_SHOWN)}`}` : idList(r.fields, FIELDS_SHOWN)
    return row([ACTION_LABEL[r.action] as string, subject, fields, r.file === undefined ? '—' : id(r.file)])
  })
  const blocks = rows.length === 0 ? [] : [{ lead: '', header: ['Change', 'Resource', 'Fields', 'File'], rows }]
  return blockSection(priority, { title: '### Resources', blocks, more: (hidden) => `${pluralize(hidden, 'more resource')} not shown here.`, collapse: 'Every resource added, removed or changed' })
}

/** A one-line summary of a Plan diff: `2 nodes added, 1 removed; 3 dependencies added`. */
export function planSummary(plan: PlanDiff): string {
  const c = plan.counts
  const nodes = countList([[c.nodesAdded, 'added'], [c.nodesRemoved, 'removed'], [c.nodesChanged, 'changed'], [c.nodesRewired, 'rewired']])
  const edges = countList([[c.edgesAdded, 'added'], [c.edgesRemoved, 'removed'], [c.edgesRetyped, 'retyped hard ↔ soft']])
  const parts = [nodes === '' ? '' : `nodes: ${nodes}`, edges === '' ? '' : `dependencies: ${edges}`].filter((p) => p !== '')
  return parts.length === 0 ? 'graph unchanged' : parts.join('; ')
}

/** The blocks of one Plan: a heading with its summary, then its node and dependency changes. */
function planBlocks(plan: PlanDiff): Block[] {
  const lead = `#### ${codeSpan(plan.subject)} ${plan.action}: ${planSummary(plan)}`
  const nodes = plan.nodes.filter((n) => n.action !== 'unchanged' || n.rewired)
  const edges = plan.edges.filter((e) => e.action !== 'unchanged')
  const nodeRows = nodes.map((n) => {
    const label = n.action === 'unchanged' ? (ACTION_LABEL.rewired as string) : (ACTION_LABEL[n.action] as string)
    const details = [n.fields.length > 0 ? `fields: ${idList(n.fields, FIELDS_SHOWN)}` : '', n.rewired ? 'waits on different nodes' : '']
    const node = n.name === undefined ? id(n.id) : `${id(n.id)} ${escapeMarkdown(n.name, 120)}`
    return row([label, node, escapeMarkdown(n.kind, 40), details.filter((d) => d !== '').join('; ') || '—'])
  })
  const edgeRows = edges.map((e) => row([ACTION_LABEL[e.action] as string, `${id(e.from)} → ${id(e.to)}`, e.action === 'retyped' ? `${e.before} → ${e.after}` : (e.after ?? e.before) as string]))
  const blocks: Block[] = [{ lead, header: ['Change', 'Node', 'Kind', 'Details'], rows: nodeRows }]
  if (edgeRows.length > 0) blocks.push({ lead: '', header: ['Change', 'Dependency', 'Type'], rows: edgeRows })
  return blocks
}

/** One row of the providers table. */
function bindingRow(change: BindingResolutionChange): string {
  const after = describeResolution(change.after) + (change.configChanged ? ' (config changed)' : '')
  return row([id(change.execution), id(change.nodeId), change.capability === undefined ? '—' : id(change.capability), change.before === undefined ? '_new_' : describeResolution(change.before), after])
}

/** A provider resolution in a cell: the provider, or why there is none. */
function describeResolution(resolution: ProviderResolution): string {
  switch (resolution.outcome) {
    case 'bound':
      return id(resolution.provider)
    case 'unbound':
      return `unbound (${resolution.reason})`
    case 'conflict':
      return `conflict between rules ${resolution.ruleIndexes.join(', ')} of ${id(resolution.binding)}`
  }
}

/** One row of the approvers table. */
function gateRow(gate: GateDiff): string {
  const { before, after } = gate.requiredApprovers
  const approvals = before === undefined ? String(after) : after === undefined ? `was ${before}` : before === after ? String(after) : `${before} → ${after}`
  // An empty list means anyone with write access (DECISIONS §5): emptying it widens who may approve.
  const { before: was, after: now } = gate.reviewers
  const anyone = 'anyone with write access'
  const added = gate.action !== 'removed' && now.length === 0 && (was.length > 0 || gate.action === 'added') ? anyone : idList(gate.reviewers.added, 10)
  const removed = gate.action === 'changed' && was.length === 0 ? anyone : idList(gate.reviewers.removed, 10)
  return row([id(gate.subject), ACTION_LABEL[gate.action] as string, added, removed, approvals])
}
