import { findCondition, referenceKey, setCondition, type Condition, type ExecutionStatus } from '@planspec/core'
import { canonicalJson } from '@planspec/validator'
import { decideLeases, inScope, TERMINAL, type AgentScope } from './decide-leases.js'
import { executionContext } from './execution-context.js'
import { judgeRunRequests } from './judge-run-requests.js'
import type { ExecutionRunners } from './execution-runners.js'
import { gateActions, waitingExecutions } from './gate-inputs.js'
import { reconcileResources, type ResourceView } from './reconcile-resources.js'
import type { StatusWriter } from './status-writer.js'
import type { AgentRepo, AgentRequest, AgentTrust, DesiredItem, DesiredSnapshot, StatusDoc, StatusSnapshot, TamperedFile } from './types.js'

/** The effects and settings of one sync round. */
export interface SyncDeps {
  readonly repo: AgentRepo
  readonly writer: StatusWriter
  readonly runners: ExecutionRunners
  readonly holder: string
  readonly now: () => number
  /** How long a lease lasts; renewed every round. */
  readonly leaseMs: number
  /** At most this many new leases per round, so several agents share the work (default 50). */
  readonly maxNewLeases?: number
  readonly scope?: AgentScope
  /** Team members per `team:ORG/SLUG`, as `email:` or `user:` subjects. */
  readonly teams: ReadonlyMap<string, readonly string[]>
  /** People with write access besides the allowed signers (`--writer`), eligible when a Gate lists no reviewers. */
  readonly writers?: readonly string[]
  /** Change authors, revision reachability and allowed signers (DECISIONS §9). */
  readonly trust: AgentTrust
  /** Reads the desired state at an older revision (an Execution keeps the spec it started with). */
  readonly desiredAt: (revision: string) => Promise<DesiredSnapshot>
}

/** A request that does not count, and why (logged every round it is seen first). */
export interface RefusedRequest {
  readonly id: string
  readonly action: string
  /** `kind/namespace/name` of the target. */
  readonly target: string
  /** Who the commit claims (the author line): never an identity by itself. */
  readonly claimed: string
  readonly reason: string
  readonly message: string
}

/** What a round did, for logs, metrics and the loop. */
export interface SyncResult {
  readonly revision: string
  readonly unchanged: boolean
  /** True when status files (or the whole branch) had disappeared or were garbage, and this round wrote back the last known ones. */
  readonly restored: boolean
  /** True when the tracked branch was rewritten (force-push): the whole tree was read again. */
  readonly historyRewritten: boolean
  /** Status-branch files that could not be read (edited by hand): reported, treated as absent. */
  readonly problems: readonly { readonly file: string; readonly message: string }[]
  /** Status-branch files changed by a commit no agent proved: ignored and written back this round. */
  readonly tampered: readonly TamperedFile[]
  /** Unfinished Executions nobody holds yet (taken in later rounds, `maxNewLeases` at a time). */
  readonly backlog: number
  /** Unfinished Executions in scope whose live lease another holder has. */
  readonly leasedElsewhere: readonly string[]
  /** Status documents written (other kinds; Executions write as they run). */
  readonly written: number
  readonly leased: number
  readonly running: number
  readonly errors: number
  /** Runs not continued this round, and why (an unreachable revision, a plan that cannot be prepared). */
  readonly stopped: readonly { readonly subject: string; readonly code?: string; readonly message: string }[]
  /** Refused review actions (not eligible, self-approval, stale). */
  readonly refused: readonly { readonly gate: string; readonly reviewer: string; readonly reason: string; readonly source?: string }[]
  /** Requests that prove nobody or come from someone not eligible, first seen this round. */
  readonly refusedRequests: readonly RefusedRequest[]
  /** Why the allowed-signers file could not be read, if so. */
  readonly signersProblem?: string
  /**
   * Tree entries and files of the tracked branch refused in this new revision (a link, a submodule,
   * an unsafe path, a tree too deep, a file too large, nested too deep, an alias bomb, too many
   * documents, binary): each is logged; resources they held keep their last good version with
   * condition `SourceValid=False`.
   */
  readonly refusedEntries: readonly { readonly file: string; readonly code: string; readonly message: string }[]
  readonly requeueAfterMs?: number
}

/**
 * Runs one reconcile round (STYLE §4: every line one effect or one pure call): read the desired
 * state and the status branch (only what an agent proved; tampered files are reported and written
 * back, with condition `StatusTampered`), decide leases, reconcile every kind with core's
 * controllers from the requests that count (signed by an allowed signer, or attested), write the
 * changed statuses and leases in one compare-and-swap commit, then make sure every leased,
 * unfinished Execution is being run. Level-based: it never depends on what woke it.
 *
 * @example
 * const result = await syncOnce(deps)
 */
