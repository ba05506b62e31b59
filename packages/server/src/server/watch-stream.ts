import { once } from 'node:events'
import { Socket } from 'node:net'
import { PlanSpecError, type ObjectKey, type StoredResource } from '@planspec/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ApiWatchEvent } from '../store/stored-entries.js'
import { API_ERRORS, ApiError, statusObject, type StatusObject } from './error-catalog.js'
import { API_VERSION, type KindEntry } from './kinds.js'
import type { ObjectFilter } from './selectors.js'
import type { ServerContext } from './server-context.js'

/** What a watch request asks for. */
export interface WatchRequest {
  readonly entry: KindEntry
  readonly namespace?: string
  readonly resourceVersion?: string
  readonly sendInitialEvents?: boolean
  readonly allowBookmarks: boolean
  readonly timeoutSeconds?: number
  readonly filter?: ObjectFilter
  /** The selectors the filter was built from: watchers with the same ones share its verdict on each event. */
  readonly filterKey?: string
  /** Renders each event's object differently (a one-row Table for `kubectl get -w`); default: the object as stored. */
  readonly render?: (object: StoredResource) => unknown
}

const PAGE = 256
/** The annotation on the BOOKMARK that ends the initial events (Kubernetes' name, for client compatibility). */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end'

// Fan-out work done once per event, not once per watcher: the encoded line of each event type
// (the same bytes are written to every watcher), as an HTTP/1.1 chunk too, and each selector's
// verdict on the object.
let current: { event: ApiWatchEvent; lines: Map<string, Buffer>; chunks: Map<string, Buffer>; verdicts: Map<string, boolean> } | undefined
const shared = (event: ApiWatchEvent): NonNullable<typeof current> => {
  if (current?.event !== event) current = { event, lines: new Map(), chunks: new Map(), verdicts: new Map() }
  return current
}
function encode(event: ApiWatchEvent, type: string): Buffer {
  const { lines } = shared(event)
  let bytes = lines.get(type)
  if (bytes === undefined) lines.set(type, (bytes = Buffer.from(`{"type":"${type}","object":${event.objectText}}\n`)))
  return bytes
}
/** The line of {@link encode} framed as one chunk of a chunked HTTP/1.1 body (RFC 9112 §7.1): size, CRLF, data, CRLF. */
function encodeChunk(event: ApiWatchEvent, type: string): Buffer {
  const { chunks } = shared(event)
  let bytes = chunks.get(type)
  if (bytes === undefined) {
    const line = encode(event, type)
    chunks.set(type, (bytes = Buffer.concat([Buffer.from(`${line.length.toString(16)}\r\n`), line, CRLF])))
  }
  return bytes
}
const CRLF = Buffer.from('\r\n')
function verdict(event: ApiWatchEvent, filter: ObjectFilter, key: string | undefined): boolean {
  if (key === undefined) return filter(event.object)
  const { verdicts } = shared(event)
  let matches = verdicts.get(key)
  if (matches === undefined) verdicts.set(key, (matches = filter(event.object)))
  return matches
}

/**
 * Streams a watch as newline-delimited JSON `{type, object}` events (ADDED, MODIFIED, DELETED,
 * BOOKMARK, ERROR). Without `resourceVersion` (or with `"0"`), the current objects come first as
 * ADDED events unless `sendInitialEvents=false`; with `sendInitialEvents=true` and bookmarks allowed,
 * a BOOKMARK annotated `k8s.io/initial-events-end` follows them. With a `resourceVersion`, every
 * change after it is replayed from the log, then live changes follow, in resourceVersion order: the
 * subscription starts before the replay, so nothing falls in between. A version older than the
 * retained log gives HTTP 410 before streaming. With selectors, an object that stops matching is
 * sent as DELETED and one that starts matching as ADDED.
 *
 * Each watcher's unsent bytes are bounded (`watchBufferBytes`): a client that falls behind gets an
 * ERROR event (410 Expired: re-list and watch again) and the stream ends; events are never dropped
 * silently. Periodic BOOKMARKs carry the current resourceVersion; `timeoutSeconds` ends the stream.
 */
