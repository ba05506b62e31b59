import { flattenText } from '../internal/flatten-text.js'
import type { SimulationReportLike } from '../markdown/markdown-types.js'

/** Options of {@link renderSimulationGantt}. */
export interface GanttRenderOptions {
  /** Node id → the node's name, as the Plan writes it; a node without one shows its id. */
  readonly names?: ReadonlyMap<string, string>
}

/** Longest row label, in characters; longer names are cut with `…` (the bar keeps the whole name). */
const ROW_LABEL_MAX = 36
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const YEAR = 365 * DAY

// Tick intervals mermaid accepts, smallest first; the chart takes the first that gives at most 12 ticks.
const TICKS: readonly (readonly [number, string])[] = [
  [MINUTE, '1minute'], [5 * MINUTE, '5minute'], [15 * MINUTE, '15minute'], [30 * MINUTE, '30minute'],
  [HOUR, '1hour'], [2 * HOUR, '2hour'], [3 * HOUR, '3hour'], [6 * HOUR, '6hour'], [12 * HOUR, '12hour'],
  [DAY, '1day'], [2 * DAY, '2day'], [7 * DAY, '1week'], [14 * DAY, '2week'], [28 * DAY, '4week'], [91 * DAY, '13week'],
]

// Mermaid entity codes for the characters that end a Gantt task's text or start a comment or entity.
const ENTITIES: Readonly<Record<string, string>> = { ':': '#58;', ';': '#59;', '#': '#35;', '%': '#37;', ',': '#44;', '`': '#96;' }

/**
 * Renders a simulated run as a Mermaid Gantt chart, ready for a ```` ```mermaid ```` block.
 *
 * - The axis reads time from the run's start, never a date: `+01:30` for a run shorter than a
 *   day, `day 2, 06:00` up to a week, `day 45` up to a year, `year 2, day 10` beyond. Bars are
 *   written as local wall-clock times from 2001-01-01 00:00, a date with no daylight-saving
 *   change for weeks in any time zone, and mermaid both parses and labels in the viewer's local
 *   time, so every viewer sees the same axis.
 * - One row per node, in start order, labelled with the node's name (its id when it has none; cut
 *   to 36 characters, with room made on the left) and a bar that carries the name too; Gates are
 *   milestones. The critical path's bars end with `★`, and keep the colours every other bar has
 *   in mermaid's light and dark themes: never `crit`, whose red reads as an alarm on a healthy
 *   plan, nor `active`, whose outside labels vanish in the dark theme.
 *
 * Names are flattened to one line and `: ; # % , `` are written as mermaid entity codes, so no
 * name can end its task or start another statement. Pure.
 *
 * @example
 * io.stdout.write(renderSimulationGantt(report, { names: new Map(graph.nodes.map((n) => [n.id, n.name ?? n.id])) }))
 */
export function renderSimulationGantt(report: SimulationReportLike, options: GanttRenderOptions = {}): string {
  const span = Math.max(1, ...report.nodes.map((n) => n.endMs))
  const critical = new Set(report.criticalPath.nodes)
  const [, tick] = TICKS.find(([ms]) => span / ms <= 12) ?? (TICKS[TICKS.length - 1] as readonly [number, string])
  const nodes = [...report.nodes].sort((a, b) => a.startMs - b.startMs || a.layer - b.layer || compare(a.id, b.id))
  const labels = nodes.map((n) => flattenText(options.names?.get(n.id) ?? n.id).trim() || n.id)
  const rowLabels = labels.map((label) => (label.length > ROW_LABEL_MAX ? `${label.slice(0, ROW_LABEL_MAX - 1)}…` : label))
  // Room for the row labels on the left (mermaid's default is 75 px), about 7 px a character.
  const leftPadding = Math.min(ROW_LABEL_MAX * 7 + 20, Math.max(75, ...rowLabels.map((label) => label.length * 7 + 20)))
  const lines = [
    '---',
    `title: ${JSON.stringify(`Simulated run of ${flattenText(report.execution)} (time from start; ★ critical path)`)}`,
    'config:',
    '  gantt:',
    `    leftPadding: ${leftPadding}`,
    '---',
    'gantt',
    '  dateFormat YYYY-MM-DD HH:mm:ss',
    `  axisFormat ${axisFormat(span)}`,
    `  tickInterval ${tick}`,
    '  todayMarker off',
  ]
  nodes.forEach((n, i) => {
    const tags = n.kind === 'Gate' ? ['milestone'] : []
    const end = n.kind === 'Gate' ? n.startMs : Math.max(n.endMs, n.startMs + SECOND)
    const bar = `${escapeGantt(labels[i] as string)}${critical.has(n.id) ? ' ★' : ''}`
    lines.push(`  section ${escapeGantt(rowLabels[i] as string)}`, `    ${bar} :${[...tags, `n${i}`, wallClock(n.startMs), wallClock(end)].join(', ')}`)
  })
  return `${lines.join('\n')}\n`
}

/** The d3 time format of the axis for a run of `span` milliseconds. */
function axisFormat(span: number): string {
  if (span <= DAY) return '+%H:%M'
  if (span <= 7 * DAY) return 'day %-j, %H:%M'
  if (span <= YEAR) return 'day %-j'
  return 'year %-y, day %-j'
}

/** Milliseconds from the start as a wall-clock time from 2001-01-01 00:00:00 (computed in UTC, read by mermaid as local). */
function wallClock(ms: number): string {
  return new Date(Date.UTC(2001, 0, 1) + Math.max(0, Math.round(ms / SECOND) * SECOND)).toISOString().slice(0, 19).replace('T', ' ')
}

function escapeGantt(text: string): string {
  return text.replace(/[:;#%,`]/g, (c) => ENTITIES[c] as string)
}

/** Compares strings by UTF-16 code units, independent of locale. */
function compare(a: string, b: string): number {
  return Number(a > b) - Number(a < b)
}
