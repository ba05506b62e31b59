import { setCondition } from '../conditions.js'
import type { LabelSelectorLike } from '../label-selector.js'
import type { CapabilityStatus, ExecutionStatus, GateStatus, GoalStatus, PlanStatus } from '../model/generated.js'
import type { PlanLike } from '../plan-selection.js'
import { resolveReference, type ObjectReferenceLike } from '../reference.js'
import { parseObjectKey, subjectOf } from '../object-key.js'
import { decideGate, type GateRefusal, type ReviewActionInput } from './decide-gate.js'
import { bindingUses } from './internal/binding-uses.js'
import { waitingExecutions } from './internal/waiting-executions.js'
import { reconcileBinding } from './reconcile-binding.js'
import { reconcileCapability, type CapabilityAvailability } from './reconcile-capability.js'
import { reconcileGoal, type GoalExecutionLike } from './reconcile-goal.js'
import { initialStatus, type StatusKind } from './initial-status.js'
import { reconcilePlan, type ValidationIssueLike } from './reconcile-plan.js'
import { compareResources, metadataOf, specOf, type IndexedResource, type ResourceIndex } from './resource-index.js'

/** The annotation that asks for a Goal (or an Execution) to be cancelled (DECISIONS §3). */
export const CANCEL_ANNOTATION = 'planspec.io/cancel'

/** The kinds {@link reconcileResources} reconciles, in the order it reconciles them. */
export const RECONCILED_KINDS: readonly string[] = ['Plan', 'Capability', 'Binding', 'Goal', 'Gate']

/** A review action on a Gate that a shell received (a request file), naming its Gate. */
export interface GateAction extends ReviewActionInput {
  readonly gate: { readonly namespace: string; readonly name: string }
}

/** What the shells know that the index does not hold, each as a value or a lookup. */
export interface ReconcileFacts {
  /** The validator's error findings for a Plan as it is now; `undefined` when not known yet (the Plan is then left out). */
  readonly planIssues: (plan: IndexedResource) => readonly ValidationIssueLike[] | undefined
  /** The digest of a plan graph (`sha256:` of its canonical JSON), computed by the shell. */
  readonly graphDigest: (graph: unknown) => string
  /** Who may decide a Gate: team members per `team:ORG/SLUG`, and the writers eligible when it lists no reviewers. */
  readonly reviewers: (gate: IndexedResource) => { readonly teams: ReadonlyMap<string, readonly string[]>; readonly writers?: readonly string[] }
  /** The author of the change that created an Execution (never eligible to approve it), if known. */
  readonly changeAuthor: (execution: IndexedResource) => string | undefined
  /** New review actions, oldest first; an action whose `source` a Gate's history already holds is skipped. */
  readonly gateActions?: readonly GateAction[]
  /** Cancel requests by `subjectOf(kind, ns, name)`, besides the `planspec.io/cancel` annotation. */
  readonly cancelRequested?: ReadonlySet<string>
  /** Reconcile only these resources (by `subjectOf`); default: every resource of {@link RECONCILED_KINDS}. */
  readonly only?: ReadonlySet<string>
}

/** The outcome of {@link reconcileResources}. */
export interface ResourcesReconcileResult {
  /** The status each reconciled resource should have, by `subjectOf`. */
  readonly statuses: ReadonlyMap<string, unknown>
  /** Review actions recorded but not counted, for the shell to answer. */
  readonly refused: readonly { readonly gate: string; readonly reviewer: string; readonly reason: GateRefusal['reason']; readonly source?: string }[]
  /** The soonest a controller asked to be called again (a Goal's timeout), in ms. */
  readonly requeueAfterMs?: number
}

type Obj = Readonly<Record<string, unknown>>
/** A resource being reconciled: it always has a status (its last, else the initial one). */
type Target = IndexedResource & { readonly status: unknown }
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})
const key = (r: IndexedResource): string => subjectOf(r.kind, r.namespace, r.name)

/**
 * Reconciles the Plans, Capabilities, Bindings, Goals and Gates of an index with core's pure
 * controllers: the one read side both shells call (the agent over its git snapshot, the server
 * over its store transaction). Pure and level-based: the same index, facts and `now` give the same
 * result. Executions are not reconciled here: each runs in its own runner.
 *
 * - Plan: `Valid` from `facts.planIssues` and, when `spec.graphDigest` is declared, the digest.
 * - Capability: its required capabilities (any namespace) must exist and not be `Unavailable`;
 *   the capabilities reconciled in one call see each other's new phases (repeated until stable).
 * - Binding: the uses of every Plan it serves (see `bindingUses`), optional ones flagged.
 * - Goal: plan selection over the Plans whose `goalRef` names it (any namespace), the Executions
 *   whose `goalRef` names it (any namespace), cancellation by annotation or request, the timeout.
 * - Gate: the Executions waiting on it, new review actions, and `TargetResolved` for `targetRef`.
 *
 * @example
 * const { statuses } = reconcileResources(indexResources(resources), facts, '2026-01-01T00:00:00.000Z')
 */
