import {
  decideGate,
  namespaceOf,
  reconcileBinding,
  reconcileCapability,
  reconcileGoal,
  reconcilePlan,
  referenceKey,
  type BindingUse,
  type CapabilityAvailability,
  type ExecutionStatus,
  type GateStatus,
  type PlanLike,
  type ReviewActionInput,
  type WaitingExecution,
} from '@planspec/core'
import { graphDigest } from '@planspec/validator'

/** One desired resource as the agent sees it: identity, the object, its generation and last status. */
export interface ResourceView {
  readonly kind: string
  readonly name: string
  readonly namespace: string
  /** The object from the tracked branch (apiVersion, kind, metadata, spec). */
  readonly value: Record<string, unknown>
  /** Observed spec generation (git mode: counted by the store). */
  readonly generation: number
  /** The status last written (status branch), if any. */
  readonly status?: unknown
  /** The validator's error findings for this resource. */
  readonly errors: readonly { readonly code: string; readonly message: string }[]
}

/** A review action on a Gate taken from a request file, with the file as its source. */
export interface GateAction extends ReviewActionInput {
  readonly gate: { readonly namespace: string; readonly name: string }
}

/** What the agent knows about who may decide Gates. */
export interface ReviewFacts {
  /** Members per `team:ORG/SLUG` (looked up by the shell; empty when unknown). */
  readonly teams: ReadonlyMap<string, readonly string[]>
  /** People with write access; eligible when a Gate lists no reviewers. */
  readonly writers?: readonly string[]
}

/** What {@link reconcileResources} observes. */
export interface ResourcesObservation {
  readonly resources: readonly ResourceView[]
  /** Execution statuses by `referenceKey('Execution', ns, name)` (from the runners or the status branch). */
  readonly executionStatuses: ReadonlyMap<string, ExecutionStatus>
  /** Per Gate key: the Executions whose Gate node waits on it (uid, run digest, change author). */
  readonly waitingExecutions: ReadonlyMap<string, readonly WaitingExecution[]>
  /** Review actions from request files, oldest first; those already recorded are ignored. */
  readonly gateActions: readonly GateAction[]
  readonly reviewFacts: ReviewFacts
  /** Cancel requests by `referenceKey(kind, ns, name)` (annotation or request file). */
  readonly cancelRequested: ReadonlySet<string>
  readonly now: string
  readonly nowMs: number
}

/** The outcome: the new status per resource key, and refused review actions to answer. */
export interface ResourcesReconcileResult {
  readonly statuses: ReadonlyMap<string, unknown>
  readonly refused: readonly { readonly gate: string; readonly reviewer: string; readonly reason: string; readonly source?: string }[]
  /** The soonest a controller asked to be called again (a Goal timeout), in ms. */
  readonly requeueAfterMs?: number
}

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/**
 * Reconciles every Plan, Capability, Binding, Goal and Gate of a repository with core's pure
 * controllers, in dependency order (capabilities see each other's phases, goals see plans and
 * executions, gates see their requests). Pure: the same observation gives the same result.
 * Executions are not reconciled here: each runs in its own runner.
 *
 * @example
 * const { statuses } = reconcileResources({ resources, executionStatuses, waitingExecutions, gateActions: [], reviewFacts, cancelRequested: new Set(), now, nowMs })
 */
