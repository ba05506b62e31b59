import { gateNodeObservation, referenceKey, subjectOf, type ExecutionStatus, type GateNodeObservation, type GateStatus, type WaitingExecution } from '@planspec/core'
import { prepareRun, type PreparedRun, type ResourceLike } from '@planspec/engine'
import { canonicalJson } from '@planspec/validator'
import type { ExecutionContext, ExecutionRunners } from './execution-runners.js'
import { reconcileResources, type GateAction, type ResourceView } from './reconcile-resources.js'
import type { StatusWriter } from './status-writer.js'
import type { AgentRepo, AgentRequest, DesiredItem, DesiredSnapshot, Lease, StatusDoc, StatusSnapshot } from './types.js'

/** Which Executions this agent takes: a namespace, and a shard `index/count` by namespace hash. */
export interface AgentScope {
  readonly namespace?: string
  readonly shard?: { readonly index: number; readonly count: number }
}

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
  /** People with write access, eligible when a Gate lists no reviewers. */
  readonly writers?: readonly string[]
  /** The author of a commit (the change author of the Execution it introduced). */
  readonly commitAuthor: (revision: string) => Promise<{ readonly name: string; readonly email: string } | undefined>
  /** Reads the desired state at an older revision (an Execution keeps the spec it started with). */
  readonly desiredAt: (revision: string) => Promise<DesiredSnapshot>
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
  /** Unfinished Executions nobody holds yet (taken in later rounds, `maxNewLeases` at a time). */
  readonly backlog: number
  /** Status documents written (other kinds; Executions write as they run). */
  readonly written: number
  readonly leased: number
  readonly running: number
  readonly errors: number
  /** Refused review actions (not eligible, self-approval, stale). */
  readonly refused: readonly { readonly gate: string; readonly reviewer: string; readonly reason: string; readonly source?: string }[]
  readonly requeueAfterMs?: number
}

/**
 * Runs one reconcile round (STYLE §4: every line one effect or one pure call): read the desired
 * state and the status branch, decide leases, reconcile every kind with core's controllers,
 * write the changed statuses and leases in one compare-and-swap commit, then make sure every
 * leased, unfinished Execution is being run. Level-based: it never depends on what woke it.
 *
 * @example
 * const result = await syncOnce(deps)
 */
export async function syncOnce(deps: SyncDeps): Promise<SyncResult> {
  const desired = await deps.repo.readDesired() // effect
  const read = await deps.repo.readStatus() // effect
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
  const executions = items.filter((i) => i.kind === 'Execution' && inScope(i.namespace, deps.scope))
  const leases = decideLeases(executions, status, deps.holder, nowMs, deps.leaseMs, deps.maxNewLeases ?? 50) // pure
  const planErrors = errorsByFile(desired) // pure, once per round (not once per resource)
  const executionStatuses = new Map(executions.map((e) => [referenceKey('Execution', e.namespace, e.name), status.docs.get(e.subject)?.status as ExecutionStatus]))
  const waiting = await waitingExecutions(status, items, deps) // effect (cached commit reads)
  const reconciled = reconcileResources({
    resources: items.map((i) => toView(i, status.docs.get(i.subject), planErrors)),
    executionStatuses: new Map([...executionStatuses].filter(([, s]) => s !== undefined)),
    waitingExecutions: waiting,
    gateActions: gateActions(status.requests),
    reviewFacts: { teams: deps.teams, ...(deps.writers ? { writers: deps.writers } : {}) },
    cancelRequested: new Set(status.requests.filter((r) => r.action === 'cancel' && r.target.kind === 'Goal').map((r) => referenceKey('Goal', r.target.namespace, r.target.name))),
    now,
    nowMs,
  }) // pure
  const docs = changedDocs(items, reconciled.statuses, status, desired.revision) // pure
  for (const [subject, doc] of lost) if (!docs.has(subject)) docs.set(subject, doc)
  if (docs.size > 0 || leases.size > 0) await deps.writer.write({ docs, leases, partial: true }, desired.revision, `status: ${docs.size} resource(s), ${leases.size} lease(s)`) // effect
  let errors = 0
  for (const execution of executions) {
    if (!deps.writer.held().has(execution.subject)) continue
    const context = await executionContext(execution, desired, status, reconciled.statuses, deps).catch(() => undefined) // effect (old revisions)
    if (context === undefined) {
      errors++
      continue
    }
    deps.runners.ensure(context) // effect
  }
  return {
    revision: desired.revision,
    unchanged: desired.unchanged,
    restored,
    historyRewritten: desired.historyRewritten,
    problems: [...read.problems].map(([file, message]) => ({ file, message })),
    backlog: executions.filter((e) => !deps.writer.held().has(e.subject) && !status.leases.has(e.subject) && !TERMINAL.has(String((status.docs.get(e.subject)?.status as ExecutionStatus | undefined)?.phase))).length,
    written: docs.size,
    leased: deps.writer.held().size,
    running: deps.runners.running().length,
    errors,
    refused: reconciled.refused,
    ...(reconciled.requeueAfterMs === undefined ? {} : { requeueAfterMs: reconciled.requeueAfterMs }),
  }
}

