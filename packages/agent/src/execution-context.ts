import type { DesiredResource, DesiredState } from '@planspec/git-store'
import { gateNodeObservation, PlanSpecError, subjectOf, type Condition, type ExecutionStatus, type GateNodeObservation, type GateStatus } from '@planspec/core'
import { isBlockedOnBindings, prepareRun, type PreparedRun, type ResourceLike } from '@planspec/engine'
import { matches, pendingRetry } from './decide-leases.js'
import type { ExecutionContext } from './execution-runners.js'
import type { ChangeAuthor, StatusDoc, StatusSnapshot } from './types.js'

/** What one round knows when it prepares an Execution's run. */
export interface ExecutionRound {
  readonly desired: DesiredState
  /** The status branch with only the requests that count (proven and eligible). */
  readonly status: StatusSnapshot
  /** The statuses reconciled this round (Gates, Goals...), fresher than the branch. */
  readonly statuses: ReadonlyMap<string, unknown>
  readonly desiredAt: (revision: string) => Promise<DesiredState>
  /** Tells whether a commit is in the tracked branch's history. */
  readonly reachable: (revision: string) => Promise<boolean>
  readonly changeAuthor: ChangeAuthor | undefined
  /** A `StatusTampered` condition to keep on the run's status, if its file was tampered with. */
  readonly tampered: Condition | undefined
  /** Requests on this run refused this round (not eligible), recorded in its status. */
  readonly refusedRequests: readonly { readonly id: string; readonly reason: string }[]
}

/** A run the agent refuses to continue: its recorded revision is not on the tracked branch. */
export class UnreachableRevisionError extends PlanSpecError {
  constructor(subject: string, revision: string) {
    super(`${subject} started on ${revision.slice(0, 12)}, which is not in the tracked branch's history; the run is not continued`, { code: 'PLANSPEC_ERR_AGENT_REVISION_UNREACHABLE', data: { subject, revision } })
  }
}

/**
 * Builds everything a runner needs for one Execution this round: the run prepared from the
 * revision it started on (DECISIONS §3 immutability; that revision must be reachable from the
 * tracked branch, DECISIONS §9, else {@link UnreachableRevisionError}), the spec hash observed now
 * (an edit shows as SpecChanged), cancel, retry and completions from the requests that count,
 * and the Gate and resource observations its waiting nodes read.
 */
