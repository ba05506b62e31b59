// The request-duration histogram is read exactly as a prom-client Histogram with the same buckets
// and observations reads: the /metrics text and the JSON, bucket for bucket.
import { Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { requestDurationMetric } from '../src/server/request-duration-metric.js'

describe('requestDurationMetric', () => {
  it('prints and reports what prom-client prints and reports for the same observations', async () => {
    const options = { name: 'planspec_http_request_duration_seconds', help: 'Latency of HTTP requests.', buckets: [0.0005, 0.001, 0.0025, 0.01, 1] }
    const ours = new Registry()
    const duration = requestDurationMetric(options)
    ours.registerMetric(duration.metric)
    const theirs = new Registry()
    const histogram = new Histogram({ ...options, labelNames: ['method', 'route'], registers: [theirs] })
    const samples: [string, string, number][] = [
      ['GET', '/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural/:name', 0.0004],
      ['GET', '/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural/:name', 0.0005],
      ['POST', '/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural', 0.003],
      ['GET', '/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural/:name', 0.0011],
      ['GET', '/healthz', 0],
      ['POST', '/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural', 7.5],
    ]
    for (const [method, route, seconds] of samples) {
      duration.timer(method, route)(seconds)
      histogram.labels(method, route).observe(seconds)
    }
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON())
    // After a reset both start over, and a timer obtained before keeps counting.
    const timer = duration.timer('GET', '/healthz')
    ours.resetMetrics()
    theirs.resetMetrics()
    timer(0.002)
    histogram.labels('GET', '/healthz').observe(0.002)
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })
})
