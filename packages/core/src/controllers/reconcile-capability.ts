import { setCondition } from '../conditions.js'
import type { CapabilityStatus } from '../model/generated.js'
import { namespaceOf, resolveReference, type ResolvedReference } from '../reference.js'
import { subjectOf } from '../object-key.js'

/** The fields of a Capability that {@link reconcileCapability} reads. */
export interface CapabilityReconcileTarget {
  readonly metadata: { readonly name: string; readonly namespace?: string }
  readonly spec: {
    readonly requirements?: readonly { readonly name: string; readonly namespace?: string; readonly optional?: boolean }[]
  }
  readonly status?: CapabilityStatus
}

/** What {@link reconcileCapability} knows about another capability: its current phase, if any. */
export interface CapabilityAvailability {
  readonly phase?: CapabilityStatus['phase']
}

/** What {@link reconcileCapability} observes. */
export interface CapabilityObservation {
  readonly capability: CapabilityReconcileTarget
  /** `metadata.generation` of the capability; written to every `observedGeneration`. */
  readonly generation: number
  /**
   * The capabilities that exist, keyed by `subjectOf('Capability', namespace, name)`. An entry
   * without a phase counts as `Available` (the initial phase); `Deprecated` still counts as usable.
   */
  readonly capabilities: ReadonlyMap<string, CapabilityAvailability>
  /** RFC 3339 time used for condition transitions. */
  readonly now: string
}

/** The outcome of {@link reconcileCapability}. */
export interface CapabilityReconcileResult {
  readonly status: CapabilityStatus
  /** Non-optional requirements that are missing or `Unavailable`, in declaration order. */
  readonly missing: readonly ResolvedReference[]
}

/** Used when a status says `Deprecated` but names neither a replacement nor a message (RESOURCES 3.4 rule). */
export const DEFAULT_DEPRECATION_MESSAGE = 'This capability is deprecated; no replacement was named'

/**
 * Reconciles a Capability's status (RESOURCES 3.3, 3.4): `Available` with `Available=True`
 * (reason `CapabilityRegistered`) when every non-optional requirement exists and is not
 * `Unavailable`; otherwise `Unavailable` with `Available=False`, reason `RequirementUnavailable`,
 * naming the missing ones as `namespace/name`. Requirement namespaces default to the capability's
 * own. Optional requirements never block.
 *
 * A status already `Deprecated` stays `Deprecated` (upstream defines no way out) and keeps its
 * `replacement` and `deprecationMessage`; if both are absent, {@link DEFAULT_DEPRECATION_MESSAGE}
 * is written so the deprecation rule holds. Its `Available` condition still reports the
 * requirements. Level-based and idempotent.
 *
 * @example
 * ```ts
 * reconcileCapability({ capability, generation: 1, capabilities: new Map(), now }).status.phase
 * // 'Unavailable' when `capability` requires a capability that is not in the map
 * ```
 */
export function reconcileCapability(observation: CapabilityObservation): CapabilityReconcileResult {
  const { capability, generation, capabilities, now } = observation
  const namespace = namespaceOf(capability.metadata)
  const missing = (capability.spec.requirements ?? [])
    .filter((requirement) => requirement.optional !== true)
    .map((requirement) => resolveReference(requirement, namespace))
    .filter((ref) => {
      const entry = capabilities.get(subjectOf('Capability', ref.namespace, ref.name))
      return entry === undefined || entry.phase === 'Unavailable'
    })

  const update =
    missing.length === 0
      ? ({ status: 'True', reason: 'CapabilityRegistered', message: 'Every required capability is available' } as const)
      : ({
          status: 'False',
          reason: 'RequirementUnavailable',
          message: `Required capabilities unavailable: ${missing.map((ref) => `${ref.namespace}/${ref.name}`).join(', ')}`,
        } as const)
  const conditions = setCondition(capability.status?.conditions, { type: 'Available', ...update, observedGeneration: generation }, now)

  const previous = capability.status
  if (previous?.phase === 'Deprecated') {
    const hasReason = previous.replacement !== undefined || previous.deprecationMessage !== undefined
    return {
      status: {
        phase: 'Deprecated',
        conditions,
        observedGeneration: generation,
        ...(previous.replacement === undefined ? {} : { replacement: previous.replacement }),
        ...(previous.deprecationMessage === undefined ? {} : { deprecationMessage: previous.deprecationMessage }),
        ...(hasReason ? {} : { deprecationMessage: DEFAULT_DEPRECATION_MESSAGE }),
      },
      missing,
    }
  }
  return { status: { phase: missing.length === 0 ? 'Available' : 'Unavailable', conditions, observedGeneration: generation }, missing }
}