export function openWatch(context: ServerContext, request: FastifyRequest, reply: FastifyReply, watch: WatchRequest): FastifyReply {
  const { store, limits, metrics } = context
  const rv = watch.resourceVersion === undefined || watch.resourceVersion === '' ? undefined : watch.resourceVersion
  if (rv !== undefined && !/^\d+$/.test(rv)) throw new ApiError('BadRequest', `resourceVersion ${JSON.stringify(rv)} is not a valid resource version`)
  if (rv !== undefined && Number(rv) > Number(store.currentResourceVersion())) throw new ApiError('BadRequest', `resourceVersion ${rv} is newer than the server's ${store.currentResourceVersion()}`)
  const initial = watch.sendInitialEvents ?? (rv === undefined || rv === '0')
  if (!initial && rv !== undefined && rv !== '0' && Number(rv) < Number(store.oldestResourceVersion())) {
    throw new ApiError('Gone', `too old resource version: ${rv} (${store.oldestResourceVersion()})`)
  }
  if (context.watches.size >= limits.maxWatches) throw new ApiError('TooManyRequests', 'too many open watches; try again later', { retryAfterSeconds: 1 })

  const { entry, namespace, filter } = watch
  // Events are written straight to the response (no stream in between). What the client has not
  // taken yet is counted from the moment the response asks to wait (write() returns false) until
  // it drains: past watchBufferBytes the watch ends.
  const raw = reply.raw
  let waiting = 0
  let blocked = false
  const visible = filter === undefined ? undefined : new Set<string>()
  const backlog: ApiWatchEvent[] = []
  let phase: 'replay' | 'live' | 'closed' = 'replay'
  const timers: NodeJS.Timeout[] = []
  const keyString = (key: ObjectKey): string => `${key.namespace}/${key.name}`
  // Live events go straight to the socket as ready-made chunks (the response's own write would
  // frame each one again for every watcher); the response is in chunked mode once its headers are
  // out. HTTP/1.0 clients and injected requests (no socket) go through the response.
  let socket: Socket | undefined
  const write = (bytes: Buffer | string, chunk?: Buffer): void => {
    if (phase === 'closed') return
    let more: boolean
    if (chunk !== undefined && socket !== undefined) {
      if (socket.destroyed) return
      more = socket.write(chunk)
    } else more = raw.write(bytes)
    if (!more || blocked) {
      blocked = true
      waiting += typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length
    }
    if (waiting > limits.watchBufferBytes) {
      metrics.watchOverflows.inc()
      finish(statusObject(API_ERRORS.Expired, `the watch fell behind by more than ${limits.watchBufferBytes} bytes; list again and watch from the list's resourceVersion`))
    }
  }
  const deliver = (event: ApiWatchEvent): void => {
    let type: string = event.type
    if (visible !== undefined && filter !== undefined) {
      const key = keyString(event.key)
      const was = visible.has(key)
      const now = event.type !== 'DELETED' && verdict(event, filter, watch.filterKey)
      if (!was && !now) return
      if (was && !now) {
        type = 'DELETED'
        visible.delete(key)
      } else if (!was) {
        type = 'ADDED'
        visible.add(key)
      }
    }
    if (watch.render === undefined) write(encode(event, type), socket === undefined ? undefined : encodeChunk(event, type))
    else write(`${JSON.stringify({ type, object: watch.render(event.object) })}\n`)
  }
  const bookmark = (resourceVersion: string, annotations?: Record<string, string>): void =>
    write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: entry.kind, apiVersion: API_VERSION, metadata: { resourceVersion, ...(annotations ? { annotations } : {}) } } })}\n`)
  const finish = (error?: StatusObject): void => {
    if (phase === 'closed') return
    if (error !== undefined && !raw.destroyed) raw.write(`${JSON.stringify({ type: 'ERROR', object: error })}\n`)
    phase = 'closed'
    socket?.off('drain', onDrain)
    unsubscribe()
    for (const timer of timers) clearTimeout(timer)
    context.watches.delete(end)
    metrics.watches.dec()
    if (!raw.destroyed) raw.end()
    context.requestLog.observe({ id: request.id, method: request.method, url: request.url, route: request.routeOptions.url ?? 'unmatched', status: 200, ms: reply.elapsedTime, watch: true, user: request.identity?.user, ip: request.ip })
    // A client that never reads would hold the socket forever: give it a grace period to drain.
    if (!reply.raw.destroyed) {
      const grace = setTimeout(() => request.raw.socket?.destroy?.(), limits.watchCloseGraceMs)
      grace.unref()
      reply.raw.once('close', () => clearTimeout(grace))
    }
  }

  const matches = (key: ObjectKey): boolean => key.kind === entry.kind && (namespace === undefined || key.namespace === namespace)
  const scope = namespace === undefined ? {} : { namespace }
  // The start point and the subscription are taken in one synchronous turn: no write falls between.
  const start = initial ? store.listPage(entry.kind, { ...scope, limit: PAGE }) : undefined
  const highWater = start?.resourceVersion ?? store.currentResourceVersion()
  if (!initial && visible !== undefined && filter !== undefined) {
    const since = rv ?? highWater
    for (const row of store.listPage(entry.kind, { ...scope, after: { resourceVersion: since, namespace: '', name: '' } }).rows) if (filter(row.object)) visible.add(`${row.namespace}/${row.name}`)
  }
  // A store that reloaded its state cannot replay what changed in between: the client lists again.
  const unsubscribe = store.subscribe(
    (event) => {
      if (phase === 'closed' || !matches(event.key)) return
      if (phase === 'live') return deliver(event)
      backlog.push(event)
      if (backlog.length > limits.watchBacklogEvents) finish(statusObject(API_ERRORS.Expired, 'too many changes arrived while the watch replayed history; list again and watch from the list\'s resourceVersion'))
    },
    () => finish(statusObject(API_ERRORS.Expired, 'the server reloaded its state and cannot replay what changed; list again and watch from the list\'s resourceVersion')),
  )
  const end = (): void => finish()
  context.watches.add(end)
  metrics.watches.inc()
  request.watching = true

  const replay = async (): Promise<void> => {
    if (start !== undefined) {
      let page = start
      for (;;) {
        for (const row of page.rows) {
          if (filter !== undefined && !filter(row.object)) continue
          visible?.add(`${row.namespace}/${row.name}`)
          write(watch.render === undefined ? `{"type":"ADDED","object":${row.text}}\n` : `${JSON.stringify({ type: 'ADDED', object: watch.render(row.object) })}\n`)
        }
        if (page.next === undefined || phase === 'closed') break
        await drained()
        page = store.listPage(entry.kind, { ...scope, limit: PAGE, after: page.next })
      }
      if (watch.sendInitialEvents === true && watch.allowBookmarks) bookmark(highWater, { [INITIAL_EVENTS_END]: 'true' })
    } else {
      let cursor = rv ?? highWater
      while (Number(cursor) < Number(highWater) && phase !== 'closed') {
        const events = store.readEvents(cursor, PAGE)
        if (events.length === 0) break
        for (const event of events) {
          if (Number(event.resourceVersion) > Number(highWater)) break
          if (matches(event.key)) deliver(event)
          cursor = event.resourceVersion
        }
        await drained()
      }
    }
    if (phase === 'closed') return
    phase = 'live'
    for (const event of backlog.splice(0)) if (Number(event.resourceVersion) > Number(highWater)) deliver(event)
  }
  const drained = async (): Promise<void> => {
    if (blocked && phase !== 'closed') await Promise.race([once(socket ?? raw, 'drain'), once(raw, 'close')])
  }

  if (watch.allowBookmarks) {
    const interval = setInterval(() => phase === 'live' && bookmark(store.currentResourceVersion()), limits.bookmarkIntervalMs)
    interval.unref()
    timers.push(interval)
  }
  const seconds = Math.min(watch.timeoutSeconds ?? limits.maxWatchSeconds, limits.maxWatchSeconds)
  const timeout = setTimeout(() => finish(), seconds * 1000)
  timeout.unref()
  timers.push(timeout)
  // The stream is written by hand so that its headers go out at once, before the first event.
  reply.hijack()
  raw.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'x-content-type-options': 'nosniff' })
  raw.flushHeaders()
  const onDrain = (): void => {
    blocked = false
    waiting = 0
  }
  raw.on('drain', onDrain)
  if (raw.chunkedEncoding && raw.socket instanceof Socket) {
    socket = raw.socket
    socket.on('drain', onDrain)
  }
  raw.once('close', end)
  replay().catch((error: unknown) => {
    const gone = error instanceof PlanSpecError && error.code === 'PLANSPEC_ERR_STORE_GONE'
    if (!gone) request.log.error({ err: error }, 'watch replay failed')
    finish(gone ? statusObject(API_ERRORS.Expired, 'the history this watch was replaying was compacted; list again and watch from the list\'s resourceVersion') : statusObject(API_ERRORS.InternalError, 'an internal error occurred'))
  })
  return reply
}
