import type { WaitingExecution } from '../decide-gate.js'
import type { ExecutionStatus } from '../../model/generated.js'
import { resolveReference, type ObjectReferenceLike } from '../../reference.js'
import { subjectOf } from '../../object-key.js'
import { metadataOf, specOf, type IndexedResource, type ResourceIndex } from '../resource-index.js'

/** Node phases of a Gate node that waits for its Gate's decision. */
const WAITING_NODE: ReadonlySet<string> = new Set(['Running', 'Blocked'])

type Obj = Readonly<Record<string, unknown>>
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/**
 * Finds, per Gate key, the Executions (any namespace) whose Gate node naming that Gate is
 * `Running` or `Blocked`, with the uid, run digest and change author that `decideGate` binds
 * approvals to (DECISIONS §9). A run without a uid or a `runDigest` cannot be approved and is left
 * out. The Gate node is read from the Plan the Execution names today.
 */
export function waitingExecutions(index: ResourceIndex, changeAuthor: (execution: IndexedResource) => string | undefined): Map<string, WaitingExecution[]> {
  const waiting = new Map<string, WaitingExecution[]>()
  for (const execution of index.list('Execution')) {
    const run = execution.status as ExecutionStatus | undefined
    const uid = metadataOf(execution).uid
    if (run?.nodeStatuses === undefined || run.runDigest === undefined || typeof uid !== 'string' || uid === '') continue
    const planRef = asObj(specOf(execution).planRef)
    if (typeof planRef.name !== 'string') continue
    const ref = resolveReference(planRef as unknown as ObjectReferenceLike, execution.namespace)
    const plan = index.get('Plan', ref.namespace, ref.name)
    const nodes = plan === undefined ? [] : asObj(specOf(plan).graph).nodes
    for (const node of Array.isArray(nodes) ? (nodes as Obj[]) : []) {
      if (node.kind !== 'Gate' || !WAITING_NODE.has(String(run.nodeStatuses[String(node.id)]?.phase))) continue
      const gateRef = asObj(node.gateRef)
      if (typeof gateRef.name !== 'string') continue
      const gate = resolveReference(gateRef as unknown as ObjectReferenceLike, execution.namespace)
      const key = subjectOf('Gate', gate.namespace, gate.name)
      const author = changeAuthor(execution)
      const entry: WaitingExecution = { name: execution.name, namespace: execution.namespace, uid, digest: run.runDigest, ...(author === undefined ? {} : { changeAuthor: author }) }
      waiting.set(key, [...(waiting.get(key) ?? []), entry])
    }
  }
  return waiting
}
