import type { ResourceClient, ResourceView } from '@planspec/client'
import { checkRequester, claimSubjects, hardAncestors, resolveInputs, type ExecutionStatus } from '@planspec/core'
import { createCelEvaluator, prepareRun, type PreparedRun, type ResourceLike } from '@planspec/engine'

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/** The kinds a run is prepared from. */
const RUN_KINDS = ['Goal', 'Plan', 'Capability', 'Binding', 'Execution', 'Gate'] as const
/** Where the API server pins the resources a run started with (the server's `RUN_SOURCE_KEY`). */
const RUN_SOURCE_KEY = 'io.planspec.runSource'

/** Every resource of the six kinds, read once (in git mode one read of each branch; in server mode one list per kind). */
export async function readAll(client: ResourceClient, namespace?: string): Promise<ResourceView[]> {
  const lists = await Promise.all(RUN_KINDS.map((kind) => client.list(kind, namespace === undefined ? {} : { namespace })))
  return lists.flat()
}

/**
 * The resources a run is prepared from: the ones the server pinned when it started (its status's
 * `io.planspec.runSource`), else the resources as they are now.
 */
export function runResources(execution: ResourceView, all: readonly ResourceView[]): ResourceLike[] {
  const pinned = obj(obj(obj(execution.status).extensions)[RUN_SOURCE_KEY]).resources
  if (Array.isArray(pinned) && pinned.every((r) => typeof obj(r).kind === 'string' && typeof obj(r).name === 'string' && typeof obj(r).namespace === 'string')) return pinned as ResourceLike[]
  return all.map((r) => ({ kind: r.kind, name: r.name, namespace: r.namespace, value: r.object }))
}

/** Prepares an Execution's run (engine's `prepareRun`); undefined when its Plan or bindings cannot be read. */
export function prepareView(execution: ResourceView, all: readonly ResourceView[]): PreparedRun | undefined {
  try {
    return prepareRun(runResources(execution, all), { name: execution.name, namespace: execution.namespace })
  } catch {
    return undefined
  }
}

/** A node waiting for a worker, with everything the worker needs to do it. */
export interface WorkItem {
  readonly namespace: string
  readonly execution: string
  readonly node: string
  readonly name?: string
  readonly description?: string
  /** The provider the node is bound to: `agent://NAME` or `human://QUEUE`. */
  readonly provider: string
  /** Who may claim and complete it (core's `claimSubjects`), and the plan's Gate reviewers. */
  readonly assignees: readonly string[]
  /** The node's inputs, `${{ }}` templates resolved against the run so far. */
  readonly inputs: Obj
  /** Set when a template cannot be resolved yet. */
  readonly inputsProblem?: string
  /** The outputs a completion must give. */
  readonly outputs: readonly string[]
  /** The acceptance criteria the completion is checked against. */
  readonly acceptanceCriteria: readonly Obj[]
  /** Per-node hints (notes, pointers, data). */
  readonly context: readonly unknown[]
  /** When the node started waiting. */
  readonly since?: string
  /** Whether the identity may claim and complete it (a `team:` it may belong to is not known here). */
  readonly eligible: boolean
}

/**
 * Lists the nodes of every unfinished Execution that wait for a worker (`Blocked`,
 * `AwaitingClaim`: a `human://` or `agent://` target), with the node's description, resolved
 * inputs, declared outputs, acceptance criteria and context, and whether `identity` may take it
 * (core's `checkRequester` with the target's `claimSubjects` and the plan's Gate reviewers).
 *
 * @example
 * const items = workItems(await readAll(client), 'svc:docs-writer')
 */
export function workItems(all: readonly ResourceView[], identity: string): WorkItem[] {
  const evaluate = createCelEvaluator()
  const items: WorkItem[] = []
  for (const execution of all.filter((r) => r.kind === 'Execution')) {
    const status = execution.status as ExecutionStatus | undefined
    const waiting = Object.entries(status?.nodeStatuses ?? {}).filter(([, n]) => n?.phase === 'Blocked' && n.reason === 'AwaitingClaim')
    if (waiting.length === 0) continue
    const prepared = prepareView(execution, all)
    if (prepared === undefined) continue
    const reviewers = gateReviewers(prepared, all)
    for (const [node, nodeStatus] of waiting) {
      const binding = prepared.input.bindings.get(node)
      if (binding?.outcome !== 'bound') continue
      const definition = obj(prepared.input.graph.nodeById.get(node))
      const assignees = claimSubjects(binding.provider, binding.config)
      const eligible = checkRequester(identity, 'claim', { gateReviewers: reviewers, teams: new Map(), assignees }) === undefined
      const resolved = resolveNodeInputs(prepared, status, node, obj(definition.inputs), evaluate)
      items.push({
        namespace: execution.namespace,
        execution: execution.name,
        node,
        ...(typeof definition.name === 'string' ? { name: definition.name } : {}),
        ...(typeof definition.description === 'string' ? { description: definition.description } : {}),
        provider: binding.provider,
        assignees,
        inputs: resolved.ok ? resolved.value : obj(definition.inputs),
        ...(resolved.ok ? {} : { inputsProblem: resolved.message }),
        outputs: Array.isArray(definition.outputs) ? definition.outputs.filter((o): o is string => typeof o === 'string') : [],
        acceptanceCriteria: Array.isArray(definition.acceptanceCriteria) ? (definition.acceptanceCriteria as Obj[]) : [],
        context: Array.isArray(definition.context) ? definition.context : [],
        ...(nodeStatus?.startTime ? { since: nodeStatus.startTime } : {}),
        eligible,
      })
    }
  }
  return items.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.execution.localeCompare(b.execution) || a.node.localeCompare(b.node))
}

/** The reviewers of every Gate the run's plan names. */
export function gateReviewers(prepared: PreparedRun, all: readonly ResourceView[]): string[] {
  return [...prepared.gates.values()].flatMap((ref) => {
    const gate = all.find((r) => r.kind === 'Gate' && r.name === ref.name && r.namespace === ref.namespace)
    const reviewers = obj(gate?.object.spec).reviewers
    return Array.isArray(reviewers) ? reviewers.filter((r): r is string => typeof r === 'string') : []
  })
}

/** The node's inputs with `${{ }}` templates evaluated against the run's parameters, Goal and hard ancestors' outputs. */
function resolveNodeInputs(prepared: PreparedRun, status: ExecutionStatus | undefined, node: string, raw: Obj, evaluate: ReturnType<typeof createCelEvaluator>): ReturnType<typeof resolveInputs> {
  const nodes: Record<string, { outputs: Obj; phase: string }> = {}
  for (const ancestor of hardAncestors(prepared.input.graph, node)) {
    const seen = status?.nodeStatuses?.[ancestor]
    if (seen !== undefined) nodes[ancestor] = { outputs: { ...seen.outputs }, phase: String(seen.phase) }
  }
  return resolveInputs(raw, evaluate, { params: prepared.input.parameters, goal: prepared.input.goalConstraints ?? {}, nodes, inputs: raw })
}
