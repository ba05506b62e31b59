import type { ExecutionStatus } from '@planspec/core'
import type { AgentRequest, DesiredItem, Lease, StatusDoc, StatusSnapshot } from './types.js'

/** Which Executions this agent takes: a namespace, and a shard `index/count` by namespace hash. */
export interface AgentScope {
  readonly namespace?: string
  readonly shard?: { readonly index: number; readonly count: number }
}

/** Whether a namespace is this agent's: `--namespace`, then `--shard I/N` by a stable hash. */
export function inScope(namespace: string, scope: AgentScope | undefined): boolean {
  if (scope?.namespace !== undefined && scope.namespace !== namespace) return false
  if (scope?.shard === undefined) return true
  let hash = 0x811c9dc5
  for (let i = 0; i < namespace.length; i++) hash = Math.imul(hash ^ namespace.charCodeAt(i), 0x01000193) >>> 0
  return hash % scope.shard.count === scope.shard.index
}

/** Phases an Execution never leaves (except through `retry`). */
export const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])

/**
 * Decides lease changes: take or renew the lease of every unfinished Execution that nobody else
 * holds live (at most `maxNew` new ones), keep away from live leases of others, release leases
 * of finished runs. A Failed Execution with an unapplied retry request counts as unfinished.
 */
export function decideLeases(executions: readonly DesiredItem[], status: StatusSnapshot, holder: string, nowMs: number, leaseMs: number, maxNew = Number.POSITIVE_INFINITY): Map<string, Lease | null> {
  const changes = new Map<string, Lease | null>()
  let taken = 0
  for (const execution of executions) {
    const lease = status.leases.get(execution.subject)
    const doc = status.docs.get(execution.subject)
    const phase = (doc?.status as ExecutionStatus | undefined)?.phase
    const retry = pendingRetry(execution, status, doc)
    const finished = phase !== undefined && TERMINAL.has(phase) && retry === undefined
    const mine = lease?.holder === holder
    const free = lease === undefined || lease.expiresAt <= nowMs
    if (finished) {
      if (mine) changes.set(execution.subject, null)
      continue
    }
    // Renew when a third of the lease is gone: fewer commits than renewing every round.
    if (free && !mine && taken >= maxNew) continue
    if (free && !mine) taken++
    if (free || (mine && lease.expiresAt - nowMs < (leaseMs * 2) / 3)) changes.set(execution.subject, { holder, expiresAt: nowMs + leaseMs })
  }
  return changes
}

/** The newest retry request for an Execution not yet applied to its run. */
export function pendingRetry(execution: DesiredItem, status: StatusSnapshot, doc: StatusDoc | undefined): AgentRequest | undefined {
  const applied = new Set(doc?.appliedRequests ?? [])
  return status.requests.filter((r) => r.action === 'retry' && matches(r, execution) && !applied.has(r.id)).at(-1)
}

export function matches(request: AgentRequest, item: { kind: string; namespace: string; name: string }): boolean {
  return request.target.kind === item.kind && request.target.namespace === item.namespace && request.target.name === item.name
}

