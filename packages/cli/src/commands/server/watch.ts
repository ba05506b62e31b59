import { EXIT, type CommandIO } from '../../io.js'
import { ApiRequestError, ServerUnreachableError, type ApiObject } from './api-client.js'
import { clientFor, type ServerTarget } from './get.js'
import { reportApiError } from './report-api-error.js'
import { resolveServerKind } from './server-kinds.js'

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

interface WatchEvent {
  readonly type: string
  readonly object: ApiObject & { readonly code?: number; readonly message?: string; readonly reason?: string }
}

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end'
const MAX_BACKOFF_MS = 5_000

/**
 * Streams the changes of a kind (or of one object) from a server as they happen: one line per
 * event, `ADDED|MODIFIED|DELETED kind/name phase` (`kind/namespace/name` with
 * `--all-namespaces`), or the raw events with `-o json`. It starts with the current objects
 * (ADDED), then follows live changes. A dropped connection is resumed from the last
 * resourceVersion seen, with capped backoff, so no change is missed or repeated. When the server
 * no longer has that version (410 Gone, or an ERROR event saying so), it lists again: objects
 * that did not change are not printed again, changed ones come as MODIFIED, vanished ones as
 * DELETED. Runs until the signal aborts (Ctrl-C), then exits 0; exit 1 or 2 when the server
 * refuses the watch (not found, forbidden, unauthorized).
 *
 * @example
 * await runServerWatch({ server, kind: 'executions', allNamespaces: false, output: 'text' }, io)
 * // MODIFIED execution/release-1 Running
 */
export async function runServerWatch(options: ServerWatchOptions, io: CommandIO, deps: WatchDeps = {}): Promise<number> {
  const signal = deps.signal ?? io.signal
  const sleep = deps.sleep ?? abortableSleep
  const kind = resolveServerKind(options.kind)
  const client = clientFor(options, io)
  const path = client.pathOf(kind, options.allNamespaces ? undefined : (options.namespace ?? 'default'))
  const known = new Map<string, ApiObject>()
  const idOf = (object: ApiObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`
  const print = (type: string, object: ApiObject): void => {
    if (options.output === 'json') {
      io.stdout.write(`${JSON.stringify({ type, object })}\n`)
      return
    }
    const where = options.allNamespaces && object.metadata.namespace ? `${object.metadata.namespace}/` : ''
    const phase = (object.status as { phase?: unknown } | undefined)?.phase
    io.stdout.write(`${type} ${kind.kind.toLowerCase()}/${where}${object.metadata.name}${typeof phase === 'string' ? ` ${phase}` : ''}\n`)
  }
  let resourceVersion: string | undefined
  let failures = 0
  let connected = false
  // A function, not a narrowed property: the signal aborts while we await.
  const stopped = (): boolean => signal?.aborted === true
  while (!stopped()) {
    const relist = resourceVersion === undefined
    const seen = new Set<string>()
    let initial = relist
    try {
      const stream = await client.stream(path, {
        query: { watch: 'true', allowWatchBookmarks: 'true', fieldSelector: options.name === undefined ? undefined : `metadata.name=${options.name}`, ...(relist ? { sendInitialEvents: 'true' } : { resourceVersion }) },
        ...(signal ? { signal } : {}),
      })
      connected = true
      for await (const event of readEvents(stream)) {
        failures = 0
        if (event.type === 'ERROR') {
          if (event.object.code === 410) resourceVersion = undefined
          else throw new ApiRequestError(event.object.code ?? 500, event.object.reason ?? 'Error', event.object.message ?? 'the watch failed', [])
          break
        }
        if (event.type === 'BOOKMARK') {
          if (initial && event.object.metadata.annotations?.[INITIAL_EVENTS_END] === 'true') {
            initial = false
            // Objects gone while we were not watching: say so once.
            for (const [id, object] of known) {
              if (seen.has(id)) continue
              known.delete(id)
              print('DELETED', object)
            }
          }
          if (!initial) resourceVersion = event.object.metadata.resourceVersion
          continue
        }
        const id = idOf(event.object)
        if (initial) {
          // Re-listing: only what changed since we last saw it is news.
          seen.add(id)
          const before = known.get(id)
          known.set(id, event.object)
          if (before?.metadata.resourceVersion !== event.object.metadata.resourceVersion) print(before === undefined ? 'ADDED' : 'MODIFIED', event.object)
          continue
        }
        resourceVersion = event.object.metadata.resourceVersion
        if (event.type === 'DELETED') known.delete(id)
        else known.set(id, event.object)
        print(event.type, event.object)
      }
    } catch (error) {
      if (stopped()) break
      if (error instanceof ApiRequestError) {
        if (error.status === 410 || (error.status === 400 && !relist)) {
          // The server no longer has our version (compacted, or a new database): list again.
          resourceVersion = undefined
          continue
        }
        if (error.status !== 429 && error.status < 500) return reportApiError(error, io)
      } else if (error instanceof ServerUnreachableError) {
        // A wrong URL should fail at once; a server that went away after we connected is waited for.
        if (!connected) return reportApiError(error, io)
      } else if (!(error instanceof TypeError)) throw error // undici reports a dropped stream as TypeError('terminated')
    }
    if (stopped()) break
    // The stream ended or broke: reconnect (from resourceVersion when we have one) after a capped backoff.
    await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures++), signal)
  }
  return EXIT.ok
}

/** Parses a newline-delimited JSON stream into events. */
async function* readEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<WatchEvent> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true })
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at).trim()
      buffer = buffer.slice(at + 1)
      if (line !== '') yield JSON.parse(line) as WatchEvent
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
