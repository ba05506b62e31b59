import type { DesiredResource, DesiredState } from '@planspec/git-store'
import { findCondition, subjectOf, setCondition, type Condition, type ExecutionStatus } from '@planspec/core'
import { liveLeaseHolder } from '@planspec/git-store'
import type { StatusWriter } from './status-writer.js'
import type { RefusedRequest } from './sync-once.js'
import type { AgentRequest, StatusDoc, StatusSnapshot, TamperedFile } from './types.js'

/** Codes of refused tree entries and files (THREATS T6, T7, T10): links, unsafe paths, submodules, deep trees, oversize, deep nesting, alias bombs, too many documents, binary. */
const REFUSAL_CODES: ReadonlySet<string> = new Set(['PS7001', 'PS7002', 'PS7003', 'PS7007', 'PS1002', 'PS1004', 'PS1006', 'PS1007', 'PS1009'])

/** The refused entries of a new revision, one per file and code. */
export function refusedEntries(desired: DesiredState): { file: string; code: string; message: string }[] {
  const seen = new Map<string, { file: string; code: string; message: string }>()
  for (const d of desired.diagnostics) if (REFUSAL_CODES.has(d.code) && d.file !== undefined && !seen.has(`${d.file}\0${d.code}`)) seen.set(`${d.file}\0${d.code}`, { file: d.file, code: d.code, message: d.message })
  return [...seen.values()]
}

/**
 * `SourceValid` for resources other than Executions: False (reason `LastKnownGood`, the file and
 * first problem in the message) while the current version of their file is invalid or refused and
 * the last good version is in effect; back to True once it is fixed.
 */
export function sourceConditions(items: readonly DesiredResource[], status: StatusSnapshot, now: string): Map<string, Condition> {
  const conditions = new Map<string, Condition>()
  for (const item of items) {
    if (item.kind === 'Execution') continue
    const previous = (status.docs.get(item.subject)?.status as { conditions?: Condition[] } | undefined)?.conditions
    const known = findCondition(previous, SOURCE_VALID)
    if (!item.lastKnownGood && known === undefined) continue
    const update = !item.lastKnownGood ? { type: SOURCE_VALID, status: 'True' as const, reason: 'Valid', message: `${item.file} is valid again` } : { type: SOURCE_VALID, status: 'False' as const, reason: 'LastKnownGood', message: item.condition.message || `${item.file} is not valid; the last valid version stays in effect` }
    conditions.set(item.subject, setCondition(previous, update, now).find((c) => c.type === SOURCE_VALID)!)
  }
  return conditions
}
const SOURCE_VALID = 'SourceValid'

/** The condition type a resource carries when its status file was changed by someone not an agent. */
export const TAMPERED = 'StatusTampered'

/** `StatusTampered=True` per resource whose status file a non-agent changed (the first commit named). */
export function tamperedConditions(tampered: readonly TamperedFile[], status: StatusSnapshot, now: string): Map<string, Condition> {
  const conditions = new Map<string, Condition>()
  for (const file of tampered) {
    if (file.subject === undefined || conditions.has(file.subject)) continue
    const message = `${file.path} was changed by commit ${file.commit.slice(0, 12)}, which no agent wrote; the change was ignored and the agents' version restored`
    const previous = (status.docs.get(file.subject)?.status as { conditions?: Condition[] } | undefined)?.conditions
    conditions.set(file.subject, setCondition(previous, { type: TAMPERED, status: 'True', reason: 'Restored', message }, now).find((c) => c.type === TAMPERED)!)
  }
  return conditions
}

/** Adds the tamper conditions to the reconciled statuses of the resources they concern. */
export function withConditions(statuses: ReadonlyMap<string, unknown>, conditions: ReadonlyMap<string, Condition>): ReadonlyMap<string, unknown> {
  if (conditions.size === 0) return statuses
  const next = new Map(statuses)
  for (const [subject, condition] of conditions) {
    const [kind, namespace, name] = subject.split('/') as [string, string, string]
    const key = subjectOf(kind.charAt(0).toUpperCase() + kind.slice(1), namespace, name)
    const current = next.get(key) as { conditions?: Condition[] } | undefined
    if (current !== undefined) next.set(key, { ...current, conditions: setCondition(current.conditions, condition, condition.lastTransitionTime) })
  }
  return next
}

