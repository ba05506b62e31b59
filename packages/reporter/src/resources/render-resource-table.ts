import { sanitizeTerminal } from '../internal/sanitize-terminal.js'

/** A resource as `get` lists it: identity, the object, and the status merged in. */
export interface ListedResource {
  readonly kind: string
  readonly name: string
  readonly namespace: string
  readonly metadata?: { readonly creationTimestamp?: string; readonly generation?: number; readonly labels?: Readonly<Record<string, string>> }
  readonly spec?: unknown
  readonly status?: unknown
}

/** How {@link renderResourceTable} lays the table out. */
export interface ResourceTableOptions {
  /** Extra columns (kubectl `-o wide`). */
  readonly wide?: boolean
  /** Adds a NAMESPACE column (listing across namespaces). */
  readonly allNamespaces?: boolean
  /** The current time in epoch ms, for AGE. */
  readonly nowMs: number
}

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})
const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? sanitizeTerminal(String(value)) : '')
const refName = (value: unknown): string => text(obj(value).name)

/** The columns of each kind: kubectl-style printer columns, `wide` ones last. */
const COLUMNS: Readonly<Record<string, readonly { readonly header: string; readonly wide?: boolean; readonly cell: (r: ListedResource) => string }[]>> = {
  Execution: [
    { header: 'PHASE', cell: (r) => text(obj(r.status).phase) || 'Pending' },
    { header: 'PLAN', cell: (r) => refName(obj(r.spec).planRef) },
    { header: 'PROGRESS', cell: (r) => progressOf(r) },
    { header: 'GOAL', wide: true, cell: (r) => refName(obj(r.spec).goalRef) },
    { header: 'REASON', wide: true, cell: (r) => text(obj(r.status).reason) },
  ],
  Plan: [
    { header: 'PHASE', cell: (r) => text(obj(r.status).phase) },
    { header: 'NODES', cell: (r) => text(obj(r.status).nodeCount) || String(((obj(obj(r.spec).graph).nodes as unknown[] | undefined) ?? []).length) },
    { header: 'GOAL', cell: (r) => refName(obj(r.spec).goalRef) },
    { header: 'VERSION', wide: true, cell: (r) => text(obj(r.spec).version) },
  ],
  Goal: [
    { header: 'PHASE', cell: (r) => text(obj(r.status).phase) },
    { header: 'PLAN', cell: (r) => refName(obj(r.status).activePlanRef) },
  ],
  Gate: [
    { header: 'PHASE', cell: (r) => text(obj(r.status).phase) || 'Pending' },
    { header: 'APPROVALS', cell: (r) => approvalsOf(r) },
    { header: 'TARGET', cell: (r) => targetOf(r) },
    { header: 'REVIEWERS', wide: true, cell: (r) => ((obj(r.spec).reviewers as unknown[] | undefined) ?? []).map(text).join(',') },
    { header: 'EXECUTIONS', wide: true, cell: (r) => ((obj(r.status).executions as unknown[] | undefined) ?? []).map(obj).map((e) => `${text(e.name)}=${text(e.phase)}`).join(',') },
    { header: 'REVIEWS', wide: true, cell: (r) => reviewsOf(r) },
  ],
  Capability: [{ header: 'PHASE', cell: (r) => text(obj(r.status).phase) }],
  Binding: [
    { header: 'PHASE', cell: (r) => text(obj(r.status).phase) },
    { header: 'BOUND', cell: (r) => (obj(r.status).totalCount === undefined ? '' : `${text(obj(r.status).boundCount) || '0'}/${text(obj(r.status).totalCount)}`) },
  ],
}

/**
 * Renders resources of one kind as a kubectl-style table: NAME, the kind's printer columns
 * (Executions: PHASE, PLAN, PROGRESS such as `3/7`, then GOAL and REASON with `wide`) and AGE,
 * left-aligned, two spaces apart; NAMESPACE first when listing across namespaces. Terminal
 * control characters in values are neutralised. Returns `No resources found.` for an empty list.
 *
 * @example
 * renderResourceTable('Execution', [execution], { nowMs: Date.now() })
 * // 'NAME        PHASE    PLAN     PROGRESS  AGE\nrelease-1  Running  release  3/7       5m\n'
 */
