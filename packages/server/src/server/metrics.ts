import { Counter, Gauge, Histogram, Registry } from 'prom-client'

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

/**
 * Creates the metrics: `planspec_http_requests_total{method,route,code}`,
 * `planspec_http_request_duration_seconds{method,route}` (watch streams excluded),
 * `planspec_watches` (open watches), `planspec_watch_overflows_total` and
 * `planspec_store_resource_version` (read at scrape time).
 */
export function createMetrics(resourceVersion: () => number): ServerMetrics {
  const registry = new Registry()
  const requests = new Counter({ name: 'planspec_http_requests_total', help: 'HTTP requests served, by method, route pattern and status code.', labelNames: ['method', 'route', 'code'], registers: [registry] })
  const duration = new Histogram({
    name: 'planspec_http_request_duration_seconds',
    help: 'Latency of HTTP requests (watch streams excluded), by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
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
    const counters = new Map<string, { inc(): void }>()
    const timers = new Map<string, { observe(value: number): void }>()
    const observe = (method: string, code: number, seconds: number): void => {
      const key = `${method} ${code}`
      let counter = counters.get(key)
      if (counter === undefined) counters.set(key, (counter = requests.labels(method, route, String(code))))
      counter.inc()
      if (seconds < 0) return
      let timer = timers.get(method)
      if (timer === undefined) timers.set(method, (timer = duration.labels(method, route)))
      timer.observe(seconds)
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