/** The restored status documents of tampered Executions this agent holds, with the condition. */
export function tamperedExecutionDocs(conditions: ReadonlyMap<string, Condition>, status: StatusSnapshot, held: ReadonlySet<string>, active: ReadonlySet<string>): StatusDoc[] {
  const docs: StatusDoc[] = []
  for (const [subject, condition] of conditions) {
    const doc = status.docs.get(subject)
    if (!subject.startsWith('execution/') || doc === undefined || !held.has(subject) || active.has(subject)) continue
    const run = doc.status as ExecutionStatus
    docs.push({ ...doc, status: { ...run, conditions: setCondition(run.conditions, condition, condition.lastTransitionTime) } })
  }
  return docs
}

/** Requests already reported as refused by this agent (so each is logged once). */
const reported = new WeakMap<StatusWriter, Set<string>>()
export function seenRequests(writer: StatusWriter): Set<string> {
  let seen = reported.get(writer)
  if (seen === undefined) reported.set(writer, (seen = new Set()))
  return seen
}

/** Requests that prove nobody (no valid signature of an allowed signer), not reported before. */
export function unprovenRequests(requests: readonly AgentRequest[], seen: Set<string>): RefusedRequest[] {
  const refused: RefusedRequest[] = []
  for (const request of requests) {
    if (request.refusal === undefined || seen.has(request.id)) continue
    seen.add(request.id)
    refused.push({ id: request.id, action: request.action, target: subjectOf(request.target.kind, request.target.namespace, request.target.name), claimed: request.author.email, reason: request.refusal.reason, message: request.refusal.message })
  }
  return refused
}

/** Run requests refused as not eligible this round, not reported before. */
export function notEligible(refused: ReadonlyMap<string, readonly { id: string; reason: string; requester: string }[]>, requests: readonly AgentRequest[], seen: Set<string>): RefusedRequest[] {
  const out: RefusedRequest[] = []
  for (const [target, list] of refused) {
    for (const r of list) {
      if (seen.has(`eligible:${r.id}`)) continue
      seen.add(`eligible:${r.id}`)
      const request = requests.find((q) => q.id === r.id)
      out.push({ id: r.id, action: request?.action ?? 'request', target, claimed: r.requester, reason: r.reason, message: `${r.requester} may not ${request?.action ?? 'act'} on ${target}` })
    }
  }
  return out
}

/**
 * Execution documents that record newly refused requests (so `--wait` and `describe` can say
 * why): written by this round when this agent holds the run, or nobody does (a live lease of
 * another agent leaves it to that agent).
 */
export function refusalDocs(refused: ReadonlyMap<string, readonly { id: string; reason: string }[]>, docs: ReadonlyMap<string, StatusDoc | null>, status: StatusSnapshot, holder: string, nowMs: number, active: ReadonlySet<string>): StatusDoc[] {
  const out: StatusDoc[] = []
  for (const [subject, list] of refused) {
    if (!subject.startsWith('execution/') || active.has(subject)) continue
    const doc = docs.get(subject) ?? status.docs.get(subject)
    const owner = liveHolder(status, subject, nowMs)
    if (!doc || (owner !== undefined && owner !== holder)) continue
    const known = new Set((doc.refusedRequests ?? []).map((r) => r.id))
    const added = list.filter((r) => !known.has(r.id)).map((r) => ({ id: r.id, reason: r.reason }))
    if (added.length > 0) out.push({ ...doc, refusedRequests: [...(doc.refusedRequests ?? []), ...added].slice(-100) })
  }
  return out
}


/** The holder of a live lease on `subject`, if any. */
export function liveHolder(status: StatusSnapshot, subject: string, nowMs: number): string | undefined {
  return liveLeaseHolder(status.leases.get(subject), nowMs)
}
