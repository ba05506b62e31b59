import { referenceKey, type ExecutionStatus } from '@planspec/core'
import type { GateAction } from './reconcile-resources.js'
import type { AgentRequest, ChangeAuthor, DesiredItem, StatusSnapshot } from './types.js'

/** Gates an Execution reached: a Gate node of a run waiting on them (from the written statuses). */
export function activatedGates(status: StatusSnapshot, items: readonly DesiredItem[]): Set<string> {
  const activated = new Set<string>()
  const plans = new Map(items.filter((i) => i.kind === 'Plan').map((p) => [`${p.namespace}/${p.name}`, p]))
  for (const item of items) {
    if (item.kind !== 'Execution') continue
    const run = status.docs.get(item.subject)?.status as ExecutionStatus | undefined
    if (run?.nodeStatuses === undefined) continue
    const planRef = ((item.object.spec as Record<string, unknown> | undefined)?.planRef ?? {}) as { name?: string; namespace?: string }
    const plan = plans.get(`${planRef.namespace ?? item.namespace}/${planRef.name}`)
    const nodes = ((((plan?.object.spec as Record<string, unknown> | undefined)?.graph as Record<string, unknown> | undefined)?.nodes ?? []) as Record<string, unknown>[])
    for (const node of nodes) {
      if (node.kind !== 'Gate') continue
      const phase = run.nodeStatuses[String(node.id)]?.phase
      if (phase === undefined || phase === 'Pending') continue
      const ref = (node.gateRef ?? {}) as { name?: string; namespace?: string }
      activated.add(referenceKey('Gate', ref.namespace ?? item.namespace, String(ref.name)))
    }
  }
  return activated
}

/** Review actions from request files; the actor is the commit author, never what the file says. */
export function gateActions(requests: readonly AgentRequest[]): GateAction[] {
  return requests
    .filter((r) => r.actor !== undefined && r.target.kind === 'Gate' && (r.action === 'approve' || r.action === 'reject' || r.action === 'comment'))
    .map((r) => ({
      gate: { namespace: r.target.namespace, name: r.target.name },
      reviewer: r.actor!,
      action: r.action as 'approve' | 'reject' | 'comment',
      timestamp: r.time,
      ...(r.comment === undefined ? {} : { comment: r.comment }),
      targetGeneration: r.targetGeneration ?? 1,
      source: `request:${r.id}`,
    }))
}

/** The author of the change that created each Gate's Execution (separation of duties). */
export async function gateChangeAuthors(items: readonly DesiredItem[], changeAuthor: (item: DesiredItem) => Promise<ChangeAuthor | undefined>): Promise<Map<string, string>> {
  const authors = new Map<string, string>()
  for (const gate of items.filter((i) => i.kind === 'Gate')) {
    const target = ((gate.object.spec as Record<string, unknown> | undefined)?.targetRef ?? {}) as { kind?: string; name?: string; namespace?: string }
    if (target.kind !== 'Execution' || target.name === undefined) continue
    const execution = items.find((i) => i.kind === 'Execution' && i.name === target.name && i.namespace === (target.namespace ?? gate.namespace))
    const author = execution === undefined ? undefined : await changeAuthor(execution)
    if (author !== undefined) authors.set(referenceKey('Gate', gate.namespace, gate.name), author.subject)
  }
  return authors
}

