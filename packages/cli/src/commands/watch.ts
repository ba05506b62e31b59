import { matchesLabelSelector, parseLabelSelector, sanitizeTerminalText } from '@planspec/core'
import type { ResourceClient, ResourceView } from '@planspec/client'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { kindOf, readResources, reportClientError, toObject, type GetOptions } from './get.js'
import { formatWatchEvent, type WatchOutput } from './watch-event-line.js'

/** Options of `planspec watch` and `planspec get -w`, in either mode. */
export interface WatchOptions {
  readonly kind: string
  readonly name?: string
  /** The namespace; with a name and no namespace, the name is looked up in every namespace. */
  readonly namespace?: string
  readonly allNamespaces: boolean
  readonly output: WatchOutput
  /** A Kubernetes label selector (`team=payments,tier!=web`), applied to each event's object. */
  readonly labelSelector?: string
}

/**
 * Runs `planspec watch KIND [NAME]` (and `planspec get KIND [NAME] -w`) through the client port,
 * the same in both modes: the current objects first (ADDED), then one line per change as it
 * arrives (`MODIFIED`, `DELETED`): `TYPE kind/name phase` (`kind/namespace/name` across
 * namespaces), `-o json` the events as NDJSON, `-o yaml` YAML documents, `-o name` `kind/name`.
 * Against a server the changes come from its watch API (a dropped connection resumes from the last
 * version seen); against a repository from the status branch, fetched every poll interval of the
 * client. `-l` keeps only objects whose labels match. An unknown kind or a bad selector is a usage
 * error and a missing named object exit 1, before anything is watched; a repository or server that
 * cannot be read fails at once (exit 1 or 2). Then runs until the signal aborts (Ctrl-C: exit 130).
 *
 * @example
 * await runWatch(client, { kind: 'executions', allNamespaces: false, namespace: 'default', output: 'text' }, io)
 * // ADDED execution/release-1 Pending
 * // MODIFIED execution/release-1 Running
 */
export async function runWatch(client: ResourceClient, options: WatchOptions, io: CommandIO): Promise<number> {
  const signal = io.signal ?? new AbortController().signal
  try {
    const kind = kindOf(client, options.kind)
    const parsed = options.labelSelector === undefined ? undefined : parseLabelSelector(options.labelSelector)
    if (parsed !== undefined && !parsed.ok) throw new UsageError(`-l: ${parsed.message}`)
    const selected = (view: ResourceView): boolean => parsed === undefined || matchesLabelSelector(parsed.selector, (view.object.metadata as { labels?: Record<string, string> } | undefined)?.labels)
    // A named object must exist (and name one namespace) before it is followed.
    let namespace = options.allNamespaces ? undefined : (options.namespace ?? 'default')
    if (options.name !== undefined) {
      const found = await readResources(client, { ...options, output: 'name' }, io)
      if (found === undefined) return EXIT.findings
      namespace = options.allNamespaces ? undefined : (options.namespace ?? found[0]?.namespace)
    }
    await client.watch([kind], (change) => {
      if (!selected(change.resource)) return
      const line = formatWatchEvent(change.type, toObject(change.resource) as { metadata: { name: string; namespace?: string } }, { kind, allNamespaces: options.allNamespaces, output: options.output })
      io.stdout.write(options.output === 'text' ? sanitizeTerminalText(line) : line)
    }, signal, { ...(namespace === undefined ? {} : { namespace }), ...(options.name === undefined ? {} : { name: options.name }) })
    return EXIT.ok
  } catch (error) {
    if (error instanceof UsageError) throw error
    return reportClientError(error, io)
  }
}

/** The watch format of a `get` output: tables become event lines. */
export function watchOutputOf(output: GetOptions['output']): WatchOutput {
  return output === 'json' || output === 'yaml' || output === 'name' ? output : 'text'
}
