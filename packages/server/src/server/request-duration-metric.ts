import type { Metric } from 'prom-client'

/** Options of {@link requestDurationMetric}. */
export interface RequestDurationOptions {
  readonly name: string
  readonly help: string
  /** Upper bounds of the buckets, ascending (`+Inf` is added). */
  readonly buckets: readonly number[]
}

/** A latency histogram by method and route, cheap to observe. */
export interface RequestDuration {
  /** The histogram as prom-client's registry reads it (`registry.registerMetric`). */
  readonly metric: Metric
  /** Returns the observer of one (method, route) pair: it adds one duration in seconds. */
  timer(method: string, route: string): (seconds: number) => void
}

interface Series {
  readonly method: string
  readonly route: string
  /** Observations per bucket (not cumulative); the last one is `+Inf`. */
  readonly buckets: Float64Array
  sum: number
  count: number
}

/**
 * Creates a histogram labelled `{method, route}` whose observation is a bucket search and three
 * additions on plain numbers (prom-client's own Histogram hashes its labels on every observation).
 * The registry reads it in prom-client's histogram shape, so `/metrics` prints exactly what a
 * prom-client Histogram with these buckets and labels prints: `_bucket{le,method,route}`
 * (cumulative), `_sum` and `_count` per series, in the order the series first appeared.
 *
 * @example
 * const duration = requestDurationMetric({ name: 'planspec_http_request_duration_seconds', help: 'Latency.', buckets: [0.001, 0.01] })
 * registry.registerMetric(duration.metric)
 * duration.timer('GET', '/healthz')(0.0004)
 */
export function requestDurationMetric(options: RequestDurationOptions): RequestDuration {
  const bounds = [...options.buckets]
  const series: Series[] = []
  const byKey = new Map<string, Series>()
  let resets = 0
  const values = (splay: boolean): object[] => {
    const out: object[] = []
    const value = (le: number | string | undefined, item: Series, metricName: string, v: number): object => {
      const shared = { method: item.method, route: item.route }
      // As prom-client: buckets carry a null exemplar, _sum and _count none.
      const exemplar = le === undefined ? undefined : null
      if (splay) return { value: v, metricName, exemplar, labels: le === undefined ? shared : { le, ...shared } }
      return { labels: le === undefined ? {} : { le }, sharedLabels: shared, value: v, metricName, exemplar }
    }
    for (const item of series) {
      let cumulative = 0
      bounds.forEach((bound, i) => {
        cumulative += item.buckets[i]!
        out.push(value(bound, item, `${options.name}_bucket`, cumulative))
      })
      out.push(value('+Inf', item, `${options.name}_bucket`, item.count))
      out.push(value(undefined, item, `${options.name}_sum`, item.sum))
      out.push(value(undefined, item, `${options.name}_count`, item.count))
    }
    return out
  }
  const read = (splay: boolean) => ({ name: options.name, help: options.help, type: 'histogram', values: values(splay), aggregator: 'sum' })
  const metric = {
    name: options.name,
    help: options.help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => read(true),
    getForPromString: async () => read(false),
    reset: () => {
      resets++
      series.length = 0
      byKey.clear()
    },
  }
  return {
    metric: metric as unknown as Metric,
    timer(method, route) {
      const key = `${method} ${route}`
      let item: Series | undefined
      let seen = -1
      return (seconds) => {
        if (item === undefined || seen !== resets) {
          seen = resets
          item = byKey.get(key)
          if (item === undefined) {
            item = { method, route, buckets: new Float64Array(bounds.length + 1), sum: 0, count: 0 }
            byKey.set(key, item)
            series.push(item)
          }
        }
        let i = 0
        while (i < bounds.length && seconds > bounds[i]!) i++
        item.buckets[i]!++
        item.sum += seconds
        item.count++
      }
    },
  }
}
