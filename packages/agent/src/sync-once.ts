import type { DesiredResource, DesiredState } from '@planspec/git-store'
import { canonicalJson, findCondition, indexResources, reconcileResources, subjectOf, type ChangeAuthor, type ExecutionStatus, type IndexedResource } from '@planspec/core'
import { graphDigest } from '@planspec/validator'
import { decideLeases, inScope, TERMINAL, type AgentScope } from './decide-leases.js'
import { executionContext } from './execution-context.js'
import { judgeRunRequests } from './judge-run-requests.js'
import { liveHolder, notEligible, refusalDocs, refusedEntries, seenRequests, sourceConditions, TAMPERED, tamperedConditions, tamperedExecutionDocs, unprovenRequests, withConditions } from './round-notes.js'
import type { ExecutionRunners } from './execution-runners.js'
import { gateActions, waitingAuthors } from './gate-inputs.js'
import type { StatusWriter } from './status-writer.js'
import type { AgentRepo, AgentTrust, StatusDoc, StatusSnapshot, TamperedFile } from './types.js'

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
  readonly desiredAt: (revision: string) => Promise<DesiredState>
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
  // Runs that end from here on wrote status newer than the read below (see endedSince).
  const runsMark = deps.runners.mark()
  const read = await deps.repo.readStatus() // effect
  const signers = await deps.trust.signers() // effect (cached per revision)
  // A status branch deleted (or emptied) under a running agent: restore what it last saw rather
  // than start every Execution again (nothing lost, nothing dispatched twice).
  // The same for a status file edited into garbage by hand: the last good version is written back.
  const remembered = deps.writer.snapshot()
  const lost = [...(remembered?.docs ?? [])].filter(([subject]) => !read.docs.has(subject) && desired.resources.has(subject))
  const restored = lost.length > 0
  const status: StatusSnapshot = restored ? { ...read, docs: new Map([...read.docs, ...lost]) } : read
  deps.writer.adopt(status)
  const nowMs = deps.now()
  const now = new Date(nowMs).toISOString()
  const items = [...desired.resources.values()]
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
  const fileErrors = errorsByFile(desired) // pure, once per round (not once per resource)
  const authors = await waitingAuthors(status, items, (item) => changeAuthorOf(item, status, deps)) // effect (cached history walks)
  const reconciled = reconcileResources(indexResources(items.map((i) => toIndexed(i, status.docs.get(i.subject)))), {
    planIssues: (plan) => planErrors(fileErrors, desired.resources.get(subjectOf(plan.kind, plan.namespace, plan.name))?.file, plan.name),
    graphDigest,
    reviewers: () => ({ teams: deps.teams, writers }),
    changeAuthor: (execution) => authors.get(subjectOf(execution.kind, execution.namespace, execution.name)),
    // Every Gate request, proven or not: core records the unproven ones as refused, never counted.
    gateActions: gateActions(status.requests, (gate) => (desired.resources.get(`gate/${gate.namespace}/${gate.name}`)?.object.spec as { reviewers?: string[] } | undefined)?.reviewers),
    cancelRequested: new Set(judged.counted.filter((r) => r.action === 'cancel' && r.target.kind === 'Goal').map((r) => subjectOf('Goal', r.target.namespace, r.target.name))),
  }, now) // pure
  const statuses = withConditions(withConditions(reconciled.statuses, tamperConditions), sourceConditions(items, status, now)) // pure
  const docs = changedDocs(items, statuses, status, desired.revision) // pure
  for (const [subject, doc] of lost) if (!docs.has(subject)) docs.set(subject, doc)
  // A run being executed writes its own status (with these notes, through its context): never
  // overwrite it here with the older document read at the start of the round.
  const active = new Set(deps.runners.running())
  for (const doc of tamperedExecutionDocs(tamperConditions, status, deps.writer.held(), active)) if (!docs.has(`execution/${doc.namespace}/${doc.name}`)) docs.set(`execution/${doc.namespace}/${doc.name}`, doc) // pure
  for (const doc of refusalDocs(judged.refused, docs, status, deps.holder, nowMs, active)) docs.set(`execution/${doc.namespace}/${doc.name}`, doc) // pure
  // A run that ended since the read wrote its Execution's last document itself: this round's is older.
  for (const subject of deps.runners.endedSince(runsMark)) docs.delete(subject)
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
    // A run that ended while this round was under way is not started again from the older read:
    // it would dispatch again what it already ran. The next round reads what it wrote.
    if (deps.runners.endedSince(runsMark).has(execution.subject)) continue
    deps.runners.ensure(context) // effect
  }
  const unfinished = (e: DesiredResource): boolean => !TERMINAL.has(String((status.docs.get(e.subject)?.status as ExecutionStatus | undefined)?.phase))
  return {
    revision: desired.revision,
    unchanged: desired.unchanged,
    restored,
    historyRewritten: desired.historyRewritten,
    problems: [...read.problems].map(([file, message]) => ({ file, message })),
    tampered,
    backlog: executions.filter((e) => !deps.writer.held().has(e.subject) && liveHolder(status, e.subject, nowMs) === undefined && unfinished(e)).length,
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

/** The change author recorded in the Execution's status, else found in history (cached by the trust port). */
async function changeAuthorOf(execution: DesiredResource, status: StatusSnapshot, deps: SyncDeps): Promise<ChangeAuthor | undefined> {
  return status.docs.get(execution.subject)?.changeAuthor ?? (await deps.trust.changeAuthor(execution))
}


/** A desired item as the controllers see it: its object, generation and last written status. */
function toIndexed(item: DesiredResource, doc: StatusDoc | undefined): IndexedResource {
  return { kind: item.kind, name: item.name, namespace: item.namespace, object: item.object, generation: item.identity.generation, ...(doc?.status === undefined ? {} : { status: doc.status }) }
}

/**
 * The validator's error findings grouped by file, each under the resource it names (`kind/name`)
 * or under the whole file (`''`) when it names none (a YAML error): a Plan is judged by its own
 * findings and its file's, never by another resource's in the same file (server mode validates
 * each object alone).
 */
function errorsByFile(desired: DesiredState): Map<string, { code: string; message: string }[]> {
  const byFile = new Map<string, { code: string; message: string }[]>()
  for (const d of desired.diagnostics) {
    if (d.severity !== 'error' || d.file === undefined) continue
    const id = `${d.file}\u0000${d.kind === undefined || d.name === undefined ? '' : `${d.kind}/${d.name}`}`
    byFile.set(id, [...(byFile.get(id) ?? []), { code: d.code, message: d.message }])
  }
  return byFile
}

/** The error findings that make a Plan invalid: its own and its file's. */
function planErrors(errors: ReadonlyMap<string, { code: string; message: string }[]>, file: string | undefined, name: string): { code: string; message: string }[] {
  if (file === undefined) return []
  return [...(errors.get(`${file}\u0000`) ?? []), ...(errors.get(`${file}\u0000Plan/${name}`) ?? [])]
}

/** Status documents whose status changed this round (other kinds than Execution). */
function changedDocs(items: readonly DesiredResource[], statuses: ReadonlyMap<string, unknown>, status: StatusSnapshot, revision: string): Map<string, StatusDoc | null> {
  const docs = new Map<string, StatusDoc | null>()
  for (const item of items) {
    const next = statuses.get(subjectOf(item.kind, item.namespace, item.name))
    if (next === undefined) continue
    const previous = status.docs.get(item.subject)
    // Stored documents have sorted keys: compare canonical forms, not serialisation order.
    if (previous !== undefined && canonicalJson(previous.status) === canonicalJson(next) && previous.observedGeneration === item.identity.generation) continue
    docs.set(item.subject, { kind: item.kind, namespace: item.namespace, name: item.name, uid: String(item.object.metadata.uid ?? ''), observedGeneration: item.identity.generation, sourceRevision: revision, status: next })
  }
  return docs
}

