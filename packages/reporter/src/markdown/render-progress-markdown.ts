import { RETRY_AT_KEY, type GraphNodeLike, type NodeStatus } from '@planspec/core'
import { PHASE_STYLES } from '../graph/graph-palette.js'
import { pluralize } from '../internal/pluralize.js'
import { codeSpan, escapeMarkdown } from './escape-markdown.js'
import { blockSection, row } from './internal/fit-blocks.js'
import { fitSections } from './internal/fit-sections.js'
import { cell, GITHUB_COMMENT_LIMIT, formatMs, idList, overflowNote } from './internal/markdown-format.js'
import type { MarkdownOptions, ProgressGate, ProgressMarkdownInput } from './markdown-types.js'
import { stickyMarker } from './sticky-marker.js'

// Most actionable first (the shared phase styles): what failed, what waits on someone, what runs, what is still to come.
const PHASE_RANK: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(PHASE_STYLES).map(([phase, style]) => [phase, style.rank]))
const PHASE_ICON: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(PHASE_STYLES).map(([phase, style]) => [phase, style.icon]))
const DONE = new Set(['Succeeded', 'Skipped'])
const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])

/**
 * Renders the progress of an Execution as GitHub Markdown, for a sticky comment: the phase and
 * its reason, node counts per phase, a "Waiting on" list that says why the run is not moving
 * (the Gate and who may approve it, the external system, the worker who must claim the task, a
 * scheduled retry), and a node table with phase, attempt, duration and the reason each node waits
 * or ended. Rows are ranked Failed, Blocked, Running, Pending, Cancelled, Skipped, Succeeded, then
 * in graph order; Group nodes are left out. Durations use `startTime` and `completionTime`, and
 * `input.now` for nodes still running.
 *
 * The body never exceeds `options.maxLength` (default 65,535): the table gives way first (rows
 * from the end of the ranking), then the waiting list; a closing note points to
 * `options.detailsUrl`. All user text is escaped. Pure.
 *
 * @example
 * const body = renderProgressMarkdown({ execution: 'execution/default/release-1', graph, status, now }, { marker: 'run/release-1' })
 */
