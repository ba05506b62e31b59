import { canonicalJson, gateNodeObservation, resolveReference, type GateStatus } from '@planspec/core'
import type { StoredResource } from '@planspec/engine'
import { RUN_SOURCE_KEY } from '../serve/prepare-stored-run.js'
import type { StoreTransaction } from '../store/api-store.js'
import type { StatusCause } from './error-catalog.js'
import type { Identity } from './tokens.js'

/** The group of the identities that run Executions outside the server (an external engine): the only writers of node results. */
export const CONTROLLER_GROUP = 'system:controllers'

/** Status fields of an Execution only its controller (the engine) writes. */
const CONTROLLER_FIELDS = ['phase', 'runDigest', 'nodeStatuses'] as const

type Obj = Record<string, unknown>
type NodeStatusLike = { readonly phase?: string; readonly reason?: string; readonly outputs?: unknown }
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Checks an Execution status written through the API against what the controllers own
 * (DECISIONS §9 "controllers own status"; 422 `Invalid` with one cause per problem):
 * - only identities in `controllerGroups` (an external engine) may change `phase`, `runDigest`
 *   or any node's status (`ControllerOwned`): nobody else marks work done the engine did not record;
 * - even they may move a Gate node to `Succeeded` only when the Gate's decision for this Execution
 *   (its uid and run digest, core's `gateNodeObservation`) is `Approved`, and to `Failed` only when
 *   it is `Rejected` or the Gate does not exist (`GateDecisionMismatch`).
 * The Gate nodes are those of the graph the run is pinned to (the run source in the status), else
 * of the Plan in the store. Reads Gates through `tx`, in the write's transaction.
 */
export function executionStatusProblems(tx: StoreTransaction, stored: StoredResource, next: Obj, identity: Identity, controllerGroups: readonly string[]): StatusCause[] {
  const previous = (stored.status ?? {}) as Obj
  const causes: StatusCause[] = []
  const controller = identity.groups.some((group) => controllerGroups.includes(group))
  if (!controller) {
    for (const field of CONTROLLER_FIELDS) {
      if (canonicalJson(previous[field] ?? null) === canonicalJson(next[field] ?? null)) continue
      causes.push({ reason: 'ControllerOwned', message: `status.${field} is written by the Execution controller only (an engine identity in group ${controllerGroups.join(', ')}); use the cancel, retry, complete and gate approve routes`, field: `status.${field}` })
    }
  }
  const before = (isObj(previous.nodeStatuses) ? previous.nodeStatuses : {}) as Record<string, NodeStatusLike | undefined>
  const after = (isObj(next.nodeStatuses) ? next.nodeStatuses : {}) as Record<string, NodeStatusLike | undefined>
  const gates = gateNodes(tx, stored)
  const digest = typeof previous.runDigest === 'string' ? previous.runDigest : typeof next.runDigest === 'string' ? next.runDigest : ''
  for (const [node, ref] of gates) {
    const to = after[node]?.phase
    if (to === before[node]?.phase || (to !== 'Succeeded' && to !== 'Failed')) continue
    const gate = tx.get({ kind: 'Gate', namespace: ref.namespace, name: ref.name })
    const observed = gate === undefined ? { phase: 'NotFound' as const } : gateNodeObservation({ metadata: gate.metadata, status: (gate.status ?? {}) as GateStatus }, { name: stored.metadata.name, uid: stored.metadata.uid ?? '', digest })
    const implied = to === 'Succeeded' ? observed.phase === 'Approved' : observed.phase === 'Rejected' || observed.phase === 'NotFound'
    if (!implied) {
      causes.push({
        reason: 'GateDecisionMismatch',
        message: `node ${JSON.stringify(node)} waits on gate ${ref.namespace}/${ref.name}, whose decision for this Execution is ${observed.phase}${observed.message === undefined ? '' : ` (${observed.message})`}: it cannot be ${to}`,
        field: `status.nodeStatuses.${node}.phase`,
      })
    }
  }
  return causes
}

/** The Gate nodes of the graph an Execution runs: node id → the Gate it waits on. */
function gateNodes(tx: StoreTransaction, execution: StoredResource): Map<string, { name: string; namespace: string }> {
  const namespace = execution.metadata.namespace ?? 'default'
  const planRef = (execution.spec as { planRef?: { name?: string } } | undefined)?.planRef
  const pinned = ((execution.status as { extensions?: Obj } | undefined)?.extensions?.[RUN_SOURCE_KEY] as { resources?: unknown } | undefined)?.resources
  const fromSource = Array.isArray(pinned) ? pinned.find((r): r is { kind: string; name: string; value: Obj } => isObj(r) && r.kind === 'Plan' && r.name === planRef?.name && isObj(r.value)) : undefined
  const plan = fromSource?.value ?? (planRef?.name === undefined ? undefined : tx.get({ kind: 'Plan', namespace, name: planRef.name }))
  const planNamespace = (isObj(plan?.metadata) ? (plan.metadata as Obj).namespace : undefined) ?? namespace
  const nodes = ((plan?.spec as { graph?: { nodes?: unknown[] } } | undefined)?.graph?.nodes ?? []).filter(isObj)
  const gates = new Map<string, { name: string; namespace: string }>()
  for (const node of nodes) {
    if (node.kind === 'Gate' && typeof node.id === 'string' && isObj(node.gateRef) && typeof node.gateRef.name === 'string') {
      gates.set(node.id, resolveReference(node.gateRef as { name: string; namespace?: string }, String(planNamespace)))
    }
  }
  return gates
}
