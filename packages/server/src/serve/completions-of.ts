import { setCondition, type ExecutionStatus } from '@planspec/core'
import type { StoredResource } from '@planspec/core'
import { COMPLETE_ANNOTATION_PREFIX } from '../server/admit-status.js'

/** Turns a `PlanResolved=False` left by a run that could not start into `True` once it can. */
export function planFound(status: ExecutionStatus, now: string): ExecutionStatus['conditions'] {
  const previous = status.conditions?.find((c) => c.type === 'PlanResolved')
  if (previous === undefined || previous.status === 'True') return status.conditions
  return setCondition(status.conditions, { type: 'PlanResolved', status: 'True', reason: 'PlanFound' }, now)
}

/** The completions recorded for nodes that still wait for a worker (annotations `planspec.io/complete.<node>`). */
export function completionsOf(execution: StoredResource | undefined, status: ExecutionStatus): { node: string; outcome: 'succeeded' | 'failed'; outputs?: Record<string, unknown>; message?: string }[] {
  const done: { node: string; outcome: 'succeeded' | 'failed'; outputs?: Record<string, unknown>; message?: string }[] = []
  for (const [name, value] of Object.entries(execution?.metadata.annotations ?? {})) {
    if (!name.startsWith(COMPLETE_ANNOTATION_PREFIX)) continue
    const node = name.slice(COMPLETE_ANNOTATION_PREFIX.length)
    const waiting = status.nodeStatuses?.[node]
    if (waiting?.phase !== 'Blocked' || waiting.reason !== 'AwaitingClaim') continue
    let record: { outputs?: unknown; failed?: unknown; message?: unknown }
    try {
      record = JSON.parse(value ?? "") as typeof record
    } catch {
      continue
    }
    const outputs = record.outputs !== null && typeof record.outputs === 'object' && !Array.isArray(record.outputs) ? (record.outputs as Record<string, unknown>) : undefined
    done.push({ node, outcome: record.failed === true ? 'failed' : 'succeeded', ...(outputs ? { outputs } : {}), ...(typeof record.message === 'string' ? { message: record.message } : {}) })
  }
  return done
}
