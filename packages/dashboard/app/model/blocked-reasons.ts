import type { NormalizedGraph } from '@planspec/core'
import type { Resource } from '../api-client.js'
import { nodeStatusOf, record } from './run-plan.js'

/** Why an Execution does not move on, in words a reviewer reads on the overview. */
export interface BlockedReason {
  readonly node: string
  readonly text: string
  /** The Gate to approve, for a link, when the run waits on one. */
  readonly gate?: { readonly namespace: string; readonly name: string }
}

/**
 * Explains what holds an Execution up, one line per node: "waiting for approval of release-gate by
 * team:acme/sre", "waiting for resource goal/x", "waiting for a worker to claim review", "no
 * binding for capability y", or a failure with its reason. Reviewers come from the Gate as the
 * store holds it (`findGate`); an empty list reads "anyone with write access".
 */
export function blockedReasons(execution: Resource, graph: NormalizedGraph, findGate: (namespace: string, name: string) => Resource | undefined): BlockedReason[] {
  const namespace = execution.metadata.namespace ?? 'default'
  const reasons: BlockedReason[] = []
  for (const node of graph.nodes) {
    const status = nodeStatusOf(execution, node.id)
    const phase = status.phase
    const reason = typeof status.reason === 'string' ? status.reason : undefined
    if (phase === 'Blocked') {
      if (reason === 'AwaitingApproval' || node.kind === 'Gate') {
        const ref = record(node.gateRef)
        const name = typeof ref.name === 'string' ? ref.name : node.id
        const gateNamespace = typeof ref.namespace === 'string' ? ref.namespace : namespace
        const gate = findGate(gateNamespace, name)
        const reviewers = (Array.isArray(gate?.spec?.reviewers) ? gate.spec.reviewers : []).filter((r): r is string => typeof r === 'string')
        reasons.push({ node: node.id, text: `waiting for approval of ${name} by ${reviewers.length === 0 ? 'anyone with write access' : reviewers.join(', ')}`, gate: { namespace: gateNamespace, name } })
      } else if (reason === 'AwaitingClaim') {
        reasons.push({ node: node.id, text: `waiting for a worker to claim ${node.id}` })
      } else {
        const resource = record(record(node as unknown).resource)
        if (typeof resource.name === 'string') {
          const kind = typeof resource.kind === 'string' ? resource.kind : 'Goal'
          reasons.push({ node: node.id, text: `waiting for resource ${kind.toLowerCase()}/${resource.name}` })
        } else {
          const external = record(node as unknown)
          const target = typeof external.webhook === 'string' ? external.webhook : typeof external.uri === 'string' ? external.uri : undefined
          reasons.push({ node: node.id, text: target === undefined ? `waiting on ${node.id}${reason === undefined ? '' : ` (${reason})`}` : `waiting for external ${target}` })
        }
      }
    } else if (phase === 'Failed' && reason === 'Unbound') {
      const capability = (Array.isArray(record(node as unknown).capabilityRefs) ? (record(node as unknown).capabilityRefs as unknown[]) : []).map(record).find((ref) => typeof ref.name === 'string')
      reasons.push({ node: node.id, text: `no binding for capability ${capability === undefined ? node.id : String(capability.name)}` })
    } else if (phase === 'Failed') {
      reasons.push({ node: node.id, text: `${node.id} failed${reason === undefined ? '' : `: ${reason}`}` })
    }
  }
  return reasons
}
