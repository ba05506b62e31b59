import { matchesLabelSelector, parseLabelSelector, sanitizeTerminalText } from '@planspec/core'
import type { ResourceClient, ResourceView } from '@planspec/client'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { kindOf, readResources, reportClientError, toObject, type GetOptions } from './get.js'
import { formatWatchEvent, type WatchOutput } from './watch-event-line.js'

/**
 * Runs `planspec get KIND [NAME] -w` through the client port, the same in both modes: the current
 * objects first (ADDED), then one line per change as it arrives (`MODIFIED`, `DELETED`), in the
 * format of `planspec watch` (`TYPE kind/name phase`; `-o json` the events as NDJSON, `-o yaml`
 * YAML documents, `-o name` `kind/name`). Against a server the changes come from its watch API;
 * against a repository from the status branch, fetched every poll interval of the client. `-l`
 * keeps only objects whose labels match. Reads once first, so a repository that cannot be read,
 * a bad selector or a missing named object fails at once (exit 1 or 2) as `get` does; then runs
 * until the signal aborts (Ctrl-C: exit 130).
 *
 * @example
 * await runGetWatch(client, { kind: 'executions', allNamespaces: false, namespace: 'default', output: 'table' }, io)
 * // ADDED execution/release-1 Pending
 * // MODIFIED execution/release-1 Running
 */
export async function runGetWatch(client: ResourceClient, options: GetOptions, io: CommandIO): Promise<number> {
  const signal = io.signal ?? new AbortController().signal
  try {
    const found = await readResources(client, options, io)
    if (found === undefined) return EXIT.findings
    const kind = kindOf(client, options.kind)
    const parsed = options.labelSelector === undefined ? undefined : parseLabelSelector(options.labelSelector)
    if (parsed !== undefined && !parsed.ok) throw new UsageError(`-l: ${parsed.message}`)
    const selected = (view: ResourceView): boolean => parsed === undefined || matchesLabelSelector(parsed.selector, (view.object.metadata as { labels?: Record<string, string> } | undefined)?.labels)
    const output = watchOutput(options.output)
    const namespace = options.allNamespaces ? undefined : options.name !== undefined ? (options.namespace ?? found[0]?.namespace) : (options.namespace ?? 'default')
    await client.watch([kind], (change) => {
      if (!selected(change.resource)) return
      const line = formatWatchEvent(change.type, toObject(change.resource) as { metadata: { name: string; namespace?: string } }, { kind, allNamespaces: options.allNamespaces, output })
      io.stdout.write(output === 'text' ? sanitizeTerminalText(line) : line)
    }, signal, { ...(namespace === undefined ? {} : { namespace }), ...(options.name === undefined ? {} : { name: options.name }) })
    return EXIT.ok
  } catch (error) {
    if (error instanceof UsageError) throw error
    return reportClientError(error, io)
  }
}

/** The watch format of a `get` output: tables become event lines. */
function watchOutput(output: GetOptions['output']): WatchOutput {
  return output === 'json' || output === 'yaml' || output === 'name' ? output : 'text'
}
