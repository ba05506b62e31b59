import { resolveReference } from '../../reference.js'
import { findResource, type ResourceIndex } from './index-resources.js'
import { asObject, asString, specOf } from './read-value.js'
import type { ReviewResourceLike } from '../review-types.js'

/**
 * Finds the Plan an Execution runs: `spec.planRef`, its namespace defaulting to the Execution's.
 * Returns undefined when the reference is missing or malformed, or the Plan is not in the set.
 */
export function planOfExecution(execution: ReviewResourceLike, index: ResourceIndex): ReviewResourceLike | undefined {
  const ref = planRefOf(execution)
  return ref === undefined ? undefined : findResource(index, 'Plan', ref.namespace, ref.name)
}

/** Reads an Execution's `spec.planRef` with its namespace resolved, or undefined when malformed. */
export function planRefOf(execution: ReviewResourceLike): { name: string; namespace: string } | undefined {
  const ref = asObject(specOf(execution.value).planRef)
  const name = asString(ref?.name)
  return name === undefined ? undefined : resolveReference({ name, namespace: asString(ref?.namespace) }, execution.namespace)
}
