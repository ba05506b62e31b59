import { normalizeGraph, type GraphNodeLike, type NormalizedGraph, type PlanGraphLike } from '@planspec/core'
import type { Resource } from '../api-client.js'

/** The run-source extension of a server-mode Execution: the resources its run was pinned to. */
const RUN_SOURCE_KEY = 'io.planspec.runSource'

/** A plan graph as the pages draw it, with where it came from. */
export interface RunPlan {
  readonly graph: NormalizedGraph
  /** `pinned`: the Plan the run started with (its status records it); `current`: the Plan as stored now. */
  readonly source: 'pinned' | 'current'
  readonly plan?: Resource
}

/** Reads a value as a plain object (user data is read defensively): anything else is `{}`. */
export const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {})

/** The namespace and name an Execution's `planRef` points to. */
export function planRefOf(execution: Resource): { readonly namespace: string; readonly name: string } | undefined {
  const ref = record(execution.spec?.planRef)
  if (typeof ref.name !== 'string') return undefined
  return { namespace: typeof ref.namespace === 'string' ? ref.namespace : (execution.metadata.namespace ?? 'default'), name: ref.name }
}

/** Normalizes a Plan's `spec.graph` (dropping nodes without a string id, which the validator would have refused). */
export function graphOfPlan(plan: Resource | undefined): NormalizedGraph {
  const graph = record(plan?.spec?.graph)
  const nodes = (Array.isArray(graph.nodes) ? graph.nodes : []).filter((node): node is GraphNodeLike => typeof record(node).id === 'string' && typeof record(node).kind === 'string')
  const edges = (Array.isArray(graph.edges) ? graph.edges : []).filter((edge) => typeof record(edge).from === 'string' && typeof record(edge).to === 'string')
  return normalizeGraph({ nodes, edges } as PlanGraphLike)
}

/**
 * Finds the graph an Execution runs: the Plan pinned in its status when the run started (server
 * mode records it, so a Plan edited since does not redraw a running run), else the Plan it names
 * as stored now.
 */
export function runPlanOf(execution: Resource, findPlan: (namespace: string, name: string) => Resource | undefined): RunPlan {
  const extensions = record(execution.status?.extensions)
  const pinned = record(extensions[RUN_SOURCE_KEY]).resources
  if (Array.isArray(pinned)) {
    const plan = pinned.map(record).find((entry) => entry.kind === 'Plan')
    if (plan !== undefined) return { graph: graphOfPlan(record(plan.value) as unknown as Resource), source: 'pinned', plan: record(plan.value) as unknown as Resource }
  }
  const ref = planRefOf(execution)
  const plan = ref === undefined ? undefined : findPlan(ref.namespace, ref.name)
  return { graph: graphOfPlan(plan), source: 'current', ...(plan === undefined ? {} : { plan }) }
}

/** A node's status in an Execution, or an empty object. */
export function nodeStatusOf(execution: Resource, id: string): Record<string, unknown> {
  return record(record(execution.status?.nodeStatuses)[id])
}

