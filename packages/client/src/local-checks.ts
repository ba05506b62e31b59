import type { DesiredResource, DesiredState } from '@planspec/git-store'
import { judgeRunRequests, resourcesOf, type AgentRequest, type GitAgentRepo, type RequestAction, type StatusSnapshot } from '@planspec/agent'
import { checkAgentReview, checkRequester, checkReviewer, claimSubjects, normalizeSubject, type ExecutionDecision, type ExecutionStatus, type GateStatus, type RunRequestKind } from '@planspec/core'
import { prepareRun } from '@planspec/engine'

/** What the local checks of a request read. */
export interface LocalCheckContext {
  readonly repo: GitAgentRepo
  readonly desired: DesiredState
  readonly status: StatusSnapshot
  /** The requester as the agent will see them: `email:ADDR` of the signing author. */
  readonly requester: string
  /** The allowed signers (write access). */
  readonly writers: readonly string[]
  /** The request comes through an AI agent's client (`via: mcp:…`): decisions need a `svc:` reviewer the Gate names. */
  readonly agent?: boolean
}

/** What a request asks for, as far as the local checks look. */
export interface LocalCheckTarget {
  readonly node?: string
  readonly execution?: string
  readonly outputs?: Readonly<Record<string, unknown>>
  readonly failed?: boolean
}

/** The outcome of the local checks: a refusal, or the Execution an approval binds to and notes to print. */
export type LocalVerdict =
  | { readonly refusal: string; readonly reason: string }
  | { readonly refusal?: undefined; readonly bind?: { readonly execution: { readonly name: string; readonly uid: string }; readonly digest: string }; readonly notes: readonly string[] }

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/**
 * Checks a request before it is pushed, as the agent will (DECISIONS §5, §9). Approvals and
 * rejections: an Execution must wait on the Gate (`--execution` names one; with exactly one
 * waiting, the request binds to it and the digest of what it runs), the requester must not be its
 * change author, and must be eligible. Cancel and retry: the run must be in a phase that allows
 * them, and the requester its change author, a reviewer of a Gate of its plan, or an allowed
 * signer. Claim and complete: the node must wait for a worker, and the agent's own judgement
 * (`judgeRunRequests` over the requests recorded so far) must not refuse it: the requester is
 * eligible, nobody else holds the node's claim, a completion gives every declared output. Only
 * certain refusals are reported: membership of a `team:` needs the agent's team file, so it is
 * left to the agent. Each refusal starts with its PascalCase reason, also returned as `reason`.
 */
export async function localVerdict(action: RequestAction, item: DesiredResource, target: LocalCheckTarget, context: LocalCheckContext): Promise<LocalVerdict> {
  if (action === 'approve' || action === 'reject') return gateVerdict(item, target.execution, context)
  if (action === 'comment') return commentVerdict(item, target.execution, context)
  const run = context.status.docs.get(item.subject)?.status as ExecutionStatus | undefined
  const phase = run?.phase
  if (action === 'cancel' && phase !== undefined && TERMINAL.has(phase)) return { reason: 'Finished', refusal: `the Execution has ended: ${phase}` }
  if (action === 'retry' && phase !== 'Failed') return { reason: 'NotFailed', refusal: `only a Failed Execution can be retried; it is ${phase ?? 'not started'}` }
  if ((action === 'complete' || action === 'claim') && target.node !== undefined) {
    const node = run?.nodeStatuses?.[target.node]
    if (phase !== undefined && TERMINAL.has(phase)) return { reason: 'Finished', refusal: `the Execution has ended: ${phase}` }
    if (node?.phase !== 'Blocked' || (node.reason !== undefined && node.reason !== 'AwaitingClaim')) return { reason: 'NotWaiting', refusal: `node ${target.node} is ${node?.phase ?? 'Pending'}${node?.reason ? ` (${node.reason})` : ''}; only a node waiting for a worker can be ${action === 'claim' ? 'claimed' : 'completed'}` }
    return workVerdict(action, item, { ...target, node: target.node }, context)
  }
  if ((action === 'cancel' || action === 'retry') && item.kind === 'Execution') {
    const gateReviewers = planGateReviewers(item, context.desired)
    if (gateReviewers.some((r) => r.startsWith('team:'))) return { notes: [] }
    const author = context.status.docs.get(item.subject)?.changeAuthor ?? (await context.repo.changeAuthor(item))
    const reason = checkRequester(context.requester, action as RunRequestKind, { gateReviewers, teams: new Map(), writers: context.writers, ...(author ? { changeAuthor: author.subject } : {}) })
    if (reason !== undefined) return { reason, refusal: `${reason}: only the Execution's author, a reviewer of its plan's Gates, or someone in .planspec/allowed-signers may ${action} it` }
  }
  return { notes: [] }
}

