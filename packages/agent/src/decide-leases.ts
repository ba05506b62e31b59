import type { DesiredResource } from '@planspec/git-store'
import type { ExecutionStatus, Lease } from '@planspec/core'
import { liveLeaseHolder, releasedLease, takeLease } from '@planspec/git-store'
import type { AgentRequest, StatusDoc, StatusSnapshot } from './types.js'

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
 * Decides lease changes with git-store's lease decisions (the one lease implementation): take the
 * lease of every unfinished Execution that nobody else holds live (at most `maxNew` new ones;
 * `takeLease` grows the epoch), renew its own once a third of it is gone, keep away from live
 * leases of others, release (expire now, `releasedLease`) the leases of finished runs. A Failed
 * Execution with an unapplied retry request counts as unfinished. Pure: the status writer commits
 * the leases with compare-and-swap on the head they were decided on.
 */
export function decideLeases(executions: readonly DesiredResource[], status: StatusSnapshot, holder: string, nowMs: number, leaseMs: number, maxNew = Number.POSITIVE_INFINITY): Map<string, Lease> {
  const changes = new Map<string, Lease>()
  let taken = 0
  for (const execution of executions) {
    const lease = status.leases.get(execution.subject)
    const doc = status.docs.get(execution.subject)
    const phase = (doc?.status as ExecutionStatus | undefined)?.phase
    const retry = pendingRetry(execution, status, doc)
    const finished = phase !== undefined && TERMINAL.has(phase) && retry === undefined
    const owner = liveLeaseHolder(lease, nowMs)
    if (finished) {
      const released = releasedLease(lease, holder, nowMs)
      if (released !== undefined) changes.set(execution.subject, released)
      continue
    }
    if (owner !== undefined && owner !== holder) continue
    const request = { namespace: execution.namespace, name: execution.name, holder }
    if (owner === undefined) {
      // Taking back one's own expired lease does not count as a new one.
      const fresh = lease?.holder !== holder
      if (fresh && taken >= maxNew) continue
      if (fresh) taken++
      changes.set(execution.subject, takeLease(lease, request, nowMs, leaseMs))
    } else if (Date.parse(lease!.expiresAt) - nowMs < (leaseMs * 2) / 3) {
      // Renew when a third of the lease is gone: fewer commits than renewing every round.
      changes.set(execution.subject, takeLease(lease, request, nowMs, leaseMs))
    }
  }
  return changes
}

/** The newest retry request for an Execution not yet applied to its run. */
export function pendingRetry(execution: DesiredResource, status: StatusSnapshot, doc: StatusDoc | undefined): AgentRequest | undefined {
  const applied = new Set(doc?.appliedRequests ?? [])
  return status.requests.filter((r) => r.action === 'retry' && matches(r, execution) && !applied.has(r.id)).at(-1)
}

export function matches(request: AgentRequest, item: { kind: string; namespace: string; name: string }): boolean {
  return request.target.kind === item.kind && request.target.namespace === item.namespace && request.target.name === item.name
}

