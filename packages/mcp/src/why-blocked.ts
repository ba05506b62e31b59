import type { ResourceView } from '@planspec/client'
import { claimSubjects, type ExecutionStatus, type GateStatus } from '@planspec/core'
import { gateReviewers, prepareView } from './run-context.js'

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/** One thing a resource waits on. */
export interface BlockingReason {
  /** The node that waits (Executions). */
  readonly node?: string
  /** PascalCase: `AwaitingClaim`, `AwaitingApproval`, `AwaitingExternal`, a condition's reason, ... */
  readonly reason: string
  readonly message: string
  /** Who or what can move it on: subjects that may claim or approve, an external reference. */
  readonly waitingFor?: readonly string[]
}

/** The answer of `why_blocked`. */
export interface BlockedExplanation {
  /** `kind/namespace/name`. */
  readonly subject: string
  readonly phase: string
  /** True while something outside the engine (people, workers, externals) must act. */
  readonly blocked: boolean
  readonly reasons: readonly BlockingReason[]
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled', 'Approved', 'Rejected'])

/**
 * Explains why a resource does not move on (the "why is it waiting?" chain, down to the missing
 * worker or approver): for an Execution, each node that waits (a worker to claim it and who may;
 * a Gate's decision for this run, with its reviewers and what the Gate node observes; an
 * external), and conditions that stop it; for a Gate, each Execution waiting on it and who may
 * decide; for other kinds, their phase and failing conditions. Pure.
 *
 * @example
 * whyBlocked(execution, await readAll(client))
 */
export function whyBlocked(resource: ResourceView, all: readonly ResourceView[]): BlockedExplanation {
  const status = obj(resource.status)
  const phase = typeof status.phase === 'string' ? status.phase : 'Pending'
  const subject = `${resource.kind.toLowerCase()}/${resource.namespace}/${resource.name}`
  const reasons: BlockingReason[] = []
  if (resource.kind === 'Execution') reasons.push(...executionReasons(resource, all))
  if (resource.kind === 'Gate') reasons.push(...gateReasons(resource))
  for (const condition of (status.conditions as Obj[] | undefined) ?? []) {
    const healthy = condition.type === 'Ready' || condition.type === 'Progressing' || condition.type === 'Succeeded' ? true : condition.status !== 'False'
    if (healthy || typeof condition.reason !== 'string') continue
    reasons.push({ reason: condition.reason, message: `${String(condition.type)}=False: ${String(condition.message ?? condition.reason)}` })
  }
  if (reasons.length === 0 && !TERMINAL.has(phase) && typeof status.message === 'string') reasons.push({ reason: typeof status.reason === 'string' ? status.reason : phase, message: status.message })
  return { subject, phase, blocked: !TERMINAL.has(phase) && reasons.some((r) => r.reason.startsWith('Awaiting') || r.waitingFor !== undefined), reasons }
}

function executionReasons(execution: ResourceView, all: readonly ResourceView[]): BlockingReason[] {
  const status = execution.status as ExecutionStatus | undefined
  const prepared = prepareView(execution, all)
  const reasons: BlockingReason[] = []
  for (const [node, nodeStatus] of Object.entries(status?.nodeStatuses ?? {})) {
    if (nodeStatus?.phase !== 'Blocked') continue
    const gateRef = prepared?.gates.get(node)
    if (gateRef !== undefined) {
      const gate = all.find((r) => r.kind === 'Gate' && r.name === gateRef.name && r.namespace === gateRef.namespace)
      const spec = obj(gate?.object.spec)
      const reviewers = Array.isArray(spec.reviewers) ? (spec.reviewers as string[]) : []
      const seen = execution.gateWaits?.find((w) => w.node === node)?.message ?? nodeStatus.message ?? 'waiting for a decision'
      const required = typeof spec.requiredApprovers === 'number' ? spec.requiredApprovers : 1
      reasons.push({ node, reason: 'AwaitingApproval', message: `gate ${gateRef.namespace}/${gateRef.name} needs ${required} approval(s) from ${reviewers.length ? reviewers.join(', ') : 'anyone with write access'}: ${seen}`, waitingFor: reviewers })
      continue
    }
    const binding = prepared?.input.bindings.get(node)
    if (nodeStatus.reason === 'AwaitingClaim' && binding?.outcome === 'bound') {
      const may = [...new Set([...claimSubjects(binding.provider, binding.config), ...(prepared === undefined ? [] : gateReviewers(prepared, all))])]
      reasons.push({ node, reason: 'AwaitingClaim', message: `waiting for a worker (${binding.provider}) to claim and complete it; who may: ${may.join(', ') || 'nobody'}`, waitingFor: may })
      continue
    }
    reasons.push({ node, reason: nodeStatus.reason ?? 'Blocked', message: nodeStatus.message ?? `node ${node} is blocked` })
  }
  return reasons
}

function gateReasons(gate: ResourceView): BlockingReason[] {
  const status = gate.status as GateStatus | undefined
  const spec = obj(gate.object.spec)
  const reviewers = Array.isArray(spec.reviewers) ? (spec.reviewers as string[]) : []
  return (status?.executions ?? [])
    .filter((entry) => entry.phase === 'Waiting')
    .map((entry) => ({ reason: 'AwaitingApproval', message: `${entry.name} waits for a decision from ${reviewers.length ? reviewers.join(', ') : 'anyone with write access'}${entry.changeAuthor ? ` (not ${entry.changeAuthor}, who created it)` : ''}: ${entry.message ?? ''}`.trim(), waitingFor: reviewers }))
}
