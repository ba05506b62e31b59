import type { DesiredResource, DesiredState } from '@planspec/git-store'
import type { StatusSnapshot } from '@planspec/agent'
import { gateNodeObservation, type ExecutionStatus, type GateStatus } from '@planspec/core'
import type { GateWait } from './resource-types.js'

/**
 * What each Gate node of a run that waits observes (core's `gateNodeObservation`, as the agent
 * computes it): the decision for this run's uid and digest only, and why it still waits
 * (`approved for r1, not for r2`; `approved digest sha256:…, now sha256:…`).
 *
 * @example
 * gateWaits(execution, status.docs.get(execution.subject)?.status, desired, status)
 * // [{ node: 'editor-approval', gate: 'default/changelog-approval', message: 'Waiting: 0 of 1 required approvals for generation 1' }]
 */
export function gateWaits(execution: DesiredResource, run: ExecutionStatus | undefined, desired: DesiredState, status: StatusSnapshot): GateWait[] {
  if (run?.nodeStatuses === undefined) return []
  const planRef = (execution.object.spec as { planRef?: { name?: string; namespace?: string } } | undefined)?.planRef ?? {}
  const plan = desired.resources.get(`plan/${planRef.namespace ?? execution.namespace}/${planRef.name}`)
  const nodes = ((plan?.object.spec as { graph?: { nodes?: { id?: string; kind?: string; gateRef?: { name?: string; namespace?: string } }[] } } | undefined)?.graph?.nodes ?? [])
  const waits: GateWait[] = []
  for (const node of nodes) {
    if (node.kind !== 'Gate' || node.id === undefined || run.nodeStatuses[node.id]?.phase !== 'Blocked') continue
    const subject = `gate/${node.gateRef?.namespace ?? execution.namespace}/${node.gateRef?.name}`
    const gate = desired.resources.get(subject)
    const seen = gateNodeObservation(gate === undefined ? undefined : { metadata: { generation: gate.identity.generation }, ...(status.docs.get(subject) ? { status: status.docs.get(subject)!.status as GateStatus } : {}) }, { name: execution.name, uid: execution.object.metadata.uid ?? '', digest: run.runDigest ?? '' })
    waits.push({ node: node.id, gate: subject.slice('gate/'.length), message: `${seen.phase}${seen.message ? `: ${seen.message}` : ''}` })
  }
  return waits
}