export async function syncOnce(deps: SyncDeps): Promise<SyncResult> {
  const desired = await deps.repo.readDesired() // effect
  const read = await deps.repo.readStatus() // effect
  const signers = await deps.trust.signers() // effect (cached per revision)
  // A status branch deleted (or emptied) under a running agent: restore what it last saw rather
  // than start every Execution again (nothing lost, nothing dispatched twice).
  // The same for a status file edited into garbage by hand: the last good version is written back.
  const remembered = deps.writer.snapshot()
  const lost = [...(remembered?.docs ?? [])].filter(([subject]) => !read.docs.has(subject) && desired.items.has(subject))
  const restored = lost.length > 0
  const status: StatusSnapshot = restored ? { ...read, docs: new Map([...read.docs, ...lost]) } : read
  deps.writer.adopt(status)
  const nowMs = deps.now()
  const now = new Date(nowMs).toISOString()
  const items = [...desired.items.values()]
  const tampered = read.tampered ?? []
  const tamperConditions = tamperedConditions(tampered, status, now) // pure
  const seen = seenRequests(deps.writer)
  const unproven = unprovenRequests(status.requests, seen) // pure
  const writers = [...(deps.writers ?? []), ...signers.writers, ...[...deps.teams.values()].flat()]
  const judged = await judgeRunRequests(status.requests, { desired, status, teams: deps.teams, writers, changeAuthor: (item) => changeAuthorOf(item, status, deps) }) // effect (cached history walks)
  const refusedRequests = [...unproven, ...notEligible(judged.refused, status.requests, seen)]
  const trusted: StatusSnapshot = { ...status, requests: judged.counted }
  const executions = items.filter((i) => i.kind === 'Execution' && inScope(i.namespace, deps.scope))
  const leases = decideLeases(executions, trusted, deps.holder, nowMs, deps.leaseMs, deps.maxNewLeases ?? 50) // pure
  const planErrors = errorsByFile(desired) // pure, once per round (not once per resource)
  const executionStatuses = new Map(executions.map((e) => [referenceKey('Execution', e.namespace, e.name), status.docs.get(e.subject)?.status as ExecutionStatus]))
  const waiting = await waitingExecutions(status, items, (item) => changeAuthorOf(item, status, deps)) // effect (cached history walks)
  const reconciled = reconcileResources({
    resources: items.map((i) => toView(i, status.docs.get(i.subject), planErrors)),
    executionStatuses: new Map([...executionStatuses].filter(([, s]) => s !== undefined)),
    waitingExecutions: waiting,
    // Every Gate request, proven or not: core records the unproven ones as refused, never counted.
    gateActions: gateActions(status.requests),
    reviewFacts: { teams: deps.teams, writers },
    cancelRequested: new Set(judged.counted.filter((r) => r.action === 'cancel' && r.target.kind === 'Goal').map((r) => referenceKey('Goal', r.target.namespace, r.target.name))),
    now,
    nowMs,
  }) // pure
  const statuses = withConditions(withConditions(reconciled.statuses, tamperConditions), sourceConditions(items, status, now)) // pure
  const docs = changedDocs(items, statuses, status, desired.revision) // pure
  for (const [subject, doc] of lost) if (!docs.has(subject)) docs.set(subject, doc)
  // A run being executed writes its own status (with these notes, through its context): never
  // overwrite it here with the older document read at the start of the round.
  const active = new Set(deps.runners.running())
  for (const doc of tamperedExecutionDocs(tamperConditions, status, deps.writer.held(), active)) if (!docs.has(`execution/${doc.namespace}/${doc.name}`)) docs.set(`execution/${doc.namespace}/${doc.name}`, doc) // pure
  for (const doc of refusalDocs(judged.refused, docs, status, deps.holder, nowMs, active)) docs.set(`execution/${doc.namespace}/${doc.name}`, doc) // pure
  if (docs.size > 0 || leases.size > 0 || tampered.length > 0) await deps.writer.write({ docs, leases, partial: true }, desired.revision, `status: ${docs.size} resource(s), ${leases.size} lease(s)${tampered.length ? `, ${tampered.length} tampered file(s) restored` : ''}`) // effect
  let errors = 0
  const stopped: { subject: string; code?: string; message: string }[] = []
  for (const execution of executions) {
    if (!deps.writer.held().has(execution.subject)) continue
    const context = await executionContext(execution, {
      desired,
      status: trusted,
      statuses,
      desiredAt: deps.desiredAt,
      reachable: (revision) => deps.trust.reachable(revision),
      changeAuthor: await changeAuthorOf(execution, status, deps),
      tampered: tamperConditions.get(execution.subject) ?? findCondition((status.docs.get(execution.subject)?.status as ExecutionStatus | undefined)?.conditions, TAMPERED),
      refusedRequests: judged.refused.get(execution.subject) ?? [],
    }).catch((error: unknown) => {
      stopped.push({ subject: execution.subject, ...((error as { code?: string }).code ? { code: (error as { code: string }).code } : {}), message: (error as Error)?.message ?? String(error) })
      return undefined
    }) // effect (old revisions, history)
    if (context === undefined) {
      errors++
      continue
    }
    deps.runners.ensure(context) // effect
  }
  const unfinished = (e: DesiredItem): boolean => !TERMINAL.has(String((status.docs.get(e.subject)?.status as ExecutionStatus | undefined)?.phase))
  return {
    revision: desired.revision,
    unchanged: desired.unchanged,
    restored,
    historyRewritten: desired.historyRewritten,
    problems: [...read.problems].map(([file, message]) => ({ file, message })),
    tampered,
    backlog: executions.filter((e) => !deps.writer.held().has(e.subject) && !status.leases.has(e.subject) && unfinished(e)).length,
    leasedElsewhere: executions.filter((e) => unfinished(e) && liveHolder(status, e.subject, nowMs) !== undefined && liveHolder(status, e.subject, nowMs) !== deps.holder).map((e) => e.subject),
    written: docs.size,
    leased: deps.writer.held().size,
    running: deps.runners.running().length,
    errors,
    stopped,
    refused: reconciled.refused,
    refusedRequests,
    refusedEntries: desired.unchanged ? [] : refusedEntries(desired),
    ...(signers.problem === undefined ? {} : { signersProblem: signers.problem }),
    ...(reconciled.requeueAfterMs === undefined ? {} : { requeueAfterMs: reconciled.requeueAfterMs }),
  }
}