export function reconcileResources(o: ResourcesObservation): ResourcesReconcileResult {
  const statuses = new Map<string, unknown>()
  const refused: { gate: string; reviewer: string; reason: string; source?: string }[] = []
  const byKind = (kind: string): ResourceView[] => o.resources.filter((r) => r.kind === kind)
  const key = (r: ResourceView): string => referenceKey(r.kind, r.namespace, r.name)
  let requeueAfterMs: number | undefined

  for (const plan of byKind('Plan')) {
    const spec = obj(obj(plan.value).spec)
    const graph = obj(spec.graph)
    statuses.set(key(plan), reconcilePlan({
      plan: { spec: { graph: { nodes: Array.isArray(graph.nodes) ? graph.nodes : [] }, ...(typeof spec.graphDigest === 'string' ? { graphDigest: spec.graphDigest } : {}) }, status: plan.status as never },
      generation: plan.generation,
      validationIssues: plan.errors,
      ...(typeof spec.graphDigest === 'string' ? { graphDigestActual: graphDigest(graph) } : {}),
      now: o.now,
    }).status)
  }

  const capabilities = byKind('Capability')
  const availability = new Map<string, CapabilityAvailability>(capabilities.map((c) => [key(c), { phase: obj(c.status).phase as CapabilityAvailability['phase'] }]))
  for (const capability of capabilities) {
    const result = reconcileCapability({ capability: { metadata: { name: capability.name, namespace: capability.namespace }, spec: obj(obj(capability.value).spec) as never, status: capability.status as never }, generation: capability.generation, capabilities: availability, now: o.now })
    statuses.set(key(capability), result.status)
    availability.set(key(capability), { phase: result.status.phase })
  }

  const plans = byKind('Plan')
  const executions = byKind('Execution')
  for (const binding of byKind('Binding')) {
    const uses = bindingUses(binding, plans, executions)
    statuses.set(key(binding), reconcileBinding({ binding: { ...obj(binding.value), status: binding.status } as never, namespace: binding.namespace, generation: binding.generation, uses, now: o.now }).status)
  }

  const planLikes: PlanLike[] = plans.map((p) => ({ metadata: { name: p.name, namespace: p.namespace, labels: obj(obj(p.value).metadata).labels as PlanLike['metadata']['labels'] }, spec: obj(obj(p.value).spec) as PlanLike['spec'] }))
  for (const goal of byKind('Goal')) {
    const goalExecutions = executions
      .filter((e) => referenceKey('Goal', namespaceOf(obj(obj(obj(e.value).spec).goalRef) as { namespace?: string }, e.namespace), String(obj(obj(obj(e.value).spec).goalRef).name)) === key(goal))
      .map((e) => ({ name: e.name, phase: o.executionStatuses.get(key(e))?.phase, planRef: obj(obj(e.value).spec).planRef as never, creationTimestamp: String(obj(obj(e.value).metadata).creationTimestamp ?? '') }))
    const result = reconcileGoal({
      goal: { metadata: { name: goal.name, namespace: goal.namespace, ...(typeof obj(obj(goal.value).metadata).creationTimestamp === 'string' ? { creationTimestamp: obj(obj(goal.value).metadata).creationTimestamp as string } : {}) }, spec: obj(obj(goal.value).spec) as never, status: goal.status as never },
      generation: goal.generation,
      plans: planLikes.filter((p) => p.metadata.namespace === goal.namespace),
      executions: goalExecutions,
      cancelRequested: o.cancelRequested.has(key(goal)),
      now: o.now,
      nowMs: o.nowMs,
    })
    statuses.set(key(goal), result.status)
    if (result.requeueAfterMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, result.requeueAfterMs)
  }

  for (const gate of byKind('Gate')) {
    const gateKey = key(gate)
    const status = gate.status as GateStatus | undefined
    const recorded = new Set((status?.reviewHistory ?? []).map((a) => a.source).filter((s): s is string => s !== undefined))
    const actions = o.gateActions.filter((a) => referenceKey('Gate', a.gate.namespace, a.gate.name) === gateKey && !(a.source !== undefined && recorded.has(a.source)))
    const spec = obj(obj(gate.value).spec)
    const result = decideGate({
      gate: { metadata: { generation: gate.generation }, spec: { reviewers: spec.reviewers as string[] | undefined, requiredApprovers: spec.requiredApprovers as number | undefined }, ...(status ? { status } : {}) },
      waiting: o.waitingExecutions.get(gateKey) ?? [],
      actions,
      teams: o.reviewFacts.teams,
      ...(o.reviewFacts.writers ? { writers: o.reviewFacts.writers } : {}),
      now: o.now,
    })
    statuses.set(gateKey, result.status)
    for (const r of result.refused) refused.push({ gate: gateKey, reviewer: r.reviewer, reason: r.reason, ...(r.source === undefined ? {} : { source: r.source }) })
  }
  return { statuses, refused, ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }) }
}

/** The capability uses a Binding must serve: Task nodes of the plans its Executions run. */
function bindingUses(binding: ResourceView, plans: readonly ResourceView[], executions: readonly ResourceView[]): BindingUse[] {
  const uses: BindingUse[] = []
  const planKeys = new Set<string>()
  for (const e of executions) {
    const spec = obj(obj(e.value).spec)
    const bindingRef = obj(spec.bindingRef)
    if (bindingRef.name !== binding.name || (bindingRef.namespace ?? e.namespace) !== binding.namespace) continue
    const planRef = obj(spec.planRef)
    planKeys.add(referenceKey('Plan', String(planRef.namespace ?? e.namespace), String(planRef.name)))
  }
  for (const plan of plans) {
    if (!planKeys.has(referenceKey('Plan', plan.namespace, plan.name))) continue
    const labels = obj(obj(plan.value).metadata).labels as BindingUse['plan']['labels']
    for (const node of (obj(obj(obj(plan.value).spec).graph).nodes as Obj[] | undefined) ?? []) {
      if (node.kind !== 'Task') continue
      for (const ref of (node.capabilityRefs as Obj[] | undefined) ?? []) {
        uses.push({
          plan: { name: plan.name, namespace: plan.namespace, ...(labels ? { labels } : {}) },
          nodeId: String(node.id),
          capability: { name: String(ref.name), namespace: String(ref.namespace ?? plan.namespace) },
          ...(ref.optional === true ? { optional: true } : {}),
        })
      }
    }
  }
  return uses
}
