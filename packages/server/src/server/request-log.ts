/** The logger calls the request log makes (a pino logger fits). */
export interface LogSink {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** One finished request, as the request log sees it. */
export interface FinishedRequest {
  readonly id: string
  readonly method: string
  /** The path and query as the client sent them. */
  readonly url: string
  /** The route pattern (`/apis/.../:plural/:name`), or `unmatched`. */
  readonly route: string
  readonly status: number
  /** Time to the response, in ms; for a watch stream, how long it stayed open. */
  readonly ms: number
  /** True for watch streams: their duration is not a latency. */
  readonly watch: boolean
  /** The authenticated user, when there is one. */
  readonly user: string | undefined
  readonly ip: string
}

/** Options of {@link createRequestLog}. */
export interface RequestLogOptions {
  /** Where slow requests and the error summaries go (the server's logger). */
  readonly logger: LogSink
  /** Every request, one line each (`planspec serve --access-log`); absent: no per-request lines. */
  readonly access?: Pick<LogSink, 'info'>
  /** A request that takes at least this long is logged on its own (default 1,000 ms; watch streams excluded). */
  readonly slowMs?: number
  /** How often 4xx and 5xx responses are summarised in one line, when there were any (default 60,000 ms). */
  readonly summaryMs?: number
}

/** The request log of a server. */
export interface RequestLog {
  /** Records one finished request. */
  observe(request: FinishedRequest): void
  /** Logs the summary of error responses not yet summarised, if any. */
  flush(): void
  /** Flushes and stops the summary timer. Idempotent. */
  close(): void
}

/** Defaults of {@link RequestLogOptions}. */
export const REQUEST_LOG_DEFAULTS = { slowMs: 1000, summaryMs: 60_000 } as const

/**
 * Creates the request log, as production servers keep one: nothing per request at the default
 * level, but a line for each request slower than `slowMs`, and every `summaryMs` one line that
 * counts the 4xx and 5xx responses by status, method and route (warn when a 5xx is among them;
 * unexpected errors are logged on their own by the error handler). With `access`, every request
 * is also written there, one JSON line each.
 *
 * @example
 * const log = createRequestLog({ logger: app.log, slowMs: 500 })
 * log.observe({ id: 'req-1', method: 'GET', url: '/healthz', route: '/healthz', status: 200, ms: 0.2, watch: false, user: undefined, ip: '127.0.0.1' })
 */
export function createRequestLog(options: RequestLogOptions): RequestLog {
  const slowMs = options.slowMs ?? REQUEST_LOG_DEFAULTS.slowMs
  const errors = new Map<string, { status: number; method: string; route: string; count: number }>()
  const summarise = (): void => {
    if (errors.size === 0) return
    const counted = [...errors.values()].sort((a, b) => b.count - a.count)
    errors.clear()
    const total = counted.reduce((sum, entry) => sum + entry.count, 0)
    const serverErrors = counted.some((entry) => entry.status >= 500)
    const message = `${total} error response${total === 1 ? '' : 's'}: ${counted.map((e) => `${e.count}x ${e.status} ${e.method} ${e.route}`).join(', ')}`
    if (serverErrors) options.logger.warn({ errors: counted }, message)
    else options.logger.info({ errors: counted }, message)
  }
  const timer = setInterval(summarise, options.summaryMs ?? REQUEST_LOG_DEFAULTS.summaryMs)
  timer.unref()
  let closed = false
  return {
    observe(request) {
      if (options.access !== undefined) {
        options.access.info({ reqId: request.id, method: request.method, url: request.url, route: request.route, status: request.status, ms: round(request.ms), ...(request.watch ? { watch: true } : {}), ...(request.user === undefined ? {} : { user: request.user }), ip: request.ip }, 'request')
      }
      if (request.status >= 400) {
        const key = `${request.status} ${request.method} ${request.route}`
        const entry = errors.get(key)
        if (entry === undefined) errors.set(key, { status: request.status, method: request.method, route: request.route, count: 1 })
        else entry.count++
      }
      if (!request.watch && request.ms >= slowMs) {
        options.logger.warn({ reqId: request.id, method: request.method, url: request.url, route: request.route, status: request.status, ms: round(request.ms), ...(request.user === undefined ? {} : { user: request.user }) }, `slow request: ${request.method} ${request.route} took ${Math.round(request.ms)} ms`)
      }
    },
    flush: summarise,
    close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      summarise()
    },
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100