export function renderProgressMarkdown(input: ProgressMarkdownInput, options: MarkdownOptions = {}): string {
  const { graph, status } = input
  const statuses = status.nodeStatuses ?? {}
  const phaseOf = (id: string): string => statuses[id]?.phase ?? 'Pending'
  const nodes = graph.nodes
    .filter((n) => n.kind !== 'Group')
    .map((node, order) => ({ node, order, state: statuses[node.id] ?? {} }))
    .sort((a, b) => rank(phaseOf(a.node.id)) - rank(phaseOf(b.node.id)) || a.order - b.order)
  const nowMs = input.now === undefined ? undefined : Date.parse(input.now)
  const waitsFor = (id: string): string[] =>
    graph.edges.filter((e) => e.to === id && e.type === 'hard' && graph.nodeById.has(e.from) && !DONE.has(phaseOf(e.from))).map((e) => e.from)
  const terminal = TERMINAL.has(status.phase ?? 'Pending')

  const explain = (node: GraphNodeLike, state: NodeStatus, table: boolean): string => {
    const phase = state.phase ?? 'Pending'
    if (phase === 'Blocked') return blockedReason(node, state, input.gates?.get(node.id), table)
    if (phase === 'Running') return `attempt ${state.attempt ?? 1} running`
    if (phase !== 'Pending') return [state.reason === undefined ? '' : escapeMarkdown(state.reason, 80), state.message === undefined ? '' : cell(state.message)].filter((t) => t !== '').join(': ')
    const retryAt = state.extensions?.[RETRY_AT_KEY]
    if (typeof retryAt === 'number' && Number.isFinite(retryAt)) return `retry scheduled at ${new Date(retryAt).toISOString()}`
    const upstream = waitsFor(node.id)
    if (upstream.length > 0) return `waits for ${idList(upstream, 10, { table })}`
    return terminal ? 'not started' : 'ready to start'
  }

  const rows = nodes.map(({ node, state }) => {
    const phase = state.phase ?? 'Pending'
    return row([codeSpan(node.id, { table: true }), escapeMarkdown(node.kind, 40), withIcon(phase), state.attempt ? String(state.attempt) : '—', duration(state, nowMs), explain(node, state, true) || '—'])
  })
  const waiting = nodes.filter(({ state }) => state.phase === 'Blocked' || (state.phase === 'Pending' && typeof state.extensions?.[RETRY_AT_KEY] === 'number'))
  const waitingLines = waiting.map(({ node, state }) => `- ${codeSpan(node.id)}: ${explain(node, state, false)}`)

  const counts = Object.keys(PHASE_RANK)
    .map((phase) => [nodes.filter((n) => phaseOf(n.node.id) === phase).length, phase.toLowerCase()] as const)
    .filter(([n]) => n > 0)
    .map(([n, phase]) => `${n} ${phase}`)
    .join(' · ')
  const phase = status.phase ?? 'Pending'
  const reason = status.reason === undefined ? '' : ` (${escapeMarkdown(status.reason, 80)})`
  const message = status.message === undefined ? '' : `: ${escapeMarkdown(status.message, 500)}`
  const header = [`## PlanSpec execution ${codeSpan(input.execution)}`, `**${withIcon(phase)}**${reason}${message}`, `${pluralize(nodes.length, 'node')}: ${counts || 'none'}`].join('\n\n')

  return fitSections(
    [
      { priority: 0, render: () => ({ text: header, complete: true }) },
      blockSection(1, { title: '### Waiting on', blocks: waitingLines.length === 0 ? [] : [{ lead: '', rows: waitingLines }], more: (hidden) => `${pluralize(hidden, 'more waiting node')} not shown here.` }),
      blockSection(2, { title: '### Nodes', blocks: [{ lead: '', header: ['Node', 'Kind', 'Phase', 'Attempt', 'Duration', 'Waiting on / reason'], rows }], more: (hidden) => `${pluralize(hidden, 'more node')} not shown here.` }),
    ],
    { maxLength: options.maxLength ?? GITHUB_COMMENT_LIMIT, note: overflowNote(options), ...(options.marker === undefined ? {} : { preamble: stickyMarker(options.marker) }) },
  )
}

/** Why a Blocked node waits: the Gate and its approvers, the external system, or a worker. */
function blockedReason(node: GraphNodeLike, state: NodeStatus, gate: ProgressGate | undefined, table: boolean): string {
  const message = state.message === undefined ? '' : `: ${cell(state.message)}`
  switch (state.reason) {
    case 'AwaitingApproval': {
      const name = gate?.gate ?? node.gateRef?.name
      const what = name === undefined ? 'approval' : `approval of Gate ${codeSpan(name, { table })}`
      if (gate === undefined) return `${what}${message}`
      const who = gate.reviewers.length === 0 ? 'anyone with write access' : idList(gate.reviewers, 10, { table })
      return `${what}: ${pluralize(gate.requiredApprovers, 'approval')} from ${who}${message}`
    }
    case 'AwaitingExternal':
      return `external work to finish${message}`
    case 'AwaitingClaim':
      return `a worker to claim and complete it${message}`
    default:
      return `${state.reason === undefined ? 'blocked' : escapeMarkdown(state.reason, 80)}${message}`
  }
}

/** The time a node took, or has taken so far. */
function duration(state: NodeStatus, nowMs: number | undefined): string {
  const start = state.startTime === undefined ? Number.NaN : Date.parse(state.startTime)
  if (Number.isNaN(start)) return '—'
  if (state.completionTime !== undefined) {
    const end = Date.parse(state.completionTime)
    return Number.isNaN(end) || end < start ? '—' : formatMs(end - start)
  }
  return nowMs === undefined || Number.isNaN(nowMs) || nowMs < start ? '—' : `${formatMs(nowMs - start)} so far`
}

/** A phase with its icon, when it has one. */
function withIcon(phase: string): string {
  const icon = PHASE_ICON[phase]
  return icon === undefined ? escapeMarkdown(phase, 40) : `${icon} ${escapeMarkdown(phase, 40)}`
}

/** The rank of a phase in the table; unknown phases come last. */
function rank(phase: string): number {
  return PHASE_RANK[phase] ?? 7
}
