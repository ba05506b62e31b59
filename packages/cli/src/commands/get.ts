import { stringify } from 'yaml'
import { ClientRefusedError, describeNotFound, describeResource, resolveKind, resolveServerKind, type ResourceClient, type ResourceView } from '@planspec/client'
import { renderResourceTable } from '@planspec/reporter'
import { parseLabelSelector, sanitizeTerminalText } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { reportApiError } from './server/report-api-error.js'

/** Options of `planspec get` and `planspec describe`, in either mode. */
export interface GetOptions {
  readonly kind: string
  readonly name?: string
  /** The namespace; with a name and no namespace, the name is looked up in every namespace. */
  readonly namespace?: string
  readonly allNamespaces: boolean
  readonly output: 'table' | 'wide' | 'json' | 'yaml' | 'name'
  /** A Kubernetes label selector (`team=payments,tier!=web`). */
  readonly labelSelector?: string
}

/** The output formats of `get`. */
export const GET_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const

/**
 * Lists resources of a kind with their status through the client port (a repository's status
 * branch, or a server): a kubectl-style table (`wide` adds columns), JSON or YAML (a List for
 * several), or `kind/name` lines. Written once for both modes. Exit 1 when a named resource does
 * not exist (or a name is ambiguous), 2 when a server cannot be reached or refuses the token.
 *
 * @example
 * await runGet(createHttpResourceClient({ api }), { kind: 'executions', allNamespaces: true, output: 'table' }, io)
 */
export async function runGet(client: ResourceClient, options: GetOptions, io: CommandIO): Promise<number> {
  try {
    const found = await readResources(client, options, io)
    if (found === undefined) return EXIT.findings
    if (options.output === 'name') {
      io.stdout.write(found.map((r) => `${r.kind.toLowerCase()}/${r.name}\n`).join(''))
    } else if (options.output === 'json' || options.output === 'yaml') {
      const objects = found.map(toObject)
      const value = options.name !== undefined ? objects[0] : { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: objects }
      io.stdout.write(options.output === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 }))
    } else {
      io.stdout.write(renderResourceTable(kindOf(client, options.kind), found, { nowMs: Date.now(), wide: options.output === 'wide', allNamespaces: options.allNamespaces }))
    }
    return EXIT.ok
  } catch (error) {
    return reportClientError(error, io)
  }
}

/**
 * Describes one resource, or every resource of the kind, kubectl style (status, conditions, the
 * node table of an Execution, the review history of a Gate, the spec), through the client port.
 *
 * @example
 * await runDescribe(client, { kind: 'execution', name: 'release-1', allNamespaces: false }, io)
 */
export async function runDescribe(client: ResourceClient, options: Omit<GetOptions, 'output'>, io: CommandIO): Promise<number> {
  try {
    const found = await readResources(client, { ...options, output: 'table' }, io)
    if (found === undefined) return EXIT.findings
    io.stdout.write(found.map((r) => describeResource(r, Date.now())).join('\n'))
    return EXIT.ok
  } catch (error) {
    return reportClientError(error, io)
  }
}

/** Reads the resources a get or describe names; undefined (after an error line) when a named one does not exist. */
export async function readResources(client: ResourceClient, options: GetOptions, io: CommandIO): Promise<ResourceView[] | undefined> {
  const kind = kindOf(client, options.kind)
  if (options.name !== undefined) {
    const found = await client.get(kind, options.name, options.allNamespaces ? undefined : options.namespace)
    if (found === undefined) {
      io.stderr.write(`error: ${sanitizeTerminalText(await describeNotFound(client, kind, options.name, options.allNamespaces ? undefined : options.namespace))}\n`)
      return undefined
    }
    return [found]
  }
  // A malformed selector is a usage error in both modes, before anything is read.
  const selector = options.labelSelector === undefined ? undefined : parseLabelSelector(options.labelSelector)
  if (selector !== undefined && !selector.ok) throw new UsageError(`-l: ${selector.message}`)
  return client.list(kind, { ...(options.allNamespaces ? {} : { namespace: options.namespace ?? 'default' }), ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}) })
}

/** The kind a name means where the client goes (a server also serves the RBAC kinds). */
export function kindOf(client: ResourceClient, text: string): string {
  return client.mode === 'server' ? resolveServerKind(text).kind : resolveKind(text)
}

/** The object as stored, with its status. */
export function toObject(r: ResourceView): Record<string, unknown> {
  return { ...r.object, ...(r.status === undefined ? {} : { status: r.status }) }
}

/** Maps a refusal of the port (an ambiguous name) to exit 1, and API failures as every server command does. */
export function reportClientError(error: unknown, io: CommandIO): number {
  if (error instanceof ClientRefusedError) {
    io.stderr.write(`error: ${sanitizeTerminalText(error.message)}\n`)
    return EXIT.findings
  }
  return reportApiError(error, io)
}
