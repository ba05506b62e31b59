import type { StoredResource } from '@planspec/core'
import { RETRY_ANNOTATION, RETRY_NODES_ANNOTATION } from '../server/admit-status.js'

/**
 * Execution status extension remembering the `planspec.io/retry` request (its annotation value)
 * that a run already applied, so that one request re-opens a Failed run exactly once.
 */
export const RETRY_APPLIED_KEY = 'io.planspec.retryApplied'

/** A retry request not applied yet: the annotation value and the nodes to re-open (all failed ones when absent). */
export interface RetryRequest {
  readonly value: string
  readonly nodes?: readonly string[]
}

/**
 * Returns the retry requested on a Failed Execution (`POST .../retry` sets the annotations) that
 * its status does not record as applied yet, or undefined. Pure.
 *
 * @example
 * pendingRetry(execution) // { value: '2026-01-01T00:00:00.000Z', nodes: ['build'] }
 */
export function pendingRetry(execution: StoredResource): RetryRequest | undefined {
  const annotations = execution.metadata.annotations ?? {}
  const value = annotations[RETRY_ANNOTATION]
  const status = execution.status as { phase?: string; extensions?: Record<string, unknown> } | undefined
  if (value === undefined || value === '' || status?.phase !== 'Failed' || status.extensions?.[RETRY_APPLIED_KEY] === value) return undefined
  const nodes = (annotations[RETRY_NODES_ANNOTATION] ?? '').split(',').map((node) => node.trim()).filter((node) => node !== '')
  return { value, ...(nodes.length === 0 ? {} : { nodes }) }
}