export function reconcileResources(index: ResourceIndex, facts: ReconcileFacts, now: string): ResourcesReconcileResult {
  const statuses = new Map<string, unknown>()
  const refused: { gate: string; reviewer: string; reason: GateRefusal['reason']; source?: string }[] = []
  // With `only`, the targets are looked up one by one: a reconcile of one object never reads every
  // object of its kind (the server reconciles one key per change). The order is the index's.
  const onlyKeys = facts.only === undefined ? undefined : [...facts.only].map(parseObjectKey).filter((k) => k !== undefined)
  const chosen = (kind: string): readonly IndexedResource[] =>
    onlyKeys === undefined
      ? index.list(kind)
      : onlyKeys
          .filter((k) => k.kind === kind)
          .map((k) => index.get(k.kind, k.namespace, k.name))
          .filter((r): r is IndexedResource => r !== undefined && facts.only!.has(key(r)))
          .sort(compareResources)
  // A resource seen for the first time starts from the status the server sets on create (RESOURCES 0.7).
  const targets = (kind: string): Target[] => chosen(kind).map((r) => ({ ...r, status: r.status ?? initialStatus(kind as StatusKind, r.generation, now) }))
  let requeueAfterMs: number | undefined

  for (const plan of targets('Plan')) {
    const issues = facts.planIssues(plan)
    if (issues === undefined) continue
    const spec = specOf(plan)
    const graph = asObj(spec.graph)
    const declared = typeof spec.graphDigest === 'string' ? spec.graphDigest : undefined
    statuses.set(key(plan), reconcilePlan({
      plan: { spec: { graph: { nodes: Array.isArray(graph.nodes) ? graph.nodes : [] }, ...(declared === undefined ? {} : { graphDigest: declared }) }, status: plan.status as PlanStatus },
      generation: plan.generation,
      validationIssues: issues,
      ...(declared === undefined ? {} : { graphDigestActual: facts.graphDigest(spec.graph) }),
      now,
    }).status)
  }

  for (const [k, status] of reconcileCapabilities(index, targets('Capability'), now)) statuses.set(k, status)

  for (const binding of targets('Binding')) {
    const spec = specOf(binding) as { rules?: unknown }
    // A malformed rule (never admitted by the validator) matches nothing but keeps its index for messages.
    const rules = (Array.isArray(spec.rules) ? (spec.rules as unknown[]) : []).map((rule) => ({ ...asObj(rule), selector: asObj(asObj(rule).selector) }))
    const result = reconcileBinding({ binding: { spec: { ...spec, rules } as never, status: binding.status as never }, namespace: binding.namespace, generation: binding.generation, uses: bindingUses(index, binding), now })
    statuses.set(key(binding), result.status)
  }

  for (const goal of targets('Goal')) {
    const target = { namespace: goal.namespace, name: goal.name }
    const plans: PlanLike[] = index.referrers('Plan', 'goalRef', target).map((p) => ({ metadata: { name: p.name, namespace: p.namespace, ...(metadataOf(p).labels === undefined ? {} : { labels: metadataOf(p).labels as PlanLike['metadata']['labels'] }) }, spec: specOf(p) as PlanLike['spec'] }))
    const executions: GoalExecutionLike[] = index.referrers('Execution', 'goalRef', target).map((e) => {
      const phase = (e.status as ExecutionStatus | undefined)?.phase
      const planRef = specOf(e).planRef as ObjectReferenceLike | undefined
      const created = metadataOf(e).creationTimestamp
      return { name: e.name, ...(phase === undefined ? {} : { phase }), ...(planRef === undefined ? {} : { planRef }), ...(typeof created === 'string' ? { creationTimestamp: created } : {}) }
    })
    const created = metadataOf(goal).creationTimestamp
    const spec = specOf(goal) as { planSelector?: LabelSelectorLike; timeout?: string }
    const result = reconcileGoal({
      goal: { metadata: { name: goal.name, namespace: goal.namespace, ...(typeof created === 'string' ? { creationTimestamp: created } : {}) }, spec, status: goal.status as GoalStatus },
      generation: goal.generation,
      plans,
      executions,
      cancelRequested: cancelRequested(goal, facts),
      now,
      nowMs: Date.parse(now),
    })
    statuses.set(key(goal), result.status)
    if (result.requeueAfterMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, result.requeueAfterMs)
  }

  const gates = targets('Gate')
  const waiting = gates.length === 0 ? new Map() : waitingExecutions(index, facts.changeAuthor)
  for (const gate of gates) {
    const gateKey = key(gate)
    const status = gate.status as GateStatus
    const recorded = new Set((status.reviewHistory ?? []).map((a) => a.source).filter((s): s is string => s !== undefined))
    const actions = (facts.gateActions ?? []).filter((a) => subjectOf('Gate', a.gate.namespace, a.gate.name) === gateKey && !(a.source !== undefined && recorded.has(a.source)))
    const spec = specOf(gate) as { reviewers?: string[]; requiredApprovers?: number }
    const { teams, writers } = facts.reviewers(gate)
    const decided = decideGate({
      gate: { metadata: { generation: gate.generation }, spec: { ...(spec.reviewers === undefined ? {} : { reviewers: spec.reviewers }), ...(spec.requiredApprovers === undefined ? {} : { requiredApprovers: spec.requiredApprovers }) }, status },
      waiting: waiting.get(gateKey) ?? [],
      actions,
      teams,
      ...(writers === undefined ? {} : { writers }),
      now,
    })
    // A targetRef naming nothing is reported; it never decides who is checked (DECISIONS §9).
    const missing = missingTarget(index, gate)
    const condition = missing === undefined ? { type: 'TargetResolved', status: 'True' as const, reason: 'TargetFound' } : { type: 'TargetResolved', status: 'False' as const, reason: 'TargetNotFound', message: missing }
    statuses.set(gateKey, { ...decided.status, conditions: setCondition(decided.status.conditions, { ...condition, observedGeneration: gate.generation }, now) })
    for (const r of decided.refused) refused.push({ gate: gateKey, reviewer: r.reviewer, reason: r.reason, ...(r.source === undefined ? {} : { source: r.source }) })
  }
  return { statuses, refused, ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }) }
}

