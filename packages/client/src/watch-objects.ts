import { ApiRequestError, ServerUnreachableError, type ApiClient, type ApiObject } from './api-client.js'
import type { ServerKind } from './server-kinds.js'

/** What {@link watchObjects} follows. */
export interface WatchObjectsOptions {
  /** One namespace; undefined: every namespace. */
  readonly namespace?: string
  /** Only this object. */
  readonly name?: string
  /** Aborting ends the watch (it resolves). */
  readonly signal?: AbortSignal
  /** How to wait before reconnecting (tests pass a fast one). */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
}

/** A watch event type as the API sends it. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED'

interface WatchEvent {
  readonly type: string
  readonly object: ApiObject & { readonly code?: number; readonly message?: string; readonly reason?: string }
}

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end'
const MAX_BACKOFF_MS = 5_000

/**
 * Follows the changes of a kind (or of one object) on a server and calls `onEvent` for each:
 * first the current objects (ADDED), then live changes. A dropped connection is resumed from the
 * last resourceVersion seen, with capped backoff, so no change is missed or repeated. When the
 * server no longer has that version (410 Gone, or an ERROR event saying so), it lists again:
 * objects that did not change are not reported again, changed ones come as MODIFIED, vanished ones
 * as DELETED. Resolves when `signal` aborts. Rejects with `ApiRequestError` when the server refuses
 * the watch (not found, forbidden, unauthorized), and with `ServerUnreachableError` when it cannot
 * be reached at the first attempt (a server that goes away later is waited for).
 *
 * @example
 * await watchObjects(api, resolveServerKind('executions'), { namespace: 'default', signal }, (type, object) => console.log(type, object.metadata.name))
 */
export async function watchObjects(client: ApiClient, kind: ServerKind, options: WatchObjectsOptions, onEvent: (type: WatchEventType, object: ApiObject) => void): Promise<void> {
  const { signal } = options
  const sleep = options.sleep ?? abortableSleep
  const path = client.pathOf(kind, options.namespace)
  const known = new Map<string, ApiObject>()
  const idOf = (object: ApiObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`
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
              onEvent('DELETED', object)
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
          if (before?.metadata.resourceVersion !== event.object.metadata.resourceVersion) onEvent(before === undefined ? 'ADDED' : 'MODIFIED', event.object)
          continue
        }
        resourceVersion = event.object.metadata.resourceVersion
        if (event.type === 'DELETED') known.delete(id)
        else known.set(id, event.object)
        onEvent(event.type as WatchEventType, event.object)
      }
    } catch (error) {
      if (stopped()) break
      if (error instanceof ApiRequestError) {
        if (error.status === 410 || (error.status === 400 && !relist)) {
          // The server no longer has our version (compacted, or a new database): list again.
          resourceVersion = undefined
          continue
        }
        if (error.status !== 429 && error.status < 500) throw error
      } else if (error instanceof ServerUnreachableError) {
        // A wrong URL should fail at once; a server that went away after we connected is waited for.
        if (!connected) throw error
      } else if (!(error instanceof TypeError)) throw error // undici reports a dropped stream as TypeError('terminated')
    }
    if (stopped()) break
    // The stream ended or broke: reconnect (from resourceVersion when we have one) after a capped backoff.
    await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures++), signal)
  }
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
