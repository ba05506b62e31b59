import { resolveCapabilityUse, type BindingLike } from '../binding-resolution.js'
import { setCondition } from '../conditions.js'
import type { LabelsLike } from '../label-selector.js'
import type { BindingStatus, UnboundCapability } from '../model/generated.js'
import { truncateText } from './internal/truncate-text.js'

/** One capability use the Binding must serve: (plan, Task node, capability), and whether it is optional. */
export interface BindingUse {
  readonly plan: { readonly name: string; readonly namespace: string; readonly labels?: LabelsLike }
  readonly nodeId: string
  /** The capability as the Task references it, namespace already resolved against the Plan. */
  readonly capability: { readonly name: string; readonly namespace: string }
  /** An optional use never makes the Binding `Unresolved` when it has no rule. */
  readonly optional?: boolean
}

/** What {@link reconcileBinding} observes. */
export interface BindingObservation {
  readonly binding: BindingLike & { readonly status?: BindingStatus }
  /** Namespace of the Binding; selector references without a namespace default to it. */
  readonly namespace: string
  /** `metadata.generation` of the binding; written to every `observedGeneration`. */
  readonly generation: number
  /** Every capability use in scope (the Task nodes of the plans that use this Binding), found by the shell. */
  readonly uses: readonly BindingUse[]
  /** RFC 3339 time used for condition transitions. */
  readonly now: string
}

/** The outcome of {@link reconcileBinding}. */
export interface BindingReconcileResult {
  readonly status: BindingStatus
}

/** The schema's limit on `status.unboundCapabilities` (RESOURCES 4.5); further entries are counted, not listed. */
export const UNBOUND_CAPABILITIES_MAX = 1000

/**
 * Reconciles a Binding's status (RESOURCES 4.4, 4.5; DECISIONS §8 "Binding status"). Every use is
 * resolved with `resolveCapabilityUse`; `totalCount` counts the uses, `boundCount` the bound ones,
 * and each other use is listed in `unboundCapabilities` (at most {@link UNBOUND_CAPABILITIES_MAX},
 * in input order) with reason `NoMatchingRule` or `Conflict` (a tie under `ErrorOnConflict`).
 *
 * Phase and `Resolved` condition:
 * - `Ready`, `Resolved=True` reason `AllBound`: every use is bound (also when there are no uses).
 * - `Unresolved`, `Resolved=False` reason `Conflict`: any use, optional or not, is in conflict.
 * - `Unresolved`, `Resolved=False` reason `RequiredUnbound`: a required use has no rule.
 * - `PartiallyBound`, `Resolved=False` reason `OptionalUnbound`: only optional uses are unbound.
 *
 * Level-based and idempotent; other condition types are kept.
 *
 * @example
 * ```ts
 * reconcileBinding({ binding, namespace: 'finance', generation: 1, uses, now }).status
 * // { phase: 'PartiallyBound', totalCount: 3, boundCount: 2, unboundCapabilities: [{ capabilityRef: …, nodeId: 'notify', reason: 'NoMatchingRule', … }], … }
 * ```
 */
export function reconcileBinding(observation: BindingObservation): BindingReconcileResult {
  const { binding, namespace, generation, uses, now } = observation
  const unbound: UnboundCapability[] = []
  let boundCount = 0
  let conflicts = 0
  let requiredUnbound = 0
  for (const use of uses) {
    const resolution = resolveCapabilityUse({ binding, bindingNamespace: namespace, ...use })
    if (resolution.outcome === 'bound') {
      boundCount += 1
      continue
    }
    const capabilityRef = { name: use.capability.name, namespace: use.capability.namespace }
    const subject = `${use.capability.namespace}/${use.capability.name} in plan ${use.plan.namespace}/${use.plan.name}, node ${use.nodeId}`
    let message: string
    if (resolution.outcome === 'conflict') {
      conflicts += 1
      const rules = resolution.ruleIndexes.map((index) => `spec.rules[${index}]`).join(', ')
      message = `${subject}: rules tie under ErrorOnConflict: ${rules}`
    } else {
      if (use.optional !== true) requiredUnbound += 1
      message = `${subject}: no rule matches${use.optional === true ? ' (optional)' : ''}`
    }
    if (unbound.length < UNBOUND_CAPABILITIES_MAX) {
      unbound.push({ capabilityRef, nodeId: use.nodeId, reason: resolution.reason, message: truncateText(message, 1024) })
    }
  }

  const unboundCount = uses.length - boundCount
  let phase: NonNullable<BindingStatus['phase']>
  let update
  if (unboundCount === 0) {
    phase = 'Ready'
    update = { status: 'True', reason: 'AllBound', message: `All ${uses.length} capability uses are bound` } as const
  } else if (conflicts > 0 || requiredUnbound > 0) {
    phase = 'Unresolved'
    const message = `${unboundCount} of ${uses.length} capability uses are unbound (${requiredUnbound} required without a rule, ${conflicts} in conflict)`
    update = { status: 'False', reason: conflicts > 0 ? 'Conflict' : 'RequiredUnbound', message } as const
  } else {
    phase = 'PartiallyBound'
    const message = `${unboundCount} of ${uses.length} capability uses are unbound, all optional`
    update = { status: 'False', reason: 'OptionalUnbound', message } as const
  }

  const conditions = setCondition(binding.status?.conditions, { type: 'Resolved', ...update, observedGeneration: generation }, now)
  return {
    status: {
      phase,
      totalCount: uses.length,
      boundCount,
      unboundCapabilities: unbound,
      conditions,
      observedGeneration: generation,
    },
  }
}
