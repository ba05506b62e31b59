import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { buildAgentServer, createAgentMetrics } from '../src/index.js'

function setup(ready = { ready: false, reason: 'no sync round yet' }, webhookSecret?: string) {
  const metrics = createAgentMetrics()
  let triggered = 0
  const state = { ...ready }
  const app = buildAgentServer({ metrics, ready: () => state, trigger: () => void triggered++, ...(webhookSecret ? { webhookSecret } : {}) })
  return { app, metrics, state, triggered: () => triggered }
}

describe('agent HTTP endpoints', () => {
  it('answers /healthz always, and /readyz 503 with the reason until a sync succeeded', async () => {
    const { app, state } = setup()
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    const notReady = await app.inject({ url: '/readyz' })
    expect(notReady.statusCode).toBe(503)
    expect(notReady.json()).toEqual({ status: 'not ready', reason: 'no sync round yet' })
    Object.assign(state, { ready: true, reason: 'synced' })
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200)
  })

  it('serves the agent metrics in the Prometheus text format', async () => {
    const { app, metrics } = setup()
    metrics.syncs.inc({ result: 'ok' })
    metrics.transitions.inc({ phase: 'Succeeded' })
    const res = await app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toMatch(/^planspec_agent_syncs_total\{result="ok"\} 1$/m)
    expect(res.body).toMatch(/^planspec_agent_node_transitions_total\{phase="Succeeded"\} 1$/m)
    expect(res.body).toMatch(/^# TYPE planspec_agent_sync_duration_seconds histogram$/m)
  })

  it('triggers a sync for a push webhook with a valid signature and refuses a bad one', async () => {
    const secret = 'webhook-secret'
    const { app, triggered } = setup(undefined, secret)
    const body = JSON.stringify({ ref: 'refs/heads/main' })
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
    const bad = await app.inject({ method: 'POST', url: '/webhook', payload: body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) } })
    expect(bad.statusCode).toBe(401)
    const missing = await app.inject({ method: 'POST', url: '/webhook', payload: body, headers: { 'content-type': 'application/json' } })
    expect(missing.statusCode).toBe(401)
    expect(triggered()).toBe(0)
    const good = await app.inject({ method: 'POST', url: '/webhook', payload: body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } })
    expect(good.statusCode).toBe(202)
    expect(triggered()).toBe(1)
  })

  it('keeps the webhook off without a secret', async () => {
    const { app, triggered } = setup()
    const res = await app.inject({ method: 'POST', url: '/webhook', payload: '{}', headers: { 'content-type': 'application/json' } })
    expect(res.statusCode).toBe(404)
    expect(triggered()).toBe(0)
  })
})
