import { clientFor, resolveServerKind, watchObjects, type ApiObject, type ServerTarget } from '@planspec/client'
import { EXIT, type CommandIO } from '../../io.js'
import { formatWatchEvent } from '../watch-event-line.js'
import { reportApiError } from './report-api-error.js'

/** Options of `planspec watch`. */
export interface ServerWatchOptions extends ServerTarget {
  readonly kind: string
  readonly name?: string
  readonly namespace?: string
  readonly allNamespaces: boolean
  /** `text`: one line per event `TYPE kind/name phase`; `json`: the events as NDJSON. */
  readonly output: 'text' | 'json'
}

/** The effects of `watch`: when to stop and how to wait before reconnecting. */
export interface WatchDeps {
  /** Aborting ends the watch with exit 0 (default `io.signal`). */
  readonly signal?: AbortSignal
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
}

/**
 * Streams the changes of a kind (or of one object) from a server as they happen: one line per
 * event, `ADDED|MODIFIED|DELETED kind/name phase` (`kind/namespace/name` with
 * `--all-namespaces`), or the raw events with `-o json`. It starts with the current objects
 * (ADDED), then follows live changes; a dropped connection is resumed without missing or
 * repeating a change (the client's `watchObjects`). Runs until the signal aborts (Ctrl-C), then
 * exits 0; exit 1 or 2 when the server refuses the watch (not found, forbidden, unauthorized).
 *
 * @example
 * await runServerWatch({ server, kind: 'executions', allNamespaces: false, output: 'text' }, io)
 * // MODIFIED execution/release-1 Running
 */
export async function runServerWatch(options: ServerWatchOptions, io: CommandIO, deps: WatchDeps = {}): Promise<number> {
  const signal = deps.signal ?? io.signal
  const kind = resolveServerKind(options.kind)
  const client = clientFor(options, io)
  const print = (type: string, object: ApiObject): void => {
    io.stdout.write(formatWatchEvent(type, object, { kind: kind.kind, allNamespaces: options.allNamespaces, output: options.output }))
  }
  try {
    await watchObjects(client, kind, { ...(options.allNamespaces ? {} : { namespace: options.namespace ?? 'default' }), ...(options.name === undefined ? {} : { name: options.name }), ...(signal ? { signal } : {}), ...(deps.sleep ? { sleep: deps.sleep } : {}) }, print)
    return EXIT.ok
  } catch (error) {
    return reportApiError(error, io)
  }
}
