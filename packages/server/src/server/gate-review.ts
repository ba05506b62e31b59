import { checkAgentReview, decideGate, isAgentVia, missingTarget as missingGateTarget, normalizeSubject, subjectOf as objectKeyOf, waitingExecutions, type GateObservation, type GateRefusal, type GateStatus, type StoredResource } from '@planspec/core'
import type { StoreTransaction } from '../store/api-store.js'
import type { Authorizer } from './authorizer.js'
import { kindByName } from './kinds.js'
import type { Identity, TokenRegistry } from './tokens.js'
import { indexedResource, transactionIndex } from '../serve/transaction-index.js'
import { CREATED_BY_ANNOTATION, readObject, subjectOf } from './write-object.js'

const GATES = kindByName('Gate')!

/** What deciding a Gate needs besides the store: who exists, who may approve, and the clock. */
export interface GateDeps {
  readonly tokens: TokenRegistry | undefined
  readonly authorizer: Authorizer
  readonly now: string
}

/** The policy part of a Gate observation: the waiting Executions, team members and writers. */
export type GatePolicy = Pick<GateObservation, 'waiting' | 'teams' | 'writers'>

/**
 * Gathers what core's `decideGate` needs to know about a Gate from the store (DECISIONS §5, §9):
 * - `waiting`: every Execution (any namespace) whose Gate node naming this Gate is `Running` or
 *   `Blocked`, with its uid, `runDigest` and change author (its creator, `planspec.io/created-by`:
 *   never eligible for it, separation of duties per Execution), found by core's
 *   `waitingExecutions`. `targetRef` plays no part: it neither widens nor narrows who is checked;
 * - `teams` and `writers`: see {@link gateReviewers}.
 */
export function gatePolicy(tx: StoreTransaction, gate: StoredResource, deps: Omit<GateDeps, 'now'>): GatePolicy {
  const namespace = gate.metadata.namespace ?? 'default'
  const waiting = waitingExecutions(transactionIndex(tx), (execution) => ((execution.object.metadata as { annotations?: Record<string, string> }).annotations ?? {})[CREATED_BY_ANNOTATION])
  return { waiting: waiting.get(objectKeyOf('Gate', namespace, gate.metadata.name)) ?? [], ...gateReviewers(namespace, gate.metadata.name, (gate.spec ?? {}) as { reviewers?: string[] }, deps) }
}

/**
 * Finds who may decide a Gate from the tokens and RBAC: `teams`, for each `team:ORG/SLUG`
 * reviewer, the known identities in group `ORG/SLUG` (or `team:ORG/SLUG`); `writers`, the
 * identities allowed to `approve` gates in the namespace (everyone when RBAC is off).
 */
export function gateReviewers(namespace: string, name: string, spec: { readonly reviewers?: readonly string[] }, deps: Omit<GateDeps, 'now'>): Pick<GateObservation, 'teams' | 'writers'> {
  const identities = deps.tokens?.identities() ?? []
  const teams = new Map<string, string[]>()
  for (const reviewer of spec.reviewers ?? []) {
    const team = normalizeSubject(reviewer)
    if (!team.startsWith('team:')) continue
    teams.set(reviewer, identities.filter((id) => teamsOf(id).includes(team)).map(subjectOfIdentity))
  }
  const writers = identities.filter((id) => deps.authorizer.allowed(id, { verb: 'approve', resource: 'gates', namespace, name })).map(subjectOfIdentity)
  return { teams, writers }
}

/**
 * The teams an identity is a member of, as Gate reviewers name them (`team:org/slug`, lower-case):
 * each of its groups written `ORG/SLUG` or `team:ORG/SLUG` (DECISIONS §5; groups come from the
 * tokens file). Other groups (`system:masters`) name no team.
 */
export function teamsOf(identity: Identity): string[] {
  const teams = identity.groups.map((group) => group.toLowerCase().replace(/^team:/, '')).filter((slug) => slug.includes('/') && !slug.includes(':'))
  return [...new Set(teams)].map((slug) => `team:${slug}`)
}

