// The request log: no line per request at the default level; slow requests, 4xx/5xx summaries;
// the full access log when asked for. Lines are parsed as the JSON a pino logger writes.
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createRequestLog, type FinishedRequest } from '../src/server/request-log.js'
import { API, auth, setup } from './helpers.js'

/** A pino logger at `level` whose lines are collected, parsed. */
function capture(level = 'info') {
  const lines: Record<string, any>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, any>)
      done()
    },
  })
  return { logger: pino({ level, base: undefined }, stream), lines }
}
const flushed = () => new Promise((resolve) => setImmediate(resolve))
const finished = (over: Partial<FinishedRequest> = {}): FinishedRequest => ({ id: 'req-1', method: 'GET', url: '/healthz', route: '/healthz', status: 200, ms: 0.4, watch: false, user: undefined, ip: '127.0.0.1', ...over })

describe('createRequestLog', () => {
  it('writes nothing for fast successful requests, one warning per slow request, and one summary of error responses', async () => {
    const { logger, lines } = capture()
    const log = createRequestLog({ logger, slowMs: 500 })
    for (let i = 0; i < 100; i++) log.observe(finished())
    log.observe(finished({ id: 'req-slow', url: '/apis/x?limit=5', route: '/apis/x', ms: 750.123, user: 'alice' }))
    log.observe(finished({ route: '/apis/x', status: 200, ms: 60_000, watch: true }))
    for (let i = 0; i < 3; i++) log.observe(finished({ route: '/apis/:plural/:name', status: 404 }))
    log.observe(finished({ method: 'POST', route: '/apis/:plural', status: 401 }))
    await flushed()
    expect(lines).toEqual([expect.objectContaining({ level: 40, reqId: 'req-slow', method: 'GET', url: '/apis/x?limit=5', route: '/apis/x', status: 200, ms: 750.12, user: 'alice' })])
    log.close()
    await flushed()
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatchObject({ level: 30, msg: '4 error responses: 3x 404 GET /apis/:plural/:name, 1x 401 POST /apis/:plural' })
    expect(lines[1]!.errors).toEqual([
      { status: 404, method: 'GET', route: '/apis/:plural/:name', count: 3 },
      { status: 401, method: 'POST', route: '/apis/:plural', count: 1 },
    ])
    log.close()
    log.flush()
    await flushed()
    expect(lines).toHaveLength(2)
  })

  it('warns when a 5xx is among the summarised responses, and summarises on its interval', async () => {
    const { logger, lines } = capture()
    const log = createRequestLog({ logger, summaryMs: 20 })
    log.observe(finished({ status: 503, route: '/readyz' }))
    await expect.poll(() => lines.length, { timeout: 10_000, interval: 20 }).toBe(1)
    expect(lines[0]).toMatchObject({ level: 40, errors: [{ status: 503, method: 'GET', route: '/readyz', count: 1 }] })
    log.close()
  })

  it('writes one access line per request when given an access logger', async () => {
    const main = capture()
    const access = capture()
    const log = createRequestLog({ logger: main.logger, access: access.logger })
    log.observe(finished({ id: 'req-7', user: 'bob', status: 201, method: 'POST', url: '/apis/goals', route: '/apis/:plural', ms: 2.345 }))
    log.observe(finished({ id: 'req-8', watch: true, ms: 5000 }))
    log.close()
    await flushed()
    expect(access.lines).toEqual([
      { level: 30, time: expect.any(Number), reqId: 'req-7', method: 'POST', url: '/apis/goals', route: '/apis/:plural', status: 201, ms: 2.35, user: 'bob', ip: '127.0.0.1', msg: 'request' },
      { level: 30, time: expect.any(Number), reqId: 'req-8', method: 'GET', url: '/healthz', route: '/healthz', status: 200, ms: 5000, watch: true, ip: '127.0.0.1', msg: 'request' },
    ])
    expect(main.lines).toEqual([])
  })
})

describe('the server\'s request log', () => {
  it('logs no request line at info level; the error summary counts what was refused, by route', async () => {
    const { logger, lines } = capture('info')
    const { app, request } = setup({ logger })
    for (let i = 0; i < 20; i++) expect((await request({ method: 'GET', url: `${API}/namespaces/default/goals` })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${API}/namespaces/default/goals/missing` })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: `${API}/namespaces/default/goals`, headers: { authorization: 'Bearer wrong-token' } })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/no/such/path', headers: auth() })).statusCode).toBe(404)
    await flushed()
    expect(lines.filter((line) => line.req !== undefined || line.res !== undefined || line.reqId !== undefined)).toEqual([])
    await app.close()
    await flushed()
    const summaries = lines.filter((line) => line.errors !== undefined)
    expect(summaries).toHaveLength(1)
    expect(summaries[0]!.errors).toEqual(
      expect.arrayContaining([
        { status: 404, method: 'GET', route: '/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural/:name', count: 1 },
        { status: 401, method: 'GET', route: '/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural', count: 1 },
        { status: 404, method: 'GET', route: 'unmatched', count: 1 },
      ]),
    )
    expect(JSON.stringify(lines)).not.toContain('wrong-token')
  })

  it('writes one access line per request, with the caller, to the access logger', async () => {
    const access = capture()
    const { request } = setup({ requestLog: { access: access.logger } })
    expect((await request({ method: 'GET', url: `${API}/namespaces/default/goals?limit=3`, user: 'admin' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${API}/namespaces/default/goals/nope`, user: 'bob' })).statusCode).toBe(403)
    await flushed()
    expect(access.lines).toEqual([
      expect.objectContaining({ method: 'GET', url: `${API}/namespaces/default/goals?limit=3`, route: `${API}/namespaces/:namespace/:plural`, status: 200, user: 'admin', ms: expect.any(Number) }),
      expect.objectContaining({ method: 'GET', url: `${API}/namespaces/default/goals/nope`, status: 403, user: 'bob' }),
    ])
  })
})
