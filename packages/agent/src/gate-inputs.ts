import type { DesiredResource } from '@planspec/git-store'
import { checkAgentReview, isAgentVia, type ExecutionStatus, type GateAction } from '@planspec/core'
import { reviewerOf } from './reviewer-of.js'
import type { AgentRequest, ChangeAuthor, StatusSnapshot } from './types.js'

/** Node phases of a Gate node that waits for its Gate's decision. */
const WAITING_NODE: ReadonlySet<string> = new Set(['Running', 'Blocked'])

/**
 * Finds the change author of every Execution that may wait on a Gate (its status has a run digest
 * and a `Running` or `Blocked` node), by subject: what core's `reconcileResources` asks through
 * `facts.changeAuthor` (never eligible to approve that run, DECISIONS §9). The author comes from
 * `changeAuthor` (recorded in the run's status, else found in the tracked branch's history, cached).
 */
export async function waitingAuthors(status: StatusSnapshot, items: readonly DesiredResource[], changeAuthor: (item: DesiredResource) => Promise<ChangeAuthor | undefined>): Promise<Map<string, string>> {
  const authors = new Map<string, string>()
  for (const item of items) {
    if (item.kind !== 'Execution') continue
    const run = status.docs.get(item.subject)?.status as ExecutionStatus | undefined
    if (run?.runDigest === undefined || !Object.values(run.nodeStatuses ?? {}).some((node) => WAITING_NODE.has(String(node?.phase)))) continue
    const author = await changeAuthor(item)
    if (author !== undefined) authors.set(item.subject, author.subject)
  }
  return authors
}

/**
 * Review actions from request files. The reviewer is the proven requester (`actor`: an allowed
 * signer, or a person an agent authenticated); a request that proves nobody is passed on under the
 * author its commit claims with the shell's `refusal` (`Unsigned`, `UnknownSigner`,
 * `SignerMismatch`, `BadSignature`): core records it in the review history and never counts it.
 * A decision that came through an AI agent's client (`via: mcp:…`) is refused `AgentCannotDecide`
 * unless the Gate's `reviewers` name its `svc:` identity (core's `checkAgentReview`). The
 * history's `source` is `request:ID`, followed by ` via CLIENT` when the request names one.
 */
export function gateActions(requests: readonly AgentRequest[], reviewersOf: (gate: { readonly namespace: string; readonly name: string }) => readonly string[] | undefined = () => undefined): GateAction[] {
  return requests
    .filter((r) => r.target.kind === 'Gate' && (r.action === 'approve' || r.action === 'reject' || r.action === 'comment'))
    .map((r) => {
      const gate = { namespace: r.target.namespace, name: r.target.name }
      const agentRefusal = r.actor !== undefined && r.action !== 'comment' && isAgentVia(r.via) ? checkAgentReview(r.actor, reviewersOf(gate)) : undefined
      const refusal = r.actor === undefined ? (r.refusal?.reason ?? 'Unsigned') : agentRefusal
      return {
        gate,
        reviewer: r.actor ?? reviewerOf(r.author),
        action: r.action as 'approve' | 'reject' | 'comment',
        timestamp: r.time,
        ...(r.comment === undefined ? {} : { comment: r.comment }),
        targetGeneration: r.targetGeneration ?? 1,
        source: requestSource(r),
        ...(r.execution === undefined ? {} : { execution: r.execution }),
        ...(r.digest === undefined ? {} : { digest: r.digest }),
        ...(refusal === undefined ? {} : { refusal }),
      }
    })
}

/**
 * The `source` a request leaves in a Gate's review history: `request:ID`, and ` via CLIENT` when it
 * came through another client than the command line (an AI agent's MCP client).
 *
 * @example
 * requestSource({ id: '20250310T091502000Z-3f9a1c', via: 'mcp:claude-code/1.2.0' }) // 'request:20250310T091502000Z-3f9a1c via mcp:claude-code/1.2.0'
 */
export function requestSource(request: { readonly id: string; readonly via?: string }): string {
  return `request:${request.id}${request.via === undefined ? '' : ` via ${request.via}`}`
}