/** Codes of refused tree entries and files (THREATS T6, T7, T10): links, unsafe paths, submodules, deep trees, oversize, deep nesting, alias bombs, too many documents, binary. */
const REFUSAL_CODES: ReadonlySet<string> = new Set(['PS7001', 'PS7002', 'PS7003', 'PS7007', 'PS1002', 'PS1004', 'PS1006', 'PS1007', 'PS1009'])

/** The refused entries of a new revision, one per file and code. */
function refusedEntries(desired: DesiredSnapshot): { file: string; code: string; message: string }[] {
  const seen = new Map<string, { file: string; code: string; message: string }>()
  for (const d of desired.diagnostics) if (REFUSAL_CODES.has(d.code) && d.file !== undefined && !seen.has(`${d.file}\0${d.code}`)) seen.set(`${d.file}\0${d.code}`, { file: d.file, code: d.code, message: d.message })
  return [...seen.values()]
}

/**
 * `SourceValid` for resources other than Executions: False (reason `LastKnownGood`, the file and
 * first problem in the message) while the current version of their file is invalid or refused and
 * the last good version is in effect; back to True once it is fixed.
 */
function sourceConditions(items: readonly DesiredItem[], status: StatusSnapshot, now: string): Map<string, Condition> {
  const conditions = new Map<string, Condition>()
  for (const item of items) {
    if (item.kind === 'Execution') continue
    const previous = (status.docs.get(item.subject)?.status as { conditions?: Condition[] } | undefined)?.conditions
    const known = findCondition(previous, SOURCE_VALID)
    if (item.sourceValid && known === undefined) continue
    const update = item.sourceValid ? { type: SOURCE_VALID, status: 'True' as const, reason: 'Valid', message: `${item.file} is valid again` } : { type: SOURCE_VALID, status: 'False' as const, reason: 'LastKnownGood', message: item.sourceMessage ?? `${item.file} is not valid; the last valid version stays in effect` }
    conditions.set(item.subject, setCondition(previous, update, now).find((c) => c.type === SOURCE_VALID)!)
  }
  return conditions
}
const SOURCE_VALID = 'SourceValid'

/** The condition type a resource carries when its status file was changed by someone not an agent. */
export const TAMPERED = 'StatusTampered'

