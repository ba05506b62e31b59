import { findCondition, RECONCILED_KINDS, reconcileResources, subjectOf, type Diagnostic, type PlanStatus, type StoredResource } from '@planspec/core'
import { graphDigest } from '@planspec/validator'
import type { StoreTransaction } from '../store/api-store.js'
import { CREATED_BY_ANNOTATION } from '../server/write-object.js'
import { gateReviewers, type GateDeps } from '../server/gate-review.js'
import { transactionIndex } from './transaction-index.js'

/** What a reconcile needs besides the transaction. */
export interface ReconcileDeps extends Omit<GateDeps, 'now'> {
  /** A Plan's validation errors for one generation, computed off the event loop before the reconcile (see {@link planNeedsValidation}). */
  readonly planIssues?: { readonly uid: string | undefined; readonly generation: number; readonly issues: readonly Diagnostic[] }
  /** RFC 3339 time of this round. */
  readonly now: string
}

/** The status a reconcile wants, and when to look again (a Goal's timeout). */
export interface Desired {
  readonly status: unknown
  readonly requeueAfterMs?: number
}

/** The kinds the in-process controllers reconcile (core's {@link RECONCILED_KINDS}). */
export const RECONCILED: ReadonlySet<string> = new Set(RECONCILED_KINDS)

const generationOf = (object: StoredResource): number => object.metadata.generation ?? 1

/**
 * Tells whether a Plan's validity must be computed (its generation was not reconciled yet: the
 * verdict depends on the spec alone). The controllers then validate it in the validation workers
 * and hand the result to {@link reconcileObject} as `planIssues`.
 */
export function planNeedsValidation(object: StoredResource): boolean {
  const status = object.status as PlanStatus | undefined
  const generation = generationOf(object)
  return !(status?.observedGeneration === generation && status.nodeCount !== undefined && findCondition(status.conditions, 'Valid')?.observedGeneration === generation)
}

/**
 * Reconciles one stored object with core's `reconcileResources` over the transaction (the same
 * read side as git mode): returns the status it should have, or undefined when it is not
 * reconciled here (an Execution, or a Plan whose findings for this generation are not known).
 * Team members and writers of a Gate come from the tokens and RBAC; an Execution's change author
 * is its creator (`planspec.io/created-by`).
 */
export function reconcileObject(tx: StoreTransaction, object: StoredResource, deps: ReconcileDeps): Desired | undefined {
  if (!RECONCILED.has(object.kind)) return undefined
  const namespace = object.metadata.namespace ?? 'default'
  const key = subjectOf(object.kind, namespace, object.metadata.name)
  const issues = deps.planIssues
  const result = reconcileResources(
    transactionIndex(tx),
    {
      // Validated for another version of the Plan: the change that made it re-queues it.
      planIssues: () => (planNeedsValidation(object) && issues !== undefined && issues.generation === generationOf(object) && issues.uid === object.metadata.uid ? issues.issues : undefined),
      graphDigest,
      reviewers: (gate) => gateReviewers(gate.namespace, gate.name, (gate.object.spec ?? {}) as { reviewers?: string[] }, deps),
      changeAuthor: (execution) => ((execution.object.metadata as { annotations?: Record<string, string> }).annotations ?? {})[CREATED_BY_ANNOTATION],
      only: new Set([key]),
    },
    deps.now,
  )
  const status = result.statuses.get(key)
  if (status === undefined) return undefined
  return { status, ...(result.requeueAfterMs === undefined ? {} : { requeueAfterMs: result.requeueAfterMs }) }
}
