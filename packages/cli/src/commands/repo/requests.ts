import type { ExecutionStatus } from '@planspec/core'
import type { RequestAction } from '@planspec/agent'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { openRepo, type RepoFlags } from './open-repo.js'

/** Options of the commands that record a request on the status branch. */
export interface RequestOptions extends RepoFlags {
  readonly namespace?: string
  readonly comment?: string
  readonly dryRun?: boolean
}

const VERBS: Readonly<Record<string, string>> = { approve: 'approved', reject: 'rejected', cancel: 'cancel requested', retry: 'retry requested', claim: 'claimed', complete: 'completed' }

/**
 * Records one action of a person as an append-only request file on the status branch and pushes
 * it (DECISIONS §6): `approve|reject GATE`, `cancel|retry EXECUTION`, `work claim|complete
 * EXECUTION NODE`. The agent applies it in its next round; the actor is the commit author. The
 * target must exist on the tracked branch. Prints `kind/name verbed (request ID)`.
 */
export async function runRequest(action: RequestAction, target: { kind: 'Gate' | 'Execution'; name: string; node?: string; nodes?: string[]; outputs?: Record<string, unknown> }, options: RequestOptions, io: CommandIO): Promise<number> {
  const { repo, author } = openRepo(options, io)
  if (author === undefined) throw new UsageError('no author: pass --author "Name <email>" or set git config user.email')
  const desired = await repo.readDesired()
  const matches = [...desired.items.values()].filter((i) => i.kind === target.kind && i.name === target.name && (options.namespace === undefined || i.namespace === options.namespace))
  if (matches.length === 0) {
    io.stderr.write(`error: ${target.kind.toLowerCase()} "${target.name}" not found\n`)
    return EXIT.findings
  }
  if (matches.length > 1) throw new UsageError(`${target.kind.toLowerCase()} "${target.name}" exists in several namespaces; choose one with --namespace`)
  const item = matches[0]!
  const subject = `${item.kind.toLowerCase()}/${item.name}`
  if (options.dryRun) {
    io.stdout.write(`${subject} ${VERBS[action]} (dry run)\n`)
    return EXIT.ok
  }
  const id = await repo.appendRequest(
    {
      action,
      target: { kind: item.kind, namespace: item.namespace, name: item.name, ...(target.node ? { node: target.node } : {}) },
      ...(options.comment ? { comment: options.comment } : {}),
      ...(target.outputs ? { outputs: target.outputs } : {}),
      ...(action === 'approve' || action === 'reject' ? { targetGeneration: item.generation } : {}),
    },
    author,
  )
  io.stdout.write(`${subject} ${VERBS[action]} (request ${id})\n`)
  return EXIT.ok
}

/** Lists claimable work: nodes of Executions waiting for a worker (human://, agent://). */
export async function runWorkList(options: RepoFlags & { readonly namespace?: string; readonly output: 'table' | 'json' }, io: CommandIO): Promise<number> {
  const { repo } = openRepo(options, io)
  const status = await repo.readStatus()
  const claims = new Map(status.requests.filter((r) => r.action === 'claim').map((r) => [`${r.target.namespace}/${r.target.name}/${r.target.node}`, r.author.email]))
  const rows: { namespace: string; execution: string; node: string; since: string; claimedBy: string }[] = []
  for (const doc of status.docs.values()) {
    if (doc.kind !== 'Execution' || (options.namespace !== undefined && doc.namespace !== options.namespace)) continue
    for (const [node, s] of Object.entries((doc.status as ExecutionStatus).nodeStatuses ?? {})) {
      if (s?.phase !== 'Blocked' || s.reason !== 'AwaitingClaim') continue
      rows.push({ namespace: doc.namespace, execution: doc.name, node, since: s.startTime ?? '', claimedBy: claims.get(`${doc.namespace}/${doc.name}/${node}`) ?? '' })
    }
  }
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return EXIT.ok
  }
  if (rows.length === 0) {
    io.stdout.write('No work waiting.\n')
    return EXIT.ok
  }
  const table = [['NAMESPACE', 'EXECUTION', 'NODE', 'WAITING SINCE', 'CLAIMED BY'], ...rows.map((r) => [r.namespace, r.execution, r.node, r.since, r.claimedBy])]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  io.stdout.write(table.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n')
  return EXIT.ok
}

/** Parses `key=value` pairs of `work complete`; values that are JSON keep their type. */
export function parseOutputs(pairs: readonly string[]): Record<string, unknown> {
  const outputs: Record<string, unknown> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`outputs are key=value pairs, got ${JSON.stringify(pair)}`)
    const raw = pair.slice(at + 1)
    let value: unknown = raw
    try {
      value = JSON.parse(raw)
    } catch {
      value = raw
    }
    outputs[pair.slice(0, at)] = value
  }
  return outputs
}