async function gateVerdict(gate: DesiredResource, named: string | undefined, context: LocalCheckContext): Promise<LocalVerdict> {
  const status = context.status.docs.get(gate.subject)?.status as GateStatus | undefined
  const reviewers = (obj(gate.object.spec).reviewers as string[] | undefined) ?? []
  // A shell's refusal comes first (as the agent records it): an agent that may not decide at all.
  if (context.agent && checkAgentReview(context.requester, reviewers) !== undefined) return { reason: 'AgentCannotDecide', refusal: `AgentCannotDecide: an AI agent decides a Gate only when its reviewers name the agent's own identity with svc: (reviewers: ${reviewers.join(', ') || 'none'}; you act as ${context.requester})` }
  const waiting = await waitingOn(gate, status, context)
  const chosen = named === undefined ? waiting : waiting.filter((entry) => entry.name === named)
  if (chosen.length === 0) {
    const decided = named === undefined ? undefined : status?.executions?.find((entry) => entry.name === named)
    if (decided !== undefined) return { reason: 'AlreadyDecided', refusal: `AlreadyDecided: ${named} is ${decided.phase} on this Gate` }
    return { reason: 'NotWaiting', refusal: named === undefined ? 'NotWaiting: no Execution waits on this Gate (an approval given now would never count)' : `NotWaiting: Execution ${named} does not wait on this Gate` }
  }
  const mine = (entry: ExecutionDecision): boolean => entry.changeAuthor !== undefined && normalizeSubject(entry.changeAuthor) === normalizeSubject(context.requester)
  const own = chosen.filter(mine)
  if (own.length === chosen.length) return { reason: 'SelfApproval', refusal: `SelfApproval: you (${context.requester}) created ${own.map((e) => e.name).join(', ')} (separation of duties)` }
  const reason = checkReviewer(context.requester, { reviewers, teams: new Map(), writers: context.writers })
  if (reason === 'NotEligible' && !reviewers.some((r) => r.startsWith('team:'))) {
    return { reason: 'NotEligible', refusal: reviewers.length === 0 ? `NotEligible: the Gate lists no reviewers, so only people in .planspec/allowed-signers may decide it, and ${context.requester} is not there` : `NotEligible: ${context.requester} is not a reviewer of this Gate (reviewers: ${reviewers.join(', ')})` }
  }
  const notes = own.length > 0 ? [`it will not count for ${own.map((e) => e.name).join(', ')}: you created ${own.length === 1 ? 'it' : 'them'} (separation of duties)`] : []
  const only = chosen.length === 1 ? chosen[0]! : undefined
  // One run waits (or one is named): bind the decision to it and to what it runs, as seen now.
  return { notes, ...(only ? { bind: { execution: { name: only.name, uid: only.uid }, digest: only.digest } } : {}) }
}

/** A comment asks people to look at a Gate some Execution waits on (one named, or any); it never decides. */
async function commentVerdict(gate: DesiredResource, named: string | undefined, context: LocalCheckContext): Promise<LocalVerdict> {
  const waiting = await waitingOn(gate, context.status.docs.get(gate.subject)?.status as GateStatus | undefined, context)
  const chosen = named === undefined ? waiting : waiting.filter((entry) => entry.name === named)
  if (chosen.length === 0) return { reason: 'NotWaiting', refusal: named === undefined ? 'NotWaiting: no Execution waits on this Gate' : `NotWaiting: Execution ${named} does not wait on this Gate` }
  const only = chosen.length === 1 ? chosen[0]! : undefined
  return { notes: [], ...(only ? { bind: { execution: { name: only.name, uid: only.uid }, digest: only.digest } } : {}) }
}

/**
 * Judges a claim or completion as the agent will: the recorded requests plus this one, through
 * the agent's own `judgeRunRequests` (eligibility, the claim holder, declared outputs). A
 * `NotEligible` that a `team:` entry could lift (the agent's team file decides) is left to the agent.
 */
async function workVerdict(action: 'claim' | 'complete', item: DesiredResource, target: LocalCheckTarget & { readonly node: string }, context: LocalCheckContext): Promise<LocalVerdict> {
  const probe: AgentRequest = {
    id: '~local-check',
    action,
    target: { kind: item.kind, namespace: item.namespace, name: item.name, node: target.node },
    ...(target.outputs === undefined ? {} : { outputs: target.outputs }),
    ...(target.failed ? { failed: true } : {}),
    author: { name: context.requester, email: context.requester },
    time: new Date(0).toISOString(),
    actor: context.requester,
  }
  const judged = await judgeRunRequests([...context.status.requests, probe], { desired: context.desired, status: context.status, teams: new Map(), writers: context.writers, changeAuthor: (i) => context.repo.changeAuthor(i) })
  const refusal = judged.refused.get(item.subject)?.find((r) => r.id === probe.id)
  if (refusal === undefined) return { notes: [] }
  if (refusal.reason === 'NotEligible') {
    const named = [...assigneesOf(item, target.node, context.desired), ...planGateReviewers(item, context.desired)]
    if (named.some((subject) => subject.startsWith('team:'))) return { notes: [] }
    return { reason: 'NotEligible', refusal: `NotEligible: ${context.requester} is not named by the node's target (${named.join(', ') || 'nobody'}) nor a reviewer of its plan's Gates` }
  }
  if (refusal.reason === 'AlreadyClaimed' || refusal.reason === 'ClaimedByOther') {
    const holder = judged.holders.get(`${item.subject}#${target.node}`)
    return { reason: refusal.reason, refusal: `${refusal.reason}: node ${target.node} is claimed by ${holder ?? 'someone else'}` }
  }
  return { reason: refusal.reason, refusal: `${refusal.reason}: the node declares outputs that are missing: ${missingOutputs(item, target, context.desired).join(', ')}` }
}

