import { stringify } from 'yaml'
import { formatAge, type ListedResource } from '@planspec/reporter'
import { sanitizeTerminalText } from '@planspec/core'

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})
// Values come from manifests and status files: never let them drive the terminal.
const clean = sanitizeTerminalText

/**
 * Describes one resource like `kubectl describe`: identity, labels and age; then its status
 * (phase, reason, message), conditions as a table, the node table of an Execution and the
 * requests on it that were refused, a Gate's decision per Execution and its review history (each
 * approve or reject marked counted, or refused with the reason); then the spec as YAML.
 *
 * @example
 * describeResource(execution, Date.now())
 */
export function describeResource(resource: ListedResource & { readonly metadata?: Obj; readonly refusedRequests?: readonly { readonly id: string; readonly reason: string }[]; readonly gateWaits?: readonly { readonly node: string; readonly gate: string; readonly message: string }[] }, nowMs: number): string {
  const meta = obj(resource.metadata)
  const status = obj(resource.status)
  const lines: string[] = [
    `Name:         ${clean(resource.name)}`,
    `Namespace:    ${clean(resource.namespace)}`,
    `Kind:         ${clean(resource.kind)}`,
    `Labels:       ${Object.entries(obj(meta.labels)).map(([k, v]) => `${clean(k)}=${clean(v)}`).join(', ') || '<none>'}`,
    `Created:      ${clean(meta.creationTimestamp ?? '<unknown>')} (${formatAge(meta.creationTimestamp as string | undefined, nowMs)} ago)`,
    `Generation:   ${clean(meta.generation ?? 1)}`,
    `Phase:        ${clean(status.phase ?? 'Pending')}`,
  ]
  if (status.reason !== undefined) lines.push(`Reason:       ${clean(status.reason)}`)
  if (status.message !== undefined) lines.push(`Message:      ${clean(status.message)}`)
  const conditions = (status.conditions as Obj[] | undefined) ?? []
  if (conditions.length > 0) {
    lines.push('Conditions:')
    lines.push(...table(['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], conditions.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime, c.message])).map((l) => `  ${l}`))
  }
  const nodes = Object.entries(obj(status.nodeStatuses))
  if (nodes.length > 0) {
    lines.push('Nodes:')
    lines.push(...table(['NODE', 'PHASE', 'ATTEMPT', 'REASON', 'MESSAGE'], nodes.map(([id, n]) => [id, obj(n).phase, obj(n).attempt, obj(n).reason, obj(n).message])).map((l) => `  ${l}`))
  }
  const waits = resource.gateWaits ?? []
  if (waits.length > 0) {
    lines.push('Waiting on gates:')
    lines.push(...table(['NODE', 'GATE', 'WHY'], waits.map((w) => [w.node, w.gate, w.message])).map((l) => `  ${l}`))
  }
  const decisions = (status.executions as Obj[] | undefined) ?? []
  if (decisions.length > 0) {
    lines.push('Executions:')
    lines.push(...table(['EXECUTION', 'PHASE', 'DIGEST', 'CHANGE AUTHOR', 'MESSAGE'], decisions.map((e) => [e.name, e.phase, shortDigest(e.digest), e.changeAuthor, e.message])).map((l) => `  ${l}`))
  }
  const history = (status.reviewHistory as Obj[] | undefined) ?? []
  if (history.length > 0) {
    lines.push('Review history:')
    lines.push(...table(['WHEN', 'WHO', 'ACTION', 'EXECUTION', 'COUNTED', 'GENERATION', 'SOURCE', 'COMMENT'], history.map((a) => [a.timestamp, a.reviewer, a.action, obj(a.execution).name, a.action === 'comment' ? '' : a.counted === false ? `no: ${clean(a.reason ?? 'refused')}` : 'yes', a.targetGeneration, a.source, a.comment])).map((l) => `  ${l}`))
  }
  const refused = resource.refusedRequests ?? []
  if (refused.length > 0) {
    lines.push('Refused requests:')
    lines.push(...table(['REQUEST', 'REASON'], refused.map((r) => [r.id, r.reason])).map((l) => `  ${l}`))
  }
  lines.push('Spec:')
  lines.push(...stringify(resource.spec ?? {}, { lineWidth: 0 }).trimEnd().split('\n').map((l) => `  ${clean(l)}`))
  return lines.join('\n') + '\n'
}

/** `sha256:0123456789ab…` (the first 12 hex digits are enough to tell digests apart on screen). */
function shortDigest(value: unknown): string {
  return typeof value === 'string' && value.length > 19 ? `${value.slice(0, 19)}…` : String(value ?? '')
}

/** Aligns rows under a header; empty cells for missing values. */
function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  const cells = rows.map((row) => row.map((v) => (v === undefined || v === null ? '' : clean(v))))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] as string).length)))
  return [header, ...cells].map((r) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd())
}
