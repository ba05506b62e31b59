import {
  decideGate,
  findCondition,
  setCondition,
  matchesLabels,
  reconcileBinding,
  reconcileCapability,
  reconcileGoal,
  reconcilePlan,
  referenceKey,
  resolveReference,
  type BindingLike,
  type BindingUse,
  type CapabilityAvailability,
  type CapabilityStatus,
  type GateStatus,
  type GoalExecutionLike,
  type GoalStatus,
  type LabelsLike,
  type ObjectReferenceLike,
  type PlanLike,
  type PlanStatus,
} from '@planspec/core'
import type { StoredResource } from '@planspec/engine'
import { graphDigest } from '@planspec/validator'
import type { Diagnostic } from '@planspec/core'
import type { StoreTransaction } from '../store/api-store.js'
import { CANCEL_ANNOTATION } from '../server/admit-status.js'
import { gatePolicy, missingTarget, type GateDeps } from '../server/gate-review.js'

/** What a reconciler needs besides the transaction. */
export interface ReconcileDeps extends Omit<GateDeps, 'now'> {
  /** A Plan's validation errors for one generation, computed off the event loop before the reconcile (see {@link planNeedsValidation}). */
  readonly planIssues?: { readonly uid: string | undefined; readonly generation: number; readonly issues: readonly Diagnostic[] }
  /** RFC 3339 time of this round. */
  readonly now: string
}

/** The status a reconciler wants, and when to look again (a Goal's timeout). */
export interface Desired {
  readonly status: unknown
  readonly requeueAfterMs?: number
}

type Reconciler = (tx: StoreTransaction, object: StoredResource, deps: ReconcileDeps) => Desired | undefined

interface TaskNode {
  readonly id: string
  readonly kind: string
  readonly capabilityRefs?: readonly ObjectReferenceLike[]
}
interface PlanSpecLike {
  readonly graph?: { readonly nodes?: readonly TaskNode[] }
}
interface ExecutionSpecLike {
  readonly goalRef?: ObjectReferenceLike
  readonly planRef?: ObjectReferenceLike
  readonly bindingRef?: ObjectReferenceLike
  readonly nodeBindings?: Readonly<Record<string, ObjectReferenceLike | undefined>>
}

const namespaceOf = (object: StoredResource): string => object.metadata.namespace ?? 'default'
const generationOf = (object: StoredResource): number => object.metadata.generation ?? 1

/**
 * Tells whether a Plan's validity must be computed (its generation was not reconciled yet: the
 * verdict depends on the spec alone). The controllers then validate it in the validation workers
 * and hand the result to the Plan reconciler as `planIssues`.
 */
export function planNeedsValidation(object: StoredResource): boolean {
  const status = object.status as PlanStatus | undefined
  const generation = generationOf(object)
  return !(status?.observedGeneration === generation && status.nodeCount !== undefined && findCondition(status.conditions, 'Valid')?.observedGeneration === generation)
}

/** Plan: validity from the validator's findings (`planIssues`, for this very generation) and the graph digest. */
const plan: Reconciler = (_tx, object, deps) => {
  const status = object.status as PlanStatus | undefined
  const generation = generationOf(object)
  if (!planNeedsValidation(object)) return undefined
  // Validated for another version of the Plan: the change that made it re-queues it.
  if (deps.planIssues === undefined || deps.planIssues.generation !== generation || deps.planIssues.uid !== object.metadata.uid) return undefined
  const spec = object.spec as { graph: { nodes: unknown[] }; graphDigest?: string }
  return reconcilePlan({ plan: { spec, ...(status === undefined ? {} : { status }) }, generation, validationIssues: deps.planIssues.issues, graphDigestActual: graphDigest(spec.graph), now: deps.now })
}

/** Capability: its required capabilities must exist and be available (any namespace). */
const capability: Reconciler = (tx, object, deps) => {
  const capabilities = new Map<string, CapabilityAvailability>(
    tx.list('Capability').map((c) => [referenceKey('Capability', namespaceOf(c), c.metadata.name), { phase: (c.status as CapabilityStatus | undefined)?.phase }]),
  )
  const target = { metadata: object.metadata, spec: (object.spec ?? {}) as { requirements?: { name: string; namespace?: string; optional?: boolean }[] }, status: object.status as CapabilityStatus | undefined }
  return reconcileCapability({ capability: target, generation: generationOf(object), capabilities, now: deps.now })
}

