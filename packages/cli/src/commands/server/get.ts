import { stringify } from 'yaml'
import { renderResourceTable, type ListedResource } from '@planspec/reporter'
import { clientFor, describeResource, findByName, resolveServerKind, type ApiObject, type ServerTarget } from '@planspec/client'
import { EXIT, type CommandIO } from '../../io.js'
import { reportApiError } from './report-api-error.js'

/** Options of `planspec get` against a server. */
export interface ServerGetOptions extends ServerTarget {
  readonly kind: string
  readonly name?: string
  /** The namespace; with a name and no namespace, the name is looked up in every namespace. */
  readonly namespace?: string
  readonly allNamespaces: boolean
  readonly output: 'table' | 'wide' | 'json' | 'yaml' | 'name'
  /** A Kubernetes label selector (`team=payments,tier!=web`). */
  readonly labelSelector?: string
}

/**
 * Lists resources of a kind from a server, with their status: a kubectl-style table (`wide` adds
 * columns), JSON or YAML (a List for several), or `kind/name` lines. Exit 1 when a named resource
 * does not exist, 2 when the server cannot be reached or refuses the token.
 *
 * @example
 * await runServerGet({ server: 'http://127.0.0.1:8080', kind: 'executions', allNamespaces: true, output: 'table' }, io)
 */
export async function runServerGet(options: ServerGetOptions, io: CommandIO): Promise<number> {
  try {
    const found = await readResources(options, io)
    if (found === undefined) return EXIT.findings
    if (options.output === 'name') {
      io.stdout.write(found.map((r) => `${r.kind.toLowerCase()}/${r.metadata.name}\n`).join(''))
    } else if (options.output === 'json' || options.output === 'yaml') {
      const value = options.name !== undefined ? found[0] : { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: found }
      io.stdout.write(options.output === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 }))
    } else {
      const kind = resolveServerKind(options.kind).kind
      io.stdout.write(renderResourceTable(kind, found.map(listed), { nowMs: Date.now(), wide: options.output === 'wide', allNamespaces: options.allNamespaces }))
    }
    return EXIT.ok
  } catch (error) {
    return reportApiError(error, io)
  }
}

/**
 * Describes one resource of a server (or every resource of the kind), kubectl style: status,
 * conditions, the node table of an Execution, the review history of a Gate, the spec.
 *
 * @example
 * await runServerDescribe({ server, kind: 'execution', name: 'release-1', allNamespaces: false }, io)
 */
export async function runServerDescribe(options: Omit<ServerGetOptions, 'output'>, io: CommandIO): Promise<number> {
  try {
    const found = await readResources({ ...options, output: 'table' }, io)
    if (found === undefined) return EXIT.findings
    io.stdout.write(found.map((r) => describeResource(listed(r), Date.now())).join('\n'))
    return EXIT.ok
  } catch (error) {
    return reportApiError(error, io)
  }
}

/** Reads the objects a get or describe names; undefined (after an error line) when a named one does not exist. */
async function readResources(options: ServerGetOptions, io: CommandIO): Promise<ApiObject[] | undefined> {
  const kind = resolveServerKind(options.kind)
  const client = clientFor(options, io)
  if (options.name !== undefined) {
    const found = await findByName(client, kind, options.name, options.allNamespaces ? undefined : options.namespace)
    if (found === undefined) {
      io.stderr.write(`error: ${kind.kind.toLowerCase()} "${options.name}" not found${options.namespace ? ` in namespace "${options.namespace}"` : ''}\n`)
      return undefined
    }
    return [found]
  }
  const items = await client.list(kind, { ...(options.allNamespaces ? {} : { namespace: options.namespace ?? 'default' }), ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}) })
  return items.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name))
}

function listed(object: ApiObject): ListedResource & { readonly metadata: ApiObject['metadata'] } {
  return { kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace ?? '', metadata: object.metadata, spec: object.spec, ...(object.status === undefined ? {} : { status: object.status }) }
}
