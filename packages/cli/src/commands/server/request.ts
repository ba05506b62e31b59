import { EXIT, type CommandIO } from '../../io.js'
import type { ApiObject } from './api-client.js'
import { clientFor, findByName, type ServerTarget } from './get.js'
import { reportApiError } from './report-api-error.js'
import { resolveServerKind } from './server-kinds.js'

/** The actions of people a server records: decide a Gate, cancel or retry an Execution. */
export type ServerAction = 'approve' | 'reject' | 'cancel' | 'retry' | 'complete'

/** What an action is about. `nodes` narrows a retry to these failed nodes. */
export interface ServerActionTarget {
  readonly kind: 'Gate' | 'Execution'
  readonly name: string
  /** The namespace; when absent, the name is looked up in every namespace. */
  readonly namespace?: string
  readonly nodes?: readonly string[]
  /** `complete`: the node waiting for a worker, and the outputs of the work. */
  readonly node?: string
  readonly outputs?: Readonly<Record<string, unknown>>
}

/** Options of an action against a server. */
export interface ServerActionOptions extends ServerTarget {
  readonly comment?: string
  /** Check and print, record nothing (`?dryRun=All`). */
  readonly dryRun?: boolean
}

const VERBS: Readonly<Record<ServerAction, string>> = { approve: 'approved', reject: 'rejected', cancel: 'cancel requested', retry: 'retry requested', complete: 'completed' }

/**
 * Sends one action to the server: `approve|reject GATE` (`POST .../gates/NAME/approve`, the
 * caller is the reviewer the token names; the Gate generation it saw is sent so a decision for a
 * changed Gate is refused), `cancel|retry EXECUTION` (recorded as annotations the server's runner
 * applies), `complete EXECUTION NODE` (claimable work done, with its outputs). Prints `kind/name verbed` (with `(dry run)`). Exit 1 when the server refuses it (not
 * eligible, self-approval, already decided, wrong phase, not found), 2 when it cannot be reached.
 *
 * @example
 * await runServerRequest('approve', { kind: 'Gate', name: 'release-approval' }, { server, comment: 'lgtm' }, io)
 */
export async function runServerRequest(action: ServerAction, target: ServerActionTarget, options: ServerActionOptions, io: CommandIO): Promise<number> {
  try {
    const kind = resolveServerKind(target.kind)
    const client = clientFor(options, io)
    const found = await findByName(client, kind, target.name, target.namespace)
    if (found === undefined) {
      io.stderr.write(`error: ${kind.kind.toLowerCase()} "${target.name}" not found${target.namespace ? ` in namespace "${target.namespace}"` : ''}\n`)
      return EXIT.findings
    }
    const body =
      action === 'approve' || action === 'reject'
        ? { ...(options.comment === undefined ? {} : { comment: options.comment }), targetGeneration: found.metadata.generation ?? 1 }
        : action === 'retry' && target.nodes !== undefined && target.nodes.length > 0
          ? { nodes: target.nodes }
          : action === 'complete'
            ? { node: target.node, ...(target.outputs === undefined ? {} : { outputs: target.outputs }) }
            : {}
    const path = `${client.pathOf(kind, found.metadata.namespace, found.metadata.name)}/${action}`
    const { body: result } = await client.request<ApiObject>('POST', path, { body, query: { dryRun: options.dryRun ? 'All' : undefined } })
    const phase = (result.status as { phase?: string } | undefined)?.phase
    const outcome = kind.kind === 'Gate' && phase !== undefined && phase !== 'Approved' && phase !== 'Rejected' ? ` (gate is ${phase})` : ''
    io.stdout.write(`${kind.kind.toLowerCase()}/${found.metadata.name} ${VERBS[action]}${options.dryRun ? ' (dry run)' : ''}${outcome}\n`)
    return EXIT.ok
  } catch (error) {
    return reportApiError(error, io)
  }
}
