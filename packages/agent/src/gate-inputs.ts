import { referenceKey, type ExecutionStatus, type WaitingExecution } from '@planspec/core'
import type { GateAction } from './reconcile-resources.js'
import { reviewerOf } from './reviewer-of.js'
import type { AgentRequest, ChangeAuthor, DesiredItem, StatusSnapshot } from './types.js'

/** Node phases of a Gate node that waits for its Gate's decision. */
const WAITING_NODE: ReadonlySet<string> = new Set(['Running', 'Blocked'])

/**
 * The Executions whose Gate node waits on each Gate (from the written statuses), by Gate key, with
 * the uid, run digest and change author that core's `decideGate` binds approvals to (DECISIONS
 * §9). The change author comes from `changeAuthor` (recorded in the run's status, else found in
 * the tracked branch's history). A run recorded without a `runDigest` cannot be approved and is
 * left out.
 */
export async function waitingExecutions(status: StatusSnapshot, items: readonly DesiredItem[], changeAuthor: (item: DesiredItem) => Promise<ChangeAuthor | undefined>): Promise<Map<string, WaitingExecution[]>> {
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
      const author = await changeAuthor(item)
      const entry: WaitingExecution = {
        name: item.name,
        namespace: item.namespace,
        uid: String((item.object.metadata as Record<string, unknown>).uid ?? ''),
        digest: run.runDigest,
        ...(author === undefined ? {} : { changeAuthor: author.subject }),
      }
      waiting.set(key, [...(waiting.get(key) ?? []), entry])
    }
  }
  return waiting
}

/**
 * Review actions from request files. The reviewer is the proven requester (`actor`: an allowed
 * signer, or a person an agent authenticated); a request that proves nobody is passed on under the
 * author its commit claims with the shell's `refusal` (`Unsigned`, `UnknownSigner`,
 * `SignerMismatch`, `BadSignature`): core records it in the review history and never counts it.
 */
export function gateActions(requests: readonly AgentRequest[]): GateAction[] {
  return requests
    .filter((r) => r.target.kind === 'Gate' && (r.action === 'approve' || r.action === 'reject' || r.action === 'comment'))
    .map((r) => ({
      gate: { namespace: r.target.namespace, name: r.target.name },
      reviewer: r.actor ?? reviewerOf(r.author),
      action: r.action as 'approve' | 'reject' | 'comment',
      timestamp: r.time,
      ...(r.comment === undefined ? {} : { comment: r.comment }),
      targetGeneration: r.targetGeneration ?? 1,
      source: `request:${r.id}`,
      ...(r.execution === undefined ? {} : { execution: r.execution }),
      ...(r.digest === undefined ? {} : { digest: r.digest }),
      ...(r.actor === undefined ? { refusal: r.refusal?.reason ?? 'Unsigned' } : {}),
    }))
}
