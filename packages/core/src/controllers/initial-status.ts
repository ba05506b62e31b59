import { setCondition, type ConditionUpdate } from '../conditions.js'
import type {
  BindingStatus,
  CapabilityStatus,
  ExecutionStatus,
  GateStatus,
  GoalStatus,
  PlanStatus,
} from '../model/generated.js'

/** The status type of each of the six core kinds, by kind name. */
export interface StatusByKind {
  readonly Goal: GoalStatus
  readonly Plan: PlanStatus
  readonly Execution: ExecutionStatus
  readonly Capability: CapabilityStatus
  readonly Binding: BindingStatus
  readonly Gate: GateStatus
}

/** One of the six core kinds that carry a status. */
export type StatusKind = keyof StatusByKind

type InitialRow = { readonly phase: string; readonly condition: Omit<ConditionUpdate, 'observedGeneration'> }

/** RESOURCES 0.7, table "Initial status set by the server on create". */
const INITIAL: { readonly [K in StatusKind]: InitialRow & { readonly phase: NonNullable<StatusByKind[K]['phase']> } } = {
  Goal: {
    phase: 'Pending',
    condition: { type: 'Accepted', status: 'True', reason: 'GoalCreated', message: 'The goal was accepted' },
  },
  Plan: {
    phase: 'Ready',
    condition: { type: 'Valid', status: 'True', reason: 'SchemaValid', message: 'The plan passed validation' },
  },
  Execution: {
    phase: 'Pending',
    condition: { type: 'Accepted', status: 'True', reason: 'ExecutionCreated', message: 'The execution was accepted' },
  },
  Capability: {
    phase: 'Available',
    condition: { type: 'Available', status: 'True', reason: 'CapabilityRegistered', message: 'The capability is registered' },
  },
  Binding: {
    phase: 'Unresolved',
    condition: { type: 'Resolved', status: 'False', reason: 'BindingCreated', message: 'Resolution has not run yet' },
  },
  Gate: {
    phase: 'Pending',
    condition: { type: 'Ready', status: 'False', reason: 'GateCreated', message: 'Waiting for an Execution to reach the gate' },
  },
}

/**
 * Returns the status the server sets when an object of `kind` is created (RESOURCES 0.7): the
 * initial phase, its one initial condition (with `message`, `lastTransitionTime = now` and
 * `observedGeneration`), and `status.observedGeneration = generation`.
 *
 * A Plan starts `Ready` with `Valid=True`, which only holds for a plan that passed validation
 * (admission rejects invalid plans); its `nodeCount` is written by `reconcilePlan`, which the
 * caller runs right after. Pure: the same arguments always give an equal status.
 *
 * @example
 * ```ts
 * initialStatus('Gate', 1, '2025-03-01T12:00:00Z')
 * // { phase: 'Pending', observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False',
 * //   reason: 'GateCreated', message: '…', lastTransitionTime: '2025-03-01T12:00:00Z', observedGeneration: 1 }] }
 * ```
 */
export function initialStatus<K extends StatusKind>(kind: K, generation: number, now: string): StatusByKind[K] {
  const row: InitialRow = INITIAL[kind]
  const conditions = setCondition([], { ...row.condition, observedGeneration: generation }, now)
  return { phase: row.phase, observedGeneration: generation, conditions } as StatusByKind[K]
}