/** `StatusTampered=True` per resource whose status file a non-agent changed (the first commit named). */
function tamperedConditions(tampered: readonly TamperedFile[], status: StatusSnapshot, now: string): Map<string, Condition> {
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
function withConditions(statuses: ReadonlyMap<string, unknown>, conditions: ReadonlyMap<string, Condition>): ReadonlyMap<string, unknown> {
  if (conditions.size === 0) return statuses
  const next = new Map(statuses)
  for (const [subject, condition] of conditions) {
    const [kind, namespace, name] = subject.split('/') as [string, string, string]
    const key = referenceKey(kind.charAt(0).toUpperCase() + kind.slice(1), namespace, name)
    const current = next.get(key) as { conditions?: Condition[] } | undefined
    if (current !== undefined) next.set(key, { ...current, conditions: setCondition(current.conditions, condition, condition.lastTransitionTime) })
  }
  return next
}

/** The restored status documents of tampered Executions this agent holds, with the condition. */
function tamperedExecutionDocs(conditions: ReadonlyMap<string, Condition>, status: StatusSnapshot, held: ReadonlySet<string>, active: ReadonlySet<string>): StatusDoc[] {
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
function seenRequests(writer: StatusWriter): Set<string> {
  let seen = reported.get(writer)
  if (seen === undefined) reported.set(writer, (seen = new Set()))
  return seen
}

/** Requests that prove nobody (no valid signature of an allowed signer), not reported before. */
function unprovenRequests(requests: readonly AgentRequest[], seen: Set<string>): RefusedRequest[] {
  const refused: RefusedRequest[] = []
  for (const request of requests) {
    if (request.refusal === undefined || seen.has(request.id)) continue
    seen.add(request.id)
    refused.push({ id: request.id, action: request.action, target: `${request.target.kind.toLowerCase()}/${request.target.namespace}/${request.target.name}`, claimed: request.author.email, reason: request.refusal.reason, message: request.refusal.message })
  }
  return refused
}

/** Run requests refused as not eligible this round, not reported before. */
function notEligible(refused: ReadonlyMap<string, readonly { id: string; reason: string; requester: string }[]>, requests: readonly AgentRequest[], seen: Set<string>): RefusedRequest[] {
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
function refusalDocs(refused: ReadonlyMap<string, readonly { id: string; reason: string }[]>, docs: ReadonlyMap<string, StatusDoc | null>, status: StatusSnapshot, holder: string, nowMs: number, active: ReadonlySet<string>): StatusDoc[] {
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

/** The change author recorded in the Execution's status, else found in history (cached by the trust port). */
async function changeAuthorOf(execution: DesiredItem, status: StatusSnapshot, deps: SyncDeps): Promise<AgentChangeAuthor | undefined> {
  return status.docs.get(execution.subject)?.changeAuthor ?? (await deps.trust.changeAuthor(execution))
}
type AgentChangeAuthor = NonNullable<StatusDoc['changeAuthor']>

/** The holder of a live lease on `subject`, if any. */
function liveHolder(status: StatusSnapshot, subject: string, nowMs: number): string | undefined {
  const lease = status.leases.get(subject)
  return lease !== undefined && lease.expiresAt > nowMs ? lease.holder : undefined
}

/** A desired item as the controllers see it: its object, generation, status and source problems. */
function toView(item: DesiredItem, doc: StatusDoc | undefined, errors: ReadonlyMap<string, { code: string; message: string }[]>): ResourceView {
  return { kind: item.kind, name: item.name, namespace: item.namespace, value: item.object, generation: item.generation, status: doc?.status, errors: item.kind === 'Plan' ? (errors.get(item.file) ?? []) : [] }
}

/** The validator's error findings grouped by file. */
function errorsByFile(desired: DesiredSnapshot): Map<string, { code: string; message: string }[]> {
  const byFile = new Map<string, { code: string; message: string }[]>()
  for (const d of desired.diagnostics) {
    if (d.severity !== 'error' || d.file === undefined) continue
    const list = byFile.get(d.file)
    if (list === undefined) byFile.set(d.file, [{ code: d.code, message: d.message }])
    else list.push({ code: d.code, message: d.message })
  }
  return byFile
}

/** Status documents whose status changed this round (other kinds than Execution). */
function changedDocs(items: readonly DesiredItem[], statuses: ReadonlyMap<string, unknown>, status: StatusSnapshot, revision: string): Map<string, StatusDoc | null> {
  const docs = new Map<string, StatusDoc | null>()
  for (const item of items) {
    const next = statuses.get(referenceKey(item.kind, item.namespace, item.name))
    if (next === undefined) continue
    const previous = status.docs.get(item.subject)
    // Stored documents have sorted keys: compare canonical forms, not serialisation order.
    if (previous !== undefined && canonicalJson(previous.status) === canonicalJson(next) && previous.observedGeneration === item.generation) continue
    docs.set(item.subject, { kind: item.kind, namespace: item.namespace, name: item.name, uid: String((item.object.metadata as Record<string, unknown>).uid ?? ''), observedGeneration: item.generation, sourceRevision: revision, status: next })
  }
  return docs
}