/** Binding: the capability uses of the Plans it serves (named by its rules, matched by its labels, or run with it by an Execution). */
const binding: Reconciler = (tx, object, deps) => {
  const namespace = namespaceOf(object)
  const spec = object.spec as BindingLike['spec']
  const plans = tx.list('Plan', namespace)
  const named = new Set<string>()
  for (const rule of spec.rules) {
    if (rule.selector.planRef !== undefined) named.add(resolveReference(rule.selector.planRef, namespace).name)
    if (rule.selector.matchLabels !== undefined) for (const p of plans) if (matchesLabels(rule.selector.matchLabels, p.metadata.labels)) named.add(p.metadata.name)
  }
  for (const execution of tx.list('Execution', namespace)) {
    const e = (execution.spec ?? {}) as ExecutionSpecLike
    const refs = [e.bindingRef, ...Object.values(e.nodeBindings ?? {})]
    if (e.planRef !== undefined && refs.some((ref) => ref !== undefined && ref.name === object.metadata.name && (ref.namespace ?? namespace) === namespace)) named.add(e.planRef.name)
  }
  const uses: BindingUse[] = plans
    .filter((p) => named.has(p.metadata.name))
    .flatMap((p) =>
      ((p.spec as PlanSpecLike).graph?.nodes ?? [])
        .filter((node) => node.kind === 'Task')
        .flatMap((node) =>
          (node.capabilityRefs ?? []).map((ref) => ({
            plan: { name: p.metadata.name, namespace, ...(p.metadata.labels === undefined ? {} : { labels: p.metadata.labels as LabelsLike }) },
            nodeId: node.id,
            capability: resolveReference(ref, namespace),
          })),
        ),
    )
  return reconcileBinding({ binding: { spec, status: object.status as never }, namespace, generation: generationOf(object), uses, now: deps.now })
}

/** Goal: plan selection over every Plan, the Executions that serve it, cancellation and the timeout. */
const goal: Reconciler = (tx, object, deps) => {
  const namespace = namespaceOf(object)
  const executions: GoalExecutionLike[] = tx
    .list('Execution', namespace)
    .filter((e) => {
      const ref = ((e.spec ?? {}) as ExecutionSpecLike).goalRef
      return ref !== undefined && ref.name === object.metadata.name && (ref.namespace ?? namespace) === namespace
    })
    .map((e) => ({
      name: e.metadata.name,
      ...((e.status as { phase?: GoalExecutionLike['phase'] } | undefined)?.phase === undefined ? {} : { phase: (e.status as { phase: GoalExecutionLike['phase'] }).phase }),
      ...(((e.spec ?? {}) as ExecutionSpecLike).planRef === undefined ? {} : { planRef: ((e.spec ?? {}) as ExecutionSpecLike).planRef! }),
      ...(e.metadata.creationTimestamp === undefined ? {} : { creationTimestamp: e.metadata.creationTimestamp }),
    }))
  const plans = tx.list('Plan') as unknown as PlanLike[]
  const target = { metadata: object.metadata, spec: (object.spec ?? {}) as { planSelector?: never; timeout?: string }, status: object.status as GoalStatus | undefined }
  return reconcileGoal({
    goal: target,
    generation: generationOf(object),
    plans,
    executions,
    cancelRequested: object.metadata.annotations?.[CANCEL_ANNOTATION] === 'true',
    now: deps.now,
    nowMs: Date.parse(deps.now),
  })
}

/** Gate: level-based decision over the recorded history (activation, stale decisions after a spec change). */
const gate: Reconciler = (tx, object, deps) => {
  const decided = decideGate({
    gate: { metadata: { generation: generationOf(object) }, spec: (object.spec ?? {}) as { reviewers?: string[]; requiredApprovers?: number }, status: (object.status ?? {}) as GateStatus },
    ...gatePolicy(tx, object, deps),
    actions: [],
    now: deps.now,
  })
  // A targetRef naming nothing is reported; it never decides who is checked (DECISIONS §9).
  const missing = missingTarget(tx, object)
  const target = missing === undefined ? { type: 'TargetResolved', status: 'True' as const, reason: 'TargetFound' } : { type: 'TargetResolved', status: 'False' as const, reason: 'TargetNotFound', message: missing }
  return { status: { ...decided.status, conditions: setCondition(decided.status.conditions, { ...target, observedGeneration: generationOf(object) }, deps.now) } }
}

/** The reconciler of each kind the in-process controllers manage. */
export const RECONCILERS: Readonly<Record<string, Reconciler>> = { Plan: plan, Capability: capability, Binding: binding, Goal: goal, Gate: gate }
