import type { StoredResource } from '@planspec/engine'
import { CLAIM_ANNOTATION_PREFIX } from '../admit-status.js'
import type { StoreTransaction } from '../../store/api-store.js'
import { RUN_SOURCE_KEY } from '../../serve/prepare-stored-run.js'

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The outputs a node of an Execution's plan declares: from the Plan the run is pinned to (its
 * status's `io.planspec.runSource`), else the Plan in the store now. Empty when neither says.
 */
export function declaredOutputs(tx: StoreTransaction, execution: StoredResource, node: string): string[] {
  const plan = pinnedPlan(execution) ?? currentPlan(tx, execution)
  const nodes = isObj(plan) && isObj(plan.spec) && isObj(plan.spec.graph) && Array.isArray(plan.spec.graph.nodes) ? plan.spec.graph.nodes : []
  const found = nodes.find((candidate): candidate is Obj => isObj(candidate) && candidate.id === node)
  return Array.isArray(found?.outputs) ? found.outputs.filter((name): name is string => typeof name === 'string') : []
}

/** The subject that holds a node's claim (`planspec.io/claim.<node>`), if anyone does. */
export function claimHolder(execution: StoredResource, node: string): string | undefined {
  const value = execution.metadata.annotations?.[`${CLAIM_ANNOTATION_PREFIX}${node}`]
  if (value === undefined) return undefined
  try {
    const record = JSON.parse(value) as unknown
    return isObj(record) && typeof record.by === 'string' ? record.by : undefined
  } catch {
    return undefined
  }
}

function pinnedPlan(execution: StoredResource): Obj | undefined {
  const source = (execution.status as { extensions?: Obj } | undefined)?.extensions?.[RUN_SOURCE_KEY]
  if (!isObj(source) || !Array.isArray(source.resources)) return undefined
  const plan = source.resources.find((r): r is Obj => isObj(r) && r.kind === 'Plan')
  return isObj(plan?.value) ? plan.value : undefined
}

function currentPlan(tx: StoreTransaction, execution: StoredResource): Obj | undefined {
  const planRef = (execution.spec as { planRef?: { name?: string } } | undefined)?.planRef
  if (typeof planRef?.name !== 'string') return undefined
  return tx.get({ kind: 'Plan', namespace: execution.metadata.namespace ?? 'default', name: planRef.name }) as Obj | undefined
}
