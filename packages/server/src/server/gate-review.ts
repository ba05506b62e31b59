import { decideGate, normalizeSubject, type GateObservation, type GateRefusal, type GateStatus } from '@planspec/core'
import type { StoredResource } from '@planspec/engine'
import type { StoreTransaction } from '../store/api-store.js'
import type { Authorizer } from './authorizer.js'
import { ApiError } from './error-catalog.js'
import { kindByName } from './kinds.js'
import type { Identity, TokenRegistry } from './tokens.js'
import { CREATED_BY_ANNOTATION, readObject, subjectOf } from './write-object.js'

const GATES = kindByName('Gate')!
const ACTIVE_EXECUTION = new Set(['Running', 'Blocked'])
const WAITING_NODE = new Set(['Running', 'Blocked'])

/** What deciding a Gate needs besides the store: who exists, who may approve, and the clock. */
export interface GateDeps {
  readonly tokens: TokenRegistry | undefined
  readonly authorizer: Authorizer
  readonly now: string
}

/** The policy part of a Gate observation: activation, team members, writers and the change author. */
export type GatePolicy = Pick<GateObservation, 'activated' | 'teams' | 'writers' | 'changeAuthor'>

/**
 * Gathers what core's `decideGate` needs to know about a Gate from the store (DECISIONS §5):
 * - `activated`: the Gate is already `Waiting`, or a running Execution has a Gate node naming it
 *   that is `Running` or `Blocked`;
 * - `teams`: for each `team:ORG/SLUG` reviewer, the known identities in group `ORG/SLUG` (or `team:ORG/SLUG`);
 * - `writers`: identities allowed to `approve` gates in the namespace (everyone when RBAC is off);
 * - `changeAuthor`: the creator (`planspec.io/created-by`) of the Execution the Gate targets, or of
 *   the newest Execution of the Plan it targets: never eligible (separation of duties).
 */
export function gatePolicy(tx: StoreTransaction, gate: StoredResource, deps: Omit<GateDeps, 'now'>): GatePolicy {
  const namespace = gate.metadata.namespace ?? 'default'
  const spec = (gate.spec ?? {}) as { reviewers?: string[]; targetRef?: { kind?: string; name?: string; namespace?: string } }
  const identities = deps.tokens?.identities() ?? []
  const teams = new Map<string, string[]>()
  for (const reviewer of spec.reviewers ?? []) {
    if (!normalizeSubject(reviewer).startsWith('team:')) continue
    const slug = reviewer.slice(reviewer.indexOf(':') + 1).toLowerCase()
    teams.set(reviewer, identities.filter((id) => id.groups.some((g) => g.toLowerCase() === slug || g.toLowerCase() === `team:${slug}`)).map(subjectOfIdentity))
  }
  const writers = identities.filter((id) => deps.authorizer.allowed(id, { verb: 'approve', resource: 'gates', namespace, name: gate.metadata.name })).map(subjectOfIdentity)
  const executions = tx.list('Execution', namespace)
  const target = spec.targetRef
  const targetNamespace = target?.namespace ?? namespace
  let author: StoredResource | undefined
  if (target?.kind === 'Execution' && target.name !== undefined) author = tx.get({ kind: 'Execution', namespace: targetNamespace, name: target.name })
  else if (target?.kind === 'Plan') {
    author = executions
      .filter((e) => (e.spec as { planRef?: { name?: string } } | undefined)?.planRef?.name === target.name)
      .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))[0]
  }
  const changeAuthor = author?.metadata.annotations?.[CREATED_BY_ANNOTATION]
  const phase = (gate.status as GateStatus | undefined)?.phase
  const activated = phase === 'Waiting' || executions.some((execution) => reachesGate(tx, execution, gate))
  return { activated, teams, writers, ...(changeAuthor === undefined ? {} : { changeAuthor }) }
}

function subjectOfIdentity(identity: Identity): string {
  return subjectOf(identity)
}

function reachesGate(tx: StoreTransaction, execution: StoredResource, gate: StoredResource): boolean {
  const status = execution.status as { phase?: string; nodeStatuses?: Record<string, { phase?: string } | undefined> } | undefined
  if (!ACTIVE_EXECUTION.has(status?.phase ?? '')) return false
  const namespace = execution.metadata.namespace ?? 'default'
  const planRef = (execution.spec as { planRef?: { name: string; namespace?: string } } | undefined)?.planRef
  if (planRef === undefined) return false
  const plan = tx.get({ kind: 'Plan', namespace: planRef.namespace ?? namespace, name: planRef.name })
  const nodes = (plan?.spec as { graph?: { nodes?: { id: string; kind: string; gateRef?: { name: string; namespace?: string } }[] } } | undefined)?.graph?.nodes ?? []
  return nodes.some(
    (node) =>
      node.kind === 'Gate' &&
      node.gateRef?.name === gate.metadata.name &&
      (node.gateRef.namespace ?? namespace) === gate.metadata.namespace &&
      WAITING_NODE.has(status?.nodeStatuses?.[node.id]?.phase ?? ''),
  )
}

/** A review request from the API. */
export interface ReviewRequest {
  readonly namespace: string
  readonly name: string
  readonly action: 'approve' | 'reject'
  readonly identity: Identity
  readonly comment?: string
  /** The Gate generation the reviewer saw; the current one when absent. */
  readonly targetGeneration?: number
}

/**
 * Records an approve or reject into the Gate's `reviewHistory` and decides the Gate with core's
 * `decideGate` (distinct eligible reviewers, no self-approval, quorum, stale generations). Throws
 * 409 when the Gate is already decided for its current generation (nothing is recorded). Returns the
 * stored Gate and, when the action was recorded but does not count, why.
 */
export function reviewGate(tx: StoreTransaction, request: ReviewRequest, deps: GateDeps): { gate: StoredResource; refusal: GateRefusal | undefined } {
  const gate = readObject(tx, GATES, { kind: 'Gate', namespace: request.namespace, name: request.name })
  const generation = gate.metadata.generation ?? 1
  const status = (gate.status ?? {}) as GateStatus
  if ((status.phase === 'Approved' || status.phase === 'Rejected') && status.decidedGeneration === generation) {
    throw new ApiError('Conflict', `gate ${JSON.stringify(request.name)} is already ${status.phase} for generation ${generation}`, { name: request.name, group: 'planspec.io', kind: 'gates' })
  }
  const result = decideGate({
    gate: { metadata: { generation }, spec: (gate.spec ?? {}) as { reviewers?: string[]; requiredApprovers?: number }, status },
    ...gatePolicy(tx, gate, deps),
    actions: [
      {
        reviewer: subjectOf(request.identity),
        action: request.action,
        timestamp: deps.now,
        ...(request.comment === undefined ? {} : { comment: request.comment }),
        targetGeneration: request.targetGeneration ?? generation,
        source: 'api',
      },
    ],
    now: deps.now,
  })
  const saved = tx.updateStatus({ ...gate, status: result.status })
  return { gate: saved, refusal: result.refused[0] }
}
