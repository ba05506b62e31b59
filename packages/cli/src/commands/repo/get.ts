import { stringify } from 'yaml'
import type { DesiredItem, DesiredSnapshot, StatusSnapshot } from '@planspec/agent'
import { gateNodeObservation, type ExecutionStatus, type GateStatus } from '@planspec/core'
import { renderResourceTable, type ListedResource } from '@planspec/reporter'
import { EXIT, type CommandIO } from '../../io.js'
import { describeResource } from '../resources/describe-resource.js'
import { resolveKind } from './kinds.js'
import { openRepo, type RepoFlags } from './open-repo.js'

/** Options of `planspec get` and `planspec describe` against a repository. */
export interface GetOptions extends RepoFlags {
  readonly kind: string
  readonly name?: string
  readonly namespace?: string
  readonly allNamespaces: boolean
  readonly output: 'table' | 'wide' | 'json' | 'yaml' | 'name'
}

export { GET_FORMATS } from '../../command-formats.js'

/**
 * Lists resources of a kind from a repository, with the status the agent wrote on the status
 * branch merged in: a kubectl-style table (`wide` adds columns), JSON or YAML (a List for
 * several), or `kind/name` lines. Exit 1 when a named resource does not exist.
 */
export async function runGet(options: GetOptions, io: CommandIO): Promise<number> {
  const found = await readResources(options, io)
  if (found === undefined) return EXIT.findings
  if (options.output === 'name') {
    io.stdout.write(found.map((r) => `${r.kind.toLowerCase()}/${r.name}\n`).join(''))
  } else if (options.output === 'json' || options.output === 'yaml') {
    const objects = found.map(toObject)
    const value = options.name !== undefined ? objects[0] : { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: objects }
    io.stdout.write(options.output === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 }))
  } else {
    io.stdout.write(renderResourceTable(resolveKind(options.kind), found, { nowMs: Date.now(), wide: options.output === 'wide', allNamespaces: options.allNamespaces }))
  }
  return EXIT.ok
}

/** Describes one resource, or every resource of the kind, kubectl style. */
export async function runDescribe(options: Omit<GetOptions, 'output'>, io: CommandIO): Promise<number> {
  const found = await readResources({ ...options, output: 'table' }, io)
  if (found === undefined) return EXIT.findings
  io.stdout.write(found.map((r) => describeResource(r, Date.now())).join('\n'))
  return EXIT.ok
}

type Listed = ListedResource & { readonly object: Record<string, unknown>; readonly refusedRequests?: readonly { readonly id: string; readonly reason: string }[]; readonly gateWaits?: readonly GateWait[] }

async function readResources(options: GetOptions, io: CommandIO): Promise<Listed[] | undefined> {
  const kind = resolveKind(options.kind)
  const { repo } = openRepo(options, io)
  const desired = await repo.readDesired()
  const status = await repo.readStatus()
  const items = [...desired.items.values()]
    .filter((i) => i.kind === kind && (options.allNamespaces || i.namespace === (options.namespace ?? i.namespace)) && (options.name === undefined || i.name === options.name))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
  if (options.name !== undefined && items.length === 0) {
    io.stderr.write(`error: ${kind.toLowerCase()} "${options.name}" not found${options.namespace ? ` in namespace "${options.namespace}"` : ''}\n`)
    return undefined
  }
  return items.map((i) => {
    const doc = status.docs.get(i.subject)
    const metadata = i.object.metadata as ListedResource['metadata']
    const waits = i.kind === 'Execution' ? gateWaits(i, doc?.status as ExecutionStatus | undefined, desired, status) : []
    return { kind: i.kind, name: i.name, namespace: i.namespace, ...(metadata ? { metadata } : {}), spec: i.object.spec, ...(doc ? { status: doc.status } : {}), ...(doc?.refusedRequests?.length ? { refusedRequests: doc.refusedRequests } : {}), ...(waits.length ? { gateWaits: waits } : {}), object: i.object }
  })
}

function toObject(r: Listed): Record<string, unknown> {
  return { ...r.object, ...(r.status === undefined ? {} : { status: r.status }) }
}

/** Why a waiting Gate node of a run still waits. */
interface GateWait {
  readonly node: string
  readonly gate: string
  readonly message: string
}

/**
 * What each Gate node of a run that waits observes (core's `gateNodeObservation`, as the agent
 * computes it): the decision for this run's uid and digest only, and why it still waits
 * (`approved for r1, not for r2`; `approved digest sha256:…, now sha256:…`).
 */
function gateWaits(execution: DesiredItem, run: ExecutionStatus | undefined, desired: DesiredSnapshot, status: StatusSnapshot): GateWait[] {
  if (run?.nodeStatuses === undefined) return []
  const planRef = (execution.object.spec as { planRef?: { name?: string; namespace?: string } } | undefined)?.planRef ?? {}
  const plan = desired.items.get(`plan/${planRef.namespace ?? execution.namespace}/${planRef.name}`)
  const nodes = ((plan?.object.spec as { graph?: { nodes?: { id?: string; kind?: string; gateRef?: { name?: string; namespace?: string } }[] } } | undefined)?.graph?.nodes ?? [])
  const waits: GateWait[] = []
  for (const node of nodes) {
    if (node.kind !== 'Gate' || node.id === undefined || run.nodeStatuses[node.id]?.phase !== 'Blocked') continue
    const subject = `gate/${node.gateRef?.namespace ?? execution.namespace}/${node.gateRef?.name}`
    const gate = desired.items.get(subject)
    const seen = gateNodeObservation(gate === undefined ? undefined : { metadata: { generation: gate.generation }, ...(status.docs.get(subject) ? { status: status.docs.get(subject)!.status as GateStatus } : {}) }, { name: execution.name, uid: String((execution.object.metadata as { uid?: string }).uid ?? ''), digest: run.runDigest ?? '' })
    waits.push({ node: node.id, gate: subject.slice('gate/'.length), message: `${seen.phase}${seen.message ? `: ${seen.message}` : ''}` })
  }
  return waits
}