/** Whether a namespace is this agent's: `--namespace`, then `--shard I/N` by a stable hash. */
export function inScope(namespace: string, scope: AgentScope | undefined): boolean {
  if (scope?.namespace !== undefined && scope.namespace !== namespace) return false
  if (scope?.shard === undefined) return true
  let hash = 0x811c9dc5
  for (let i = 0; i < namespace.length; i++) hash = Math.imul(hash ^ namespace.charCodeAt(i), 0x01000193) >>> 0
  return hash % scope.shard.count === scope.shard.index
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])

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
function pendingRetry(execution: DesiredItem, status: StatusSnapshot, doc: StatusDoc | undefined): AgentRequest | undefined {
  const applied = new Set(doc?.appliedRequests ?? [])
  return status.requests.filter((r) => r.action === 'retry' && matches(r, execution) && !applied.has(r.id)).at(-1)
}

function matches(request: AgentRequest, item: { kind: string; namespace: string; name: string }): boolean {
  return request.target.kind === item.kind && request.target.namespace === item.namespace && request.target.name === item.name
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

/**
 * The Executions whose Gate node waits on each Gate (from the written statuses), by Gate key, with
 * the uid, run digest and change author that core's `decideGate` binds approvals to. A run
 * recorded without a `runDigest` (started before digests existed) cannot be approved and is left out.
 */
async function waitingExecutions(status: StatusSnapshot, items: readonly DesiredItem[], deps: SyncDeps): Promise<Map<string, WaitingExecution[]>> {
  const waiting = new Map<string, WaitingExecution[]>()
  const plans = new Map(items.filter((i) => i.kind === 'Plan').map((p) => [`${p.namespace}/${p.name}`, p]))
  for (const item of items) {
    if (item.kind !== 'Execution') continue
    const run = status.docs.get(item.subject)?.status as ExecutionStatus | undefined
    if (run?.nodeStatuses === undefined || run.runDigest === undefined) continue
    const planRef = ((item.object.spec as Record<string, unknown> | undefined)?.planRef ?? {}) as { name?: string; namespace?: string }
    const plan = plans.get(`${planRef.namespace ?? item.namespace}/${planRef.name}`)
    const nodes = ((((plan?.object.spec as Record<string, unknown> | undefined)?.graph as Record<string, unknown> | undefined)?.nodes ?? []) as Record<string, unknown>[])
    for (const node of nodes) {
      if (node.kind !== 'Gate' || !WAITING_NODE.has(String(run.nodeStatuses[String(node.id)]?.phase))) continue
      const ref = (node.gateRef ?? {}) as { name?: string; namespace?: string }
      const key = referenceKey('Gate', ref.namespace ?? item.namespace, String(ref.name))
      const author = await deps.commitAuthor(item.introducedIn)
      const entry: WaitingExecution = {
        name: item.name,
        namespace: item.namespace,
        uid: String((item.object.metadata as Record<string, unknown>).uid ?? ''),
        digest: run.runDigest,
        ...(author === undefined ? {} : { changeAuthor: reviewerOf(author) }),
      }
      waiting.set(key, [...(waiting.get(key) ?? []), entry])
    }
  }
  return waiting
}

const WAITING_NODE: ReadonlySet<string> = new Set(['Running', 'Blocked'])

/** Review actions from request files; the actor is the commit author, never what the file says. */
function gateActions(requests: readonly AgentRequest[]): GateAction[] {
  return requests
    .filter((r) => r.target.kind === 'Gate' && (r.action === 'approve' || r.action === 'reject' || r.action === 'comment'))
    .map((r) => ({
      gate: { namespace: r.target.namespace, name: r.target.name },
      reviewer: reviewerOf(r.author),
      action: r.action as 'approve' | 'reject' | 'comment',
      timestamp: r.time,
      ...(r.comment === undefined ? {} : { comment: r.comment }),
      targetGeneration: r.targetGeneration ?? 1,
      source: `request:${r.id}`,
    }))
}

/**
 * The reviewer subject of a commit author: `user:LOGIN` for GitHub's no-reply addresses
 * (`LOGIN@users.noreply.github.com`, `ID+LOGIN@…`, which the GitHub comment commands use),
 * else `email:ADDRESS`.
 */
export function reviewerOf(author: { readonly email: string }): string {
  const github = /^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$/i.exec(author.email)
  return github ? `user:${(github[1] as string).toLowerCase()}` : `email:${author.email.toLowerCase()}`
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

/** Everything a runner needs for one Execution this round. */
async function executionContext(execution: DesiredItem, desired: DesiredSnapshot, status: StatusSnapshot, statuses: ReadonlyMap<string, unknown>, deps: SyncDeps): Promise<ExecutionContext> {
  const doc = status.docs.get(execution.subject)
  // The run keeps the spec and plan it started with: prepare it from the revision it started on.
  const source = doc?.runRevision !== undefined && doc.runRevision !== desired.revision ? await deps.desiredAt(doc.runRevision) : desired
  const started: PreparedRun = prepareRun(resourcesOf(source), { name: execution.name, namespace: execution.namespace })
  // The run reports the spec it observes now, so an edit shows as SpecChanged (ImmutableSpec).
  const observedHash = source === desired ? started.input.specHash : currentSpecHash(desired, execution) ?? started.input.specHash
  // One uid per Execution for runIds and gate decisions: the one the tracked branch gives it now.
  const uid = String((execution.object.metadata as Record<string, unknown>).uid ?? started.input.uid)
  const prepared: PreparedRun = { ...started, input: { ...started.input, uid, specHash: observedHash } }
  const applied = new Set(doc?.appliedRequests ?? [])
  const retry = pendingRetry(execution, status, doc)
  const cancelAnnotation = ((execution.object.metadata as Record<string, unknown>).annotations as Record<string, string> | undefined)?.['planspec.io/cancel'] === 'true'
  const items = desired.items
  return {
    subject: execution.subject,
    namespace: execution.namespace,
    name: execution.name,
    generation: execution.generation,
    introducedIn: execution.introducedIn,
    prepared,
    doc,
    revision: desired.revision,
    cancel: cancelAnnotation || status.requests.some((r) => r.action === 'cancel' && matches(r, execution)),
    ...(retry === undefined ? {} : { retry: { id: retry.id, ...(retry.nodes ? { nodes: retry.nodes } : {}) } }),
    completions: status.requests
      .filter((r) => r.action === 'complete' && matches(r, execution) && r.target.node !== undefined && !applied.has(r.id))
      .map((r) => ({ id: r.id, node: r.target.node as string, ...(r.outputs ? { outputs: { ...r.outputs } } : {}) })),
    gate: (ref): GateNodeObservation => {
      const gate = items.get(subjectOf('Gate', ref.namespace, ref.name))
      if (gate === undefined) return { phase: 'NotFound', message: `gate "${ref.namespace}/${ref.name}" does not exist` }
      const decided = (statuses.get(referenceKey('Gate', ref.namespace, ref.name)) ?? status.docs.get(gate.subject)?.status) as GateStatus | undefined
      const digest = (doc?.status as ExecutionStatus | undefined)?.runDigest ?? prepared.input.runDigest ?? ''
      return gateNodeObservation({ metadata: { generation: gate.generation }, ...(decided === undefined ? {} : { status: decided }) }, { name: execution.name, uid: prepared.input.uid, digest })
    },
    resourcePhase: (ref) => {
      const kind = ref.kind ?? 'Goal'
      const target = items.get(subjectOf(kind, ref.namespace ?? execution.namespace, ref.name))
      if (target === undefined) return undefined
      const seen = (statuses.get(referenceKey(kind, target.namespace, target.name)) ?? status.docs.get(target.subject)?.status) as { phase?: string } | undefined
      return seen?.phase
    },
  }
}

/** The spec hash of an Execution as the tracked branch has it now (undefined when it cannot be prepared). */
function currentSpecHash(desired: DesiredSnapshot, execution: DesiredItem): string | undefined {
  try {
    return prepareRun(resourcesOf(desired), { name: execution.name, namespace: execution.namespace }).input.specHash
  } catch {
    return undefined
  }
}

/** Resource lists per snapshot: every leased Execution of a round prepares from the same one. */
const resourceLists = new WeakMap<DesiredSnapshot, ResourceLike[]>()

/** The desired items in the shape `prepareRun` reads (built once per snapshot). */
function resourcesOf(snapshot: DesiredSnapshot): ResourceLike[] {
  let list = resourceLists.get(snapshot)
  if (list === undefined) {
    list = [...snapshot.items.values()].map((i) => ({ kind: i.kind, name: i.name, namespace: i.namespace, value: i.object }))
    resourceLists.set(snapshot, list)
  }
  return list
}
