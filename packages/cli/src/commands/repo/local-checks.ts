import type { DesiredItem, DesiredSnapshot, GitAgentRepo, RequestAction, StatusSnapshot } from '@planspec/agent'
import { checkReviewer, type ExecutionStatus } from '@planspec/core'

/** What the local checks of a request read. */
export interface LocalCheckContext {
  readonly repo: GitAgentRepo
  readonly desired: DesiredSnapshot
  readonly status: StatusSnapshot
  /** The requester as the agent will see them: `email:ADDR` of the signing author. */
  readonly requester: string
  /** The allowed signers (write access). */
  readonly writers: readonly string[]
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/**
 * Checks a request before it is pushed, as the agent will (DECISIONS §5, §9), and returns why it
 * cannot count, or undefined. Only certain refusals are reported: eligibility through a `team:`
 * reviewer needs the agent's team file, so it is left to the agent.
 */
export async function localRefusal(action: RequestAction, item: DesiredItem, target: { readonly node?: string }, context: LocalCheckContext): Promise<string | undefined> {
  if (action === 'approve' || action === 'reject') return gateRefusal(item, context)
  const run = context.status.docs.get(item.subject)?.status as ExecutionStatus | undefined
  const phase = run?.phase
  if (action === 'cancel' && phase !== undefined && TERMINAL.has(phase)) return `the Execution has ended: ${phase}`
  if (action === 'retry' && phase !== 'Failed') return `only a Failed Execution can be retried; it is ${phase ?? 'not started'}`
  if ((action === 'complete' || action === 'claim') && target.node !== undefined) {
    const node = run?.nodeStatuses?.[target.node]?.phase
    if (phase !== undefined && TERMINAL.has(phase)) return `the Execution has ended: ${phase}`
    if (node !== 'Blocked') return `node ${target.node} is ${node ?? 'Pending'}; only a node waiting for a worker can be ${action === 'claim' ? 'claimed' : 'completed'}`
  }
  return undefined
}

async function gateRefusal(gate: DesiredItem, context: LocalCheckContext): Promise<string | undefined> {
  const reviewers = (obj(gate.object.spec).reviewers as string[] | undefined) ?? []
  const authors = await changeAuthorsOf(gate, context)
  const reason = checkReviewer(context.requester, { reviewers, teams: new Map(), writers: context.writers, ...(authors[0] ? { changeAuthor: authors[0] } : {}) })
  if (reason === 'SelfApproval') return `SelfApproval: you (${context.requester}) created the Execution waiting on this Gate (separation of duties)`
  if (reason === 'NotEligible' && !reviewers.some((r) => r.startsWith('team:'))) {
    return reviewers.length === 0 ? `NotEligible: the Gate lists no reviewers, so only people in .planspec/allowed-signers may decide it, and ${context.requester} is not there` : `NotEligible: ${context.requester} is not a reviewer of this Gate (reviewers: ${reviewers.join(', ')})`
  }
  return undefined
}

/** The change authors of the Executions a Gate decides for (its target). */
async function changeAuthorsOf(gate: DesiredItem, context: LocalCheckContext): Promise<string[]> {
  const ref = obj(obj(gate.object.spec).targetRef)
  if (ref.kind !== 'Execution' || typeof ref.name !== 'string') return []
  const execution = context.desired.items.get(`execution/${typeof ref.namespace === 'string' ? ref.namespace : gate.namespace}/${ref.name}`)
  if (execution === undefined) return []
  const author = context.status.docs.get(execution.subject)?.changeAuthor ?? (await context.repo.changeAuthor(execution))
  return author === undefined ? [] : [author.subject]
}
