import type { ResourceClient } from '@planspec/client'
import { sanitizeTerminalText, type ExecutionStatus } from '@planspec/core'
import { EXIT, type CommandIO } from '../io.js'
import { reportApiError } from './server/report-api-error.js'

/** Options of {@link runWorkList}. */
export interface WorkListOptions {
  /** Only this namespace (default: every namespace). */
  readonly namespace?: string
  readonly output: 'table' | 'json'
}

/** One node waiting for a worker. */
interface WorkRow {
  readonly namespace: string
  readonly execution: string
  readonly node: string
  readonly since: string
  /** The subject holding the node's claim (judged as the controllers judge it), or empty. */
  readonly claimedBy: string
}

/**
 * Lists claimable work through the client port, written once for both modes: the nodes of
 * Executions that wait for a worker (`human://`, `agent://`: `Blocked`, `AwaitingClaim`), with who
 * holds each claim (the first claim that counts, as the agent or the server judged it). A table, or
 * `-o json` (an array of `{ namespace, execution, node, since, claimedBy }`). Exit 0, or 2 when a
 * server cannot be reached.
 *
 * @example
 * await runWorkList(client, { output: 'table' }, io)
 */
export async function runWorkList(client: ResourceClient, options: WorkListOptions, io: CommandIO): Promise<number> {
  let rows: WorkRow[]
  try {
    const executions = await client.list('executions', options.namespace === undefined ? {} : { namespace: options.namespace })
    rows = executions.flatMap((view) =>
      Object.entries((view.status as ExecutionStatus | undefined)?.nodeStatuses ?? {})
        .filter(([, s]) => s?.phase === 'Blocked' && s.reason === 'AwaitingClaim')
        .map(([node, s]) => ({ namespace: view.namespace, execution: view.name, node, since: s?.startTime ?? '', claimedBy: view.claims?.[node] ?? '' })),
    )
  } catch (error) {
    return reportApiError(error, io)
  }
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return EXIT.ok
  }
  if (rows.length === 0) {
    io.stdout.write('No work waiting.\n')
    return EXIT.ok
  }
  const table = [['NAMESPACE', 'EXECUTION', 'NODE', 'WAITING SINCE', 'CLAIMED BY'], ...rows.map((r) => [r.namespace, r.execution, r.node, r.since, r.claimedBy].map(sanitizeTerminalText))]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  io.stdout.write(table.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n')
  return EXIT.ok
}
