import { stringify } from 'yaml'
import { describeResource, gitResources, openRepo, resolveKind, type RepoFlags, type ResourceView } from '@planspec/client'
import { renderResourceTable } from '@planspec/reporter'
import { matchesLabelSelector, parseLabelSelector } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { validationWorkerUrl } from '../../validation-worker-url.js'

/** Options of `planspec get` and `planspec describe` against a repository. */
export interface GetOptions extends RepoFlags {
  readonly kind: string
  readonly name?: string
  readonly namespace?: string
  readonly allNamespaces: boolean
  /** A label selector (`-l team=payments,tier!=web`), as the API server takes it. */
  readonly labelSelector?: string
  readonly output: 'table' | 'wide' | 'json' | 'yaml' | 'name'
}

export { GET_FORMATS } from '../../command-formats.js'

/**
 * Lists resources of a kind from a repository, with the status the agent wrote on the status
 * branch merged in: a kubectl-style table (`wide` adds columns), JSON or YAML (a List for
 * several), or `kind/name` lines; `labelSelector` keeps those whose labels match (the API
 * server's syntax and parser). Exit 1 when a named resource does not exist.
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

async function readResources(options: GetOptions, io: CommandIO): Promise<ResourceView[] | undefined> {
  const kind = resolveKind(options.kind)
  const { repo } = openRepo(options, io, { validationWorkers: { workerUrl: validationWorkerUrl() } })
  const desired = await repo.readDesired()
  const status = await repo.readStatus()
  const selector = options.labelSelector === undefined ? undefined : parseLabelSelector(options.labelSelector)
  if (selector !== undefined && !selector.ok) throw new UsageError(`-l: ${selector.message}`)
  const items = gitResources(desired, status, { kind, ...(options.name === undefined ? {} : { name: options.name }), ...(options.allNamespaces || options.namespace === undefined ? {} : { namespace: options.namespace }) })
    .filter((item) => selector === undefined || matchesLabelSelector(selector.selector, (item.object.metadata as { labels?: Record<string, string> } | undefined)?.labels))
  if (options.name !== undefined && items.length === 0) {
    io.stderr.write(`error: ${kind.toLowerCase()} "${options.name}" not found${options.namespace ? ` in namespace "${options.namespace}"` : ''}\n`)
    return undefined
  }
  return items
}

function toObject(r: ResourceView): Record<string, unknown> {
  return { ...r.object, ...(r.status === undefined ? {} : { status: r.status }) }
}
