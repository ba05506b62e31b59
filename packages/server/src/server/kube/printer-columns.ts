import type { StoredResource } from '@planspec/core'

/** One printer column of a kind (Kubernetes `additionalPrinterColumns`, with a function for the value). */
export interface PrinterColumn {
  readonly name: string
  /** OpenAPI type of the cell: `string`, `integer`, `date`. */
  readonly type: 'string' | 'integer' | 'date'
  readonly description: string
  /** 0: shown by `kubectl get`; 1: only with `-o wide`. */
  readonly priority: 0 | 1
  readonly value: (object: StoredResource) => string | number | undefined
}

type Loose = Record<string, unknown> | undefined
const field = (object: StoredResource, ...path: string[]): unknown => path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), object)
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined)
const refName = (object: StoredResource, ...path: string[]): string | undefined => text((field(object, ...path) as Loose)?.name)

/** `done/total` nodes of an Execution: finished nodes (Succeeded or Skipped) over the nodes it tracks. */
function progress(object: StoredResource): string | undefined {
  const nodes = field(object, 'status', 'nodeStatuses')
  const list = Array.isArray(nodes) ? nodes : nodes !== null && typeof nodes === 'object' ? Object.values(nodes) : undefined
  if (list === undefined || list.length === 0) return undefined
  const done = list.filter((node) => ['Succeeded', 'Skipped'].includes(String((node as Loose)?.phase))).length
  return `${done}/${list.length}`
}

/** `approved/required` of a Gate: distinct reviewers whose approval counted, over `requiredApprovers`. */
function approvals(object: StoredResource): string | undefined {
  const required = field(object, 'spec', 'requiredApprovers')
  const history = field(object, 'status', 'reviewHistory')
  // Approvals that counted for the Gate's current generation, one per reviewer.
  const generation = object.metadata.generation
  const counted = (h: Loose): boolean => h?.action === 'approve' && h.counted !== false && (generation === undefined || h.targetGeneration === undefined || h.targetGeneration === generation)
  const approvers = new Set(Array.isArray(history) ? history.filter((h) => counted(h as Loose)).map((h) => String((h as Loose)?.reviewer)) : [])
  return `${approvers.size}/${typeof required === 'number' ? required : 1}`
}

function target(object: StoredResource): string | undefined {
  const ref = field(object, 'spec', 'targetRef') as Loose
  if (ref === undefined) return undefined
  const kind = text(ref.kind)
  const name = text(ref.name)
  const node = text(ref.nodeId)
  return `${kind === undefined ? '' : `${kind.toLowerCase()}/`}${name ?? ''}${node === undefined ? '' : `#${node}`}`
}

const phase: PrinterColumn = { name: 'Phase', type: 'string', description: 'The phase the controllers report', priority: 0, value: (o) => text(field(o, 'status', 'phase')) }

/**
 * The printer columns of each kind (after NAME, before AGE), as `kubectl get` shows them through
 * `Accept: application/json;as=Table`: Execution PHASE, PLAN, PROGRESS (wide: GOAL, STARTED,
 * MESSAGE); Gate PHASE, APPROVALS, TARGET (wide: TYPE); Goal PHASE, PLAN (wide: PRIORITY);
 * Plan NODES, GOAL, VERSION (wide: PHASE, SERIES). Other kinds show NAME and AGE only.
 */
export const PRINTER_COLUMNS: Readonly<Record<string, readonly PrinterColumn[]>> = {
  Execution: [
    phase,
    { name: 'Plan', type: 'string', description: 'The Plan the Execution runs', priority: 0, value: (o) => refName(o, 'spec', 'planRef') },
    { name: 'Progress', type: 'string', description: 'Nodes finished (Succeeded or Skipped) over nodes tracked', priority: 0, value: progress },
    { name: 'Goal', type: 'string', description: 'The Goal the Execution serves', priority: 1, value: (o) => refName(o, 'spec', 'goalRef') },
    { name: 'Started', type: 'date', description: 'When the run started', priority: 1, value: (o) => text(field(o, 'status', 'startTime')) },
    { name: 'Message', type: 'string', description: 'The last phase message', priority: 1, value: (o) => text(field(o, 'status', 'message')) },
  ],
  Gate: [
    phase,
    { name: 'Approvals', type: 'string', description: 'Distinct approvers so far over the approvals required', priority: 0, value: approvals },
    { name: 'Target', type: 'string', description: 'What the Gate guards: kind/name#node', priority: 0, value: target },
    { name: 'Type', type: 'string', description: 'The kind of gate', priority: 1, value: (o) => text(field(o, 'spec', 'gateType')) },
  ],
  Goal: [
    phase,
    { name: 'Plan', type: 'string', description: 'The Plan selected to reach the Goal', priority: 0, value: (o) => refName(o, 'status', 'activePlanRef') },
    { name: 'Priority', type: 'integer', description: 'The Goal priority', priority: 1, value: (o) => field(o, 'spec', 'priority') as number | undefined },
  ],
  Plan: [
    { name: 'Nodes', type: 'integer', description: 'Nodes in the graph', priority: 0, value: (o) => (field(o, 'status', 'nodeCount') as number | undefined) ?? (field(o, 'spec', 'graph', 'nodes') as unknown[] | undefined)?.length },
    { name: 'Goal', type: 'string', description: 'The Goal the Plan serves', priority: 0, value: (o) => refName(o, 'spec', 'goalRef') },
    { name: 'Version', type: 'string', description: 'The Plan version in its series', priority: 0, value: (o) => text(field(o, 'spec', 'version')) },
    { name: 'Phase', type: 'string', description: 'Whether the Plan is valid', priority: 1, value: (o) => text(field(o, 'status', 'phase')) },
    { name: 'Series', type: 'string', description: 'The Plan series', priority: 1, value: (o) => text(field(o, 'spec', 'series')) },
  ],
}