export async function executionContext(execution: DesiredResource, round: ExecutionRound): Promise<ExecutionContext> {
  const { desired, status, statuses } = round
  const recorded = status.docs.get(execution.subject)
  // A run waiting for a missing Binding has not started: it is prepared from the tracked branch
  // as it is now (the Binding may have been added since), and pinned once it starts.
  const doc = recorded !== undefined && isBlockedOnBindings(recorded.status as ExecutionStatus | undefined) ? withoutRunRevision(recorded) : recorded
  // The run keeps the spec and plan it started with: prepare it from the revision it started on.
  if (doc?.runRevision !== undefined && doc.runRevision !== desired.revision && !(await round.reachable(doc.runRevision))) throw new UnreachableRevisionError(execution.subject, doc.runRevision)
  const source = doc?.runRevision !== undefined && doc.runRevision !== desired.revision ? await round.desiredAt(doc.runRevision) : desired
  const started: PreparedRun = prepareRun(resourcesOf(source), { name: execution.name, namespace: execution.namespace })
  // The run reports the spec it observes now, so an edit shows as SpecChanged (ImmutableSpec).
  const observedHash = source === desired ? started.input.specHash : currentSpecHash(desired, execution) ?? started.input.specHash
  // One uid per Execution for runIds and gate decisions: the one the tracked branch gives it now.
  const uid = String(execution.object.metadata.uid ?? started.input.uid)
  const prepared: PreparedRun = { ...started, input: { ...started.input, uid, specHash: observedHash } }
  const applied = new Set(doc?.appliedRequests ?? [])
  const retry = pendingRetry(execution, status, doc)
  const cancelAnnotation = (execution.object.metadata.annotations)?.['planspec.io/cancel'] === 'true'
  const items = desired.resources
  return {
    subject: execution.subject,
    namespace: execution.namespace,
    name: execution.name,
    generation: execution.identity.generation,
    introducedIn: execution.identity.introducedIn,
    prepared,
    doc,
    revision: desired.revision,
    ...(round.changeAuthor ? { changeAuthor: round.changeAuthor } : {}),
    ...(round.tampered ? { tampered: round.tampered } : {}),
    refusedRequests: [...(doc?.refusedRequests ?? []), ...round.refusedRequests.filter((r) => !doc?.refusedRequests?.some((known) => known.id === r.id)).map((r) => ({ id: r.id, reason: r.reason }))],
    cancel: cancelAnnotation || status.requests.some((r) => r.action === 'cancel' && matches(r, execution)),
    ...(retry === undefined ? {} : { retry: { id: retry.id, ...(retry.nodes ? { nodes: retry.nodes } : {}) } }),
    completions: status.requests
      .filter((r) => r.action === 'complete' && matches(r, execution) && r.target.node !== undefined && !applied.has(r.id))
      .map((r) => ({ id: r.id, node: r.target.node as string, ...(r.outputs ? { outputs: { ...r.outputs } } : {}), ...(r.failed ? { failed: true } : {}), ...(r.comment ? { message: r.comment } : {}) })),
    gate: (ref): GateNodeObservation => {
      const gate = items.get(subjectOf('Gate', ref.namespace, ref.name))
      if (gate === undefined) return { phase: 'NotFound', message: `gate "${ref.namespace}/${ref.name}" does not exist` }
      const decided = (statuses.get(subjectOf('Gate', ref.namespace, ref.name)) ?? status.docs.get(gate.subject)?.status) as GateStatus | undefined
      // Only this run's own entry, for its uid and the digest of what it runs, can open its Gate node.
      const digest = (doc?.status as ExecutionStatus | undefined)?.runDigest ?? prepared.input.runDigest ?? ''
      return gateNodeObservation({ metadata: { generation: gate.identity.generation }, ...(decided === undefined ? {} : { status: decided }) }, { name: execution.name, uid: prepared.input.uid, digest })
    },
    resourcePhase: (ref) => {
      const kind = ref.kind ?? 'Goal'
      const target = items.get(subjectOf(kind, ref.namespace ?? execution.namespace, ref.name))
      if (target === undefined) return undefined
      const seen = (statuses.get(subjectOf(kind, target.namespace, target.name)) ?? status.docs.get(target.subject)?.status) as { phase?: string } | undefined
      return seen?.phase
    },
  }
}

/** A status document without the revision its run is pinned to. */
function withoutRunRevision(doc: StatusDoc): StatusDoc {
  const { runRevision: _pinned, ...rest } = doc
  return rest
}

/** The spec hash of an Execution as the tracked branch has it now (undefined when it cannot be prepared). */
function currentSpecHash(desired: DesiredState, execution: DesiredResource): string | undefined {
  try {
    return prepareRun(resourcesOf(desired), { name: execution.name, namespace: execution.namespace }).input.specHash
  } catch {
    return undefined
  }
}

/** Resource lists per snapshot: every leased Execution of a round prepares from the same one. */
const resourceLists = new WeakMap<DesiredState, ResourceLike[]>()

/** The desired items in the shape `prepareRun` reads (built once per snapshot). */
export function resourcesOf(snapshot: DesiredState): ResourceLike[] {
  let list = resourceLists.get(snapshot)
  if (list === undefined) {
    list = [...snapshot.resources.values()].map((i) => ({ kind: i.kind, name: i.name, namespace: i.namespace, value: i.object }))
    resourceLists.set(snapshot, list)
  }
  return list
}
