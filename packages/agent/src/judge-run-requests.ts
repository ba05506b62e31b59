import type { DesiredResource, DesiredState } from '@planspec/git-store'
import { checkClaim, checkCompletion, checkRequester, claimSubjects, type RunRequestKind, subjectOf } from '@planspec/core'
import { prepareRun } from '@planspec/engine'
import { resourcesOf } from './execution-context.js'
import type { AgentRequest, ChangeAuthor, StatusSnapshot } from './types.js'

/** What {@link judgeRunRequests} decides on. */
export interface RunRequestFacts {
  readonly desired: DesiredState
  readonly status: StatusSnapshot
  readonly teams: ReadonlyMap<string, readonly string[]>
  /** People with write access: the allowed signers, `--teams` members and `--writer`s. */
  readonly writers: readonly string[]
  readonly changeAuthor: (item: DesiredResource) => Promise<ChangeAuthor | undefined>
}

/** The outcome: requests that count, and those refused. */
export interface JudgedRunRequests {
  /** Gate requests (judged by core) and run requests that count, in order. */
  readonly counted: AgentRequest[]
  /** Newly refused run requests, by the subject of their target (recorded in its status). */
  readonly refused: ReadonlyMap<string, readonly { readonly id: string; readonly reason: string; readonly requester: string }[]>
  /** Who holds each claimed node: `kind/namespace/name#node` → the subject of the first claim that counted. */
  readonly holders: ReadonlyMap<string, string>
}

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/**
 * Checks who may cancel, retry, claim and complete (DECISIONS §9, core's `checkRequester`), for
 * requests that prove their requester, in the order they were recorded:
 * - cancel and retry are for the Execution's change author, a reviewer of a Gate of its plan, or a
 *   writer; claim and complete for a subject the node's `human://`/`agent://` target names, or
 *   such a reviewer (`NotEligible`);
 * - the first claim of a node that counts holds it: a later claim by someone else is
 *   `AlreadyClaimed`, a completion by someone else `ClaimedByOther` (core's `checkClaim`), so two
 *   workers racing for one node get exactly one winner, the same for every reader of the branch;
 * - a successful completion must give every output the node declares (`MissingOutputs`).
 * A refusal is final: once recorded in the target's status it is never judged again (a later
 * change of reviewers does not revive it). Approvals and rejections pass through to core's
 * `decideGate`. Workers (`planspec mcp`) call it on the same request log to learn at once whether
 * their claim won.
 *
 * @example
 * const { counted, refused, holders } = await judgeRunRequests(status.requests, { desired, status, teams, writers, changeAuthor })
 */
export async function judgeRunRequests(requests: readonly AgentRequest[], facts: RunRequestFacts): Promise<JudgedRunRequests> {
  const counted: AgentRequest[] = []
  const refused = new Map<string, { id: string; reason: string; requester: string }[]>()
  const holders = new Map<string, string>()
  for (const request of requests) {
    if (request.actor === undefined) continue
    if (request.target.kind === 'Gate') {
      counted.push(request)
      continue
    }
    const subject = subjectOf(request.target.kind, request.target.namespace, request.target.name)
    const item = facts.desired.resources.get(subject)
    const doc = facts.status.docs.get(subject)
    if (item === undefined || doc?.refusedRequests?.some((r) => r.id === request.id)) continue
    const node = request.target.node
    const claimKey = node === undefined ? undefined : `${subject}#${node}`
    if (doc?.appliedRequests?.includes(request.id)) {
      counted.push(request)
      continue
    }
    const policy = await policyOf(item, request, facts)
    let reason: string | undefined = checkRequester(request.actor, request.action as RunRequestKind, policy)
    if (reason === undefined && claimKey !== undefined && (request.action === 'claim' || request.action === 'complete')) {
      reason = checkClaim(request.actor, request.action, holders.get(claimKey)) ?? (request.action === 'complete' ? checkCompletion(policy.declaredOutputs, request.outputs, request.failed === true)?.reason : undefined)
      if (reason === undefined && request.action === 'claim' && !holders.has(claimKey)) holders.set(claimKey, request.actor)
    }
    if (reason === undefined) counted.push(request)
    else refused.set(subject, [...(refused.get(subject) ?? []), { id: request.id, reason, requester: request.actor }])
  }
  return { counted, refused, holders }
}

async function policyOf(item: DesiredResource, request: AgentRequest, facts: RunRequestFacts): Promise<Parameters<typeof checkRequester>[2] & { declaredOutputs: readonly string[] }> {
  const author = await facts.changeAuthor(item)
  const base = { teams: facts.teams, writers: facts.writers, declaredOutputs: [] as string[], ...(author === undefined ? {} : { changeAuthor: author.subject }) }
  if (item.kind !== 'Execution') return { ...base, gateReviewers: [] }
  const planRef = obj(obj(item.object.spec).planRef)
  const plan = facts.desired.resources.get(`plan/${typeof planRef.namespace === 'string' ? planRef.namespace : item.namespace}/${String(planRef.name)}`)
  const nodes = (obj(obj(plan?.object.spec).graph).nodes as Obj[] | undefined) ?? []
  const gateReviewers = nodes
    .filter((node) => node.kind === 'Gate')
    .flatMap((node) => {
      const ref = obj(node.gateRef)
      const gate = facts.desired.resources.get(`gate/${typeof ref.namespace === 'string' ? ref.namespace : item.namespace}/${String(ref.name)}`)
      return (obj(gate?.object.spec).reviewers as string[] | undefined) ?? []
    })
  const node = request.target.node
  if ((request.action !== 'claim' && request.action !== 'complete') || node === undefined) return { ...base, gateReviewers }
  const declared = nodes.find((candidate) => candidate.id === node)?.outputs
  const declaredOutputs = Array.isArray(declared) ? declared.filter((name): name is string => typeof name === 'string') : []
  let assignees: string[] = []
  try {
    const binding = prepareRun(resourcesOf(facts.desired), { name: item.name, namespace: item.namespace }).input.bindings.get(node)
    if (binding?.outcome === 'bound') assignees = claimSubjects(binding.provider, binding.config)
  } catch {
    // A plan that cannot be prepared names nobody: only reviewers may complete its work.
  }
  return { ...base, gateReviewers, assignees, declaredOutputs }
}
