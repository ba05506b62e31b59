import { Counter, Gauge, Registry } from 'prom-client'
import { requestDurationMetric } from './request-duration-metric.js'

/** The server's Prometheus metrics, in a registry of its own (never the global one). */
export interface ServerMetrics {
  readonly registry: Registry
  /** Counts one finished request; a negative duration is counted but not timed (watch streams). */
  observeRequest(method: string, route: string, code: number, seconds: number): void
  /** Returns the observer of one route, with its label children resolved once (the hot path). */
  forRoute(route: string): (method: string, code: number, seconds: number) => void
  /** Tracks open watches. */
  readonly watches: Gauge
  /** Counts watches that ended because their client fell behind. */
  readonly watchOverflows: Counter
}

interface RequestCount {
  readonly method: string
  readonly route: string
  readonly code: string
  /** Requests counted, and how many of them prom-client has been told about. */
  counted: number
  reported: number
}

/**
 * Creates the metrics: `planspec_http_requests_total{method,route,code}`,
 * `planspec_http_request_duration_seconds{method,route}` (watch streams excluded),
 * `planspec_watches` (open watches), `planspec_watch_overflows_total` and
 * `planspec_store_resource_version` (read at scrape time). A request only bumps plain numbers
 * (a count per method, route and code; a bucket, sum and count per method and route): they are
 * handed to prom-client when the registry is read, so /metrics shows every request at once.
 */
export function createMetrics(resourceVersion: () => number): ServerMetrics {
  const registry = new Registry()
  const counts: RequestCount[] = []
  new Counter({
    name: 'planspec_http_requests_total',
    help: 'HTTP requests served, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'code'],
    registers: [registry],
    collect() {
      for (const count of counts) {
        if (count.counted === count.reported) continue
        this.labels(count.method, count.route, count.code).inc(count.counted - count.reported)
        count.reported = count.counted
      }
    },
  })
  const duration = requestDurationMetric({
    name: 'planspec_http_request_duration_seconds',
    help: 'Latency of HTTP requests (watch streams excluded), by method and route pattern.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  })
  registry.registerMetric(duration.metric)
  const watches = new Gauge({ name: 'planspec_watches', help: 'Open watch streams.', registers: [registry] })
  const watchOverflows = new Counter({ name: 'planspec_watch_overflows_total', help: 'Watches ended because the client did not read fast enough.', registers: [registry] })
  new Gauge({
    name: 'planspec_store_resource_version',
    help: 'The store resourceVersion of the last committed write.',
    registers: [registry],
    collect() {
      this.set(resourceVersion())
    },
  })
  const routes = new Map<string, (method: string, code: number, seconds: number) => void>()
  const forRoute = (route: string): ((method: string, code: number, seconds: number) => void) => {
    const known = routes.get(route)
    if (known !== undefined) return known
    const byMethod = new Map<string, Map<number, RequestCount>>()
    const timers = new Map<string, (seconds: number) => void>()
    const observe = (method: string, code: number, seconds: number): void => {
      let byCode = byMethod.get(method)
      if (byCode === undefined) byMethod.set(method, (byCode = new Map()))
      let count = byCode.get(code)
      if (count === undefined) {
        count = { method, route, code: String(code), counted: 0, reported: 0 }
        byCode.set(code, count)
        counts.push(count)
      }
      count.counted++
      if (seconds < 0) return
      let timer = timers.get(method)
      if (timer === undefined) timers.set(method, (timer = duration.timer(method, route)))
      timer(seconds)
    }
    routes.set(route, observe)
    return observe
  }
  return {
    registry,
    observeRequest: (method, route, code, seconds) => forRoute(route)(method, code, seconds),
    forRoute,
    watches,
    watchOverflows,
  }
}
