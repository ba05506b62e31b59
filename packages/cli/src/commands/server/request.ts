import { clientFor, createHttpResourceClient, describeNotFound, type ServerTarget } from '@planspec/client'
import { sanitizeTerminalText } from '@planspec/core'
import { EXIT, type CommandIO } from '../../io.js'
import { reportApiError } from './report-api-error.js'

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
 * Sends one action to the server through the client port (`createHttpResourceClient`):
 * `approve|reject GATE` (`POST .../gates/NAME/approve`, the caller is the reviewer the token names;
 * the Gate generation it saw is sent so a decision for a changed Gate is refused), `cancel|retry
 * EXECUTION` (recorded as annotations the server's runner applies), `complete EXECUTION NODE`
 * (claimable work done, with its outputs). Prints `kind/name verbed` (with `(dry run)`). Exit 1
 * when the server refuses it (not eligible, self-approval, already decided, wrong phase, not
 * found), 2 when it cannot be reached.
 *
 * @example
 * await runServerRequest('approve', { kind: 'Gate', name: 'release-approval' }, { server, comment: 'lgtm' }, io)
 */
export async function runServerRequest(action: ServerAction, target: ServerActionTarget, options: ServerActionOptions, io: CommandIO): Promise<number> {
  try {
    const client = createHttpResourceClient({ api: clientFor(options, io) })
    const node = action === 'retry' ? target.nodes?.[0] : target.node
    const outcome = await client.request(action, { kind: target.kind, name: target.name, ...(target.namespace === undefined ? {} : { namespace: target.namespace }), ...(node === undefined ? {} : { node }), ...(target.outputs === undefined ? {} : { outputs: target.outputs }) }, { ...(options.comment === undefined ? {} : { comment: options.comment }), dryRun: Boolean(options.dryRun) })
    if (outcome.status === 'refused') {
      // A name that does not exist: the same message, with the closest names, as in git mode.
      const message = outcome.reason === 'NotFound' ? await describeNotFound(client, target.kind, target.name, target.namespace) : outcome.message
      io.stderr.write(`error: ${sanitizeTerminalText(message)}\n`)
      return EXIT.findings
    }
    const phase = outcome.status === 'recorded' ? (outcome.object?.status as { phase?: string } | undefined)?.phase : undefined
    const decided = target.kind === 'Gate' && phase !== undefined && phase !== 'Approved' && phase !== 'Rejected' ? ` (gate is ${phase})` : ''
    io.stdout.write(`${outcome.subject} ${VERBS[action]}${options.dryRun ? ' (dry run)' : ''}${decided}\n`)
    return EXIT.ok
  } catch (error) {
    return reportApiError(error, io)
  }
}