/**
 * Reconciles capabilities against the phases in the index, the ones reconciled here seeing each
 * other's new phases: passes repeat until no phase changes (at most one pass per capability, so a
 * requirement cycle cannot loop).
 */
function reconcileCapabilities(index: ResourceIndex, capabilities: readonly Target[], now: string): Map<string, CapabilityStatus> {
  const availability = new Map<string, CapabilityAvailability>(index.list('Capability').map((c) => [key(c), { phase: (c.status as CapabilityStatus | undefined)?.phase }]))
  const out = new Map<string, CapabilityStatus>()
  for (let pass = 0; pass <= capabilities.length; pass++) {
    let changed = false
    for (const capability of capabilities) {
      const spec = specOf(capability) as { requirements?: { name: string; namespace?: string; optional?: boolean }[] }
      const result = reconcileCapability({ capability: { metadata: { name: capability.name, namespace: capability.namespace }, spec: { requirements: Array.isArray(spec.requirements) ? spec.requirements : [] }, status: capability.status as CapabilityStatus }, generation: capability.generation, capabilities: availability, now })
      if (availability.get(key(capability))!.phase !== result.status.phase) changed = true
      availability.set(key(capability), { phase: result.status.phase })
      out.set(key(capability), result.status)
    }
    if (!changed) break
  }
  return out
}

/** Whether cancellation of a resource was asked for: its annotation, or a request the shell counted. */
function cancelRequested(resource: IndexedResource, facts: ReconcileFacts): boolean {
  const annotations = asObj(metadataOf(resource).annotations)
  return annotations[CANCEL_ANNOTATION] === 'true' || facts.cancelRequested?.has(key(resource)) === true
}

/**
 * Tells why a Gate's `targetRef` names nothing (`targetRef names Execution "run-9", which does not
 * exist in namespace "team"`), or undefined when the target exists or none is given. Only
 * reported: separation of duties never depends on it (DECISIONS §9).
 */
export function missingTarget(index: ResourceIndex, gate: IndexedResource): string | undefined {
  const target = asObj(specOf(gate).targetRef)
  if (typeof target.kind !== 'string' || typeof target.name !== 'string') return undefined
  const ref = resolveReference({ name: target.name, ...(typeof target.namespace === 'string' ? { namespace: target.namespace } : {}) }, gate.namespace)
  if (index.get(target.kind, ref.namespace, ref.name) !== undefined) return undefined
  return `targetRef names ${target.kind} ${JSON.stringify(ref.name)}, which does not exist in namespace ${JSON.stringify(ref.namespace)}`
}