/** The subjects a claimable node's target names (core's `claimSubjects`), as the run would bind it now. */
function assigneesOf(execution: DesiredResource, node: string, desired: DesiredState): string[] {
  try {
    const binding = prepareRun(resourcesOf(desired), { name: execution.name, namespace: execution.namespace }).input.bindings.get(node)
    return binding?.outcome === 'bound' ? claimSubjects(binding.provider, binding.config) : []
  } catch {
    return []
  }
}

function missingOutputs(execution: DesiredResource, target: LocalCheckTarget & { readonly node: string }, desired: DesiredState): string[] {
  const planRef = obj(obj(execution.object.spec).planRef)
  const plan = desired.resources.get(`plan/${typeof planRef.namespace === 'string' ? planRef.namespace : execution.namespace}/${String(planRef.name)}`)
  const node = ((obj(obj(plan?.object.spec).graph).nodes as Obj[] | undefined) ?? []).find((n) => n.id === target.node)
  const declared = Array.isArray(node?.outputs) ? (node.outputs as unknown[]).filter((name): name is string => typeof name === 'string') : []
  return declared.filter((name) => target.outputs?.[name] === undefined || target.outputs[name] === null)
}

/**
 * The Executions waiting on a Gate: its `Waiting` entries, and the runs whose Gate node for it
 * already waits but that the agent has not entered on the Gate yet (it binds them in the round that
 * reads the request, as core's `decideGate` does).
 */
async function waitingOn(gate: DesiredResource, status: GateStatus | undefined, context: LocalCheckContext): Promise<ExecutionDecision[]> {
  const entries = status?.executions ?? []
  const waiting = entries.filter((entry) => entry.phase === 'Waiting')
  for (const item of context.desired.resources.values()) {
    if (item.kind !== 'Execution') continue
    const uid = String(obj(item.object.metadata).uid ?? '')
    if (entries.some((entry) => entry.uid === uid)) continue
    const run = context.status.docs.get(item.subject)?.status as ExecutionStatus | undefined
    if (run?.runDigest === undefined || !gateNodesOf(item, context.desired).some((node) => node.gate === gate.subject && ['Blocked', 'Running'].includes(String(run.nodeStatuses?.[node.id]?.phase)))) continue
    const author = context.status.docs.get(item.subject)?.changeAuthor ?? (await context.repo.changeAuthor(item))
    waiting.push({ name: item.name, namespace: item.namespace, uid, digest: run.runDigest, phase: 'Waiting', ...(author ? { changeAuthor: author.subject } : {}) })
  }
  return waiting
}

/** The Gate nodes of an Execution's plan, with the subject of the Gate each names. */
function gateNodesOf(execution: DesiredResource, desired: DesiredState): { id: string; gate: string }[] {
  const planRef = obj(obj(execution.object.spec).planRef)
  const plan = desired.resources.get(`plan/${typeof planRef.namespace === 'string' ? planRef.namespace : execution.namespace}/${String(planRef.name)}`)
  const nodes = (obj(obj(plan?.object.spec).graph).nodes as Obj[] | undefined) ?? []
  return nodes
    .filter((node) => node.kind === 'Gate' && typeof node.id === 'string')
    .map((node) => ({ id: node.id as string, gate: `gate/${typeof obj(node.gateRef).namespace === 'string' ? (obj(node.gateRef).namespace as string) : execution.namespace}/${String(obj(node.gateRef).name)}` }))
}

/** The reviewers of every Gate an Execution's plan names. */
function planGateReviewers(execution: DesiredResource, desired: DesiredState): string[] {
  const planRef = obj(obj(execution.object.spec).planRef)
  const plan = desired.resources.get(`plan/${typeof planRef.namespace === 'string' ? planRef.namespace : execution.namespace}/${String(planRef.name)}`)
  const nodes = (obj(obj(plan?.object.spec).graph).nodes as Obj[] | undefined) ?? []
  return nodes
    .filter((node) => node.kind === 'Gate')
    .flatMap((node) => {
      const ref = obj(node.gateRef)
      const gate = desired.resources.get(`gate/${typeof ref.namespace === 'string' ? ref.namespace : execution.namespace}/${String(ref.name)}`)
      return (obj(gate?.object.spec).reviewers as string[] | undefined) ?? []
    })
}