function subjectOfIdentity(identity: Identity): string {
  return subjectOf(identity)
}

/**
 * Tells why a Gate's `targetRef` names nothing (core's `missingTarget` over the transaction), or
 * `undefined` when the target exists or none is given. Only reported: separation of duties never
 * depends on it.
 */
export function missingTarget(tx: StoreTransaction, gate: StoredResource): string | undefined {
  return missingGateTarget(transactionIndex(tx), indexedResource(gate))
}

/** A review request from the API. */
export interface ReviewRequest {
  readonly namespace: string
  readonly name: string
  readonly action: 'approve' | 'reject' | 'comment'
  readonly identity: Identity
  /** The client the action came through (`mcp:NAME/VERSION` for an AI agent): recorded in `source`, never an identity. */
  readonly via?: string
  readonly comment?: string
  /** The Gate generation the reviewer saw; the current one when absent. */
  readonly targetGeneration?: number
  /** The Execution decided for (its name in any namespace waiting on the Gate); absent: every waiting one. */
  readonly execution?: string
  /** The run digest the reviewer saw; absent: the waiting Execution's current one. */
  readonly digest?: string
}

/**
 * Records an approve, reject or comment into the Gate's `reviewHistory`, bound to the Executions it
 * decides for, and decides the Gate with core's `decideGate` (per Execution: distinct eligible
 * reviewers, no self-approval, quorum, stale generations and digests). `source` is `api`, or
 * `api via CLIENT` when the request names the client it came through; a decision through an AI
 * agent's client (`via: mcp:…`) is refused `AgentCannotDecide` unless the Gate names the caller's
 * `svc:` identity (core's `checkAgentReview`). Returns the stored Gate, how many
 * history entries counted and the refusals (recorded, not counted). A named Execution that does not
 * wait on the Gate is refused `NotWaiting`, never an error path around the checks.
 */
export function reviewGate(tx: StoreTransaction, request: ReviewRequest, deps: GateDeps): { gate: StoredResource; counted: number; refusals: readonly GateRefusal[] } {
  const gate = readObject(tx, GATES, { kind: 'Gate', namespace: request.namespace, name: request.name })
  const generation = gate.metadata.generation ?? 1
  const status = (gate.status ?? {}) as GateStatus
  const policy = gatePolicy(tx, gate, deps)
  const named = request.execution === undefined ? undefined : policy.waiting.find((w) => w.name === request.execution) ?? (status.executions ?? []).find((e) => e.name === request.execution)
  const spec = (gate.spec ?? {}) as { reviewers?: string[]; requiredApprovers?: number }
  const refusal = request.action !== 'comment' && isAgentVia(request.via) ? checkAgentReview(subjectOf(request.identity), spec.reviewers) : undefined
  const result = decideGate({
    gate: { metadata: { generation }, spec: (gate.spec ?? {}) as { reviewers?: string[]; requiredApprovers?: number }, status },
    ...policy,
    actions: [
      {
        reviewer: subjectOf(request.identity),
        action: request.action,
        timestamp: deps.now,
        ...(request.comment === undefined ? {} : { comment: request.comment }),
        targetGeneration: request.targetGeneration ?? generation,
        source: request.via === undefined ? 'api' : `api via ${request.via}`,
        ...(refusal === undefined ? {} : { refusal }),
        ...(request.execution === undefined ? {} : { execution: { name: request.execution, uid: named?.uid ?? `unknown:${request.execution}` } }),
        ...(request.digest === undefined ? {} : { digest: request.digest }),
      },
    ],
    now: deps.now,
  })
  const before = status.reviewHistory?.length ?? 0
  const counted = (result.status.reviewHistory ?? []).slice(before).filter((entry) => entry.counted === true).length
  const saved = tx.updateStatus({ ...gate, status: result.status })
  return { gate: saved, counted, refusals: result.refused }
}
