import type { DesiredResource } from '@planspec/git-store'
import type { GitAgentRepo, RequestAction, StatusSnapshot } from '@planspec/agent'
import type { ExecutionStatus, GateStatus } from '@planspec/core'
import type { ClientVerdict } from './resource-types.js'

/** What {@link waitForVerdict} waits for. */
export interface VerdictWait {
  /** The request id (file name without `.yaml`). */
  readonly id: string
  readonly action: RequestAction
  /** The resource the request is about (its kind, name and `kind/namespace/name` subject). */
  readonly item: Pick<DesiredResource, 'kind' | 'name' | 'subject'>
}

/** The agent's verdict on a request, once it has one (the port's `ClientVerdict`). */
export type Verdict = ClientVerdict

/** Tells whether a review-history `source` names the request `id` (`request:ID`, maybe ` via CLIENT`). */
export function sourceNamesRequest(source: string | undefined, id: string): boolean {
  return source === `request:${id}` || (source?.startsWith(`request:${id} `) ?? false)
}

/**
 * Reads the agent's verdict on a request from a status snapshot, or undefined while it has none:
 * a Gate's review history marks an approval or rejection counted or refused (with its reason); a
 * run request refused is listed in the run's `refusedRequests`; a retry or completion counted is
 * in `appliedRequests`, a cancel counted ends the run, a claim counts once judged.
 *
 * @example
 * const verdict = requestVerdict(await repo.readStatus(), { id, action: 'approve', item })
 */
export function requestVerdict(status: StatusSnapshot, wait: VerdictWait): Verdict | undefined {
  const subject = `${wait.item.kind.toLowerCase()}/${wait.item.name}`
  const doc = status.docs.get(wait.item.subject)
  if (doc === undefined) return undefined
  if (wait.action === 'approve' || wait.action === 'reject' || wait.action === 'comment') {
    const entries = ((doc.status as GateStatus).reviewHistory ?? []).filter((entry) => sourceNamesRequest(entry.source, wait.id)) as unknown as (Record<string, unknown> & { counted?: boolean; reason?: string; execution?: { name?: string } })[]
    if (entries.length === 0) return undefined
    const counted = entries.filter((e) => e.counted !== false)
    if (counted.length > 0) return { counted: true, message: `${subject}: ${wait.action} ${wait.action === 'comment' ? 'recorded' : 'counted'}${counted.some((e) => e.execution?.name) ? ` for ${counted.map((e) => e.execution?.name).filter(Boolean).join(', ')}` : ''}; the Gate is ${(doc.status as GateStatus).phase ?? 'Pending'}` }
    const reasons = [...new Set(entries.map((e) => e.reason ?? 'NotCounted'))]
    return { counted: false, reasons, message: `${subject}: ${wait.action} refused: ${reasons.join(', ')}` }
  }
  const run = doc.status as ExecutionStatus
  const refused = doc.refusedRequests?.find((r) => r.id === wait.id)
  if (refused !== undefined) return { counted: false, reasons: [refused.reason], message: `${subject}: ${wait.action} refused: ${refused.reason}` }
  if (wait.action === 'cancel') return run.phase === 'Cancelled' ? { counted: true, message: `${subject}: cancelled` } : undefined
  if (wait.action === 'claim') return { counted: true, message: `${subject}: claim recorded (the first claim of a node that counts holds it)` }
  return doc.appliedRequests?.includes(wait.id) ? { counted: true, message: `${subject}: ${wait.action} applied; the Execution is ${run.phase ?? 'Pending'}` } : undefined
}

/**
 * Waits until the agent has judged a request (polling the status branch every `pollMs`, default
 * one second) and returns its verdict; undefined when none came within `waitMs` or `signal`
 * aborted.
 *
 * @example
 * const verdict = await waitForVerdict(repo, { id, action, item }, { waitMs: 120_000 })
 */
export async function waitForVerdict(repo: Pick<GitAgentRepo, 'readStatus'>, wait: VerdictWait, options: { readonly waitMs: number; readonly signal?: AbortSignal; readonly pollMs?: number }): Promise<Verdict | undefined> {
  const deadline = Date.now() + options.waitMs
  for (;;) {
    const verdict = requestVerdict(await repo.readStatus(), wait)
    if (verdict !== undefined) return verdict
    if (Date.now() >= deadline || options.signal?.aborted) return undefined
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000))
  }
}