export function renderResourceTable(kind: string, resources: readonly ListedResource[], options: ResourceTableOptions): string {
  if (resources.length === 0) return 'No resources found.\n'
  const columns = (COLUMNS[kind] ?? []).filter((c) => options.wide === true || c.wide !== true)
  const header = [...(options.allNamespaces === true ? ['NAMESPACE'] : []), 'NAME', ...columns.map((c) => c.header), 'AGE']
  const rows = resources.map((r) => [
    ...(options.allNamespaces === true ? [text(r.namespace)] : []),
    text(r.name),
    ...columns.map((c) => c.cell(r)),
    formatAge(r.metadata?.creationTimestamp, options.nowMs),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)))
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()
  return [header, ...rows].map(line).join('\n') + '\n'
}

/**
 * Formats the time since `timestamp` like kubectl: `45s`, `12m`, `5h`, `3d`; `<unknown>` when the
 * timestamp is missing or invalid. A timestamp in the future counts as `0s`.
 *
 * @example
 * formatAge('2026-01-01T00:00:00Z', Date.parse('2026-01-01T02:30:00Z')) // '2h'
 */
export function formatAge(timestamp: string | undefined, nowMs: number): string {
  const then = timestamp === undefined ? Number.NaN : Date.parse(timestamp)
  if (Number.isNaN(then)) return '<unknown>'
  const seconds = Math.max(0, Math.floor((nowMs - then) / 1000))
  if (seconds < 120) return `${seconds}s`
  if (seconds < 120 * 60) return `${Math.floor(seconds / 60)}m`
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86400)}d`
}

/** Finished nodes over all nodes of the run (Groups excluded): `3/7`; empty before the run starts. */
function progressOf(r: ListedResource): string {
  const nodes = Object.values(obj(obj(r.status).nodeStatuses)).map(obj)
  if (nodes.length === 0) return ''
  const done = nodes.filter((n) => n.phase === 'Succeeded' || n.phase === 'Skipped').length
  return `${done}/${nodes.length}`
}

/**
 * Distinct approvers whose approval counted for the current generation over the required number:
 * `1/2`. Refused actions (`counted: false`: self-approval, not eligible, unsigned...) never count.
 */
function approvalsOf(r: ListedResource): string {
  const required = typeof obj(r.spec).requiredApprovers === 'number' ? (obj(r.spec).requiredApprovers as number) : 1
  const generation = r.metadata?.generation ?? 1
  const current = ((obj(r.status).reviewHistory as unknown[] | undefined) ?? []).map(obj).filter((a) => a.action === 'approve' && a.counted !== false && (a.targetGeneration ?? generation) === generation)
  const approvers = new Set(current.map((a) => String(a.reviewer)))
  return `${approvers.size}/${required}`
}

/** Each approve or reject of the review history, marked counted or refused with the reason: `email:ed approve counted`. */
function reviewsOf(r: ListedResource): string {
  return ((obj(r.status).reviewHistory as unknown[] | undefined) ?? [])
    .map(obj)
    .filter((a) => a.action === 'approve' || a.action === 'reject')
    .map((a) => `${text(a.reviewer)} ${text(a.action)}${a.execution ? `@${text(obj(a.execution).name)}` : ''} ${a.counted === false ? `refused(${text(a.reason) || 'NotCounted'})` : 'counted'}`)
    .join('; ')
}

/** The Gate's target as `kind/name[#node]`. */
function targetOf(r: ListedResource): string {
  const target = obj(obj(r.spec).targetRef)
  if (target.name === undefined) return ''
  return `${text(target.kind).toLowerCase()}/${text(target.name)}${target.nodeId === undefined ? '' : `#${text(target.nodeId)}`}`
}
