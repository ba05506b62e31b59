// On a real listening port: 1,000 concurrent connections, a watcher that never reads, 100 MB uploads.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { API, auth, goal, setup } from './helpers.js'

async function listening(options: Parameters<typeof setup>[0] = {}) {
  const ctx = setup(options)
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = ctx.app.server.address() as AddressInfo
  return { ...ctx, port }
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: auth(), agent }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
  })
}

/** Streams `total` bytes of JSON-ish filler, stopping as soon as the server answers; reports what it managed to send. */
function upload(port: number, total: number, withLength: boolean): Promise<{ status: number; sent: number; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now()
    let sent = 0
    let answered = false
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `${API}/namespaces/team/goals`,
      headers: { ...auth(), 'content-type': 'application/json', ...(withLength ? { 'content-length': String(total) } : {}) },
      agent: false,
    })
    const chunk = Buffer.alloc(256 * 1024, 0x20)
    req.on('response', (res) => {
      answered = true
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sent, ms: Date.now() - started }))
      req.destroy()
    })
    req.on('error', () => undefined)
    const pump = (): void => {
      while (!answered && sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      if (!answered) req.end()
    }
    pump()
  })
}

describe('real connections', () => {
  it('serves 1,000 concurrent connections and keeps serving afterwards', async () => {
    const { app, port, request } = await listening()
    await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: goal('a') })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 })
    const results = await Promise.all(Array.from({ length: 1000 }, () => get(port, `${API}/namespaces/team/goals/a`, agent)))
    agent.destroy()
    expect(results.filter((r) => r.status === 200)).toHaveLength(1000)
    expect(JSON.parse(results[999]!.body).metadata.name).toBe('a')
    expect((await get(port, '/healthz')).status).toBe(200)
    expect(app.server.listening).toBe(true)
  }, 60_000)

  it('ends a watch that never reads with an ERROR event once its buffer is full, while serving others', async () => {
    const { app, port, request, store } = await listening({ limits: { rateLimit: false, watchBufferBytes: 64 * 1024, watchCloseGraceMs: 20_000 } })
    await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: goal('big') })
    let response: http.IncomingMessage | undefined
    await new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: `${API}/namespaces/team/goals?watch=true&sendInitialEvents=false`, headers: auth(), agent: false }, (res) => {
        response = res
        res.pause()
        resolve()
      })
    })
    // Large changes written straight to the store (the write path is not under test here): each
    // event is about 1 MB, so the kernel's socket buffers fill after a few dozen.
    const pad = 'x'.repeat(1_000_000)
    for (let i = 0; i < 200 && app.planspec.watches.size > 0; i++) {
      const current = (await store.get({ kind: 'Goal', namespace: 'team', name: 'big' }))!
      await store.update({ ...current, metadata: { ...current.metadata, annotations: { 'example.com/pad': `${i}${pad}` } } })
      await new Promise((r) => setImmediate(r))
    }
    expect(app.planspec.watches.size).toBe(0)
    expect((await get(port, `${API}/namespaces/team/goals/big`)).status).toBe(200)
    expect((await request({ method: 'GET', url: '/metrics' })).payload).toContain('planspec_watch_overflows_total 1')
    const text = await new Promise<string>((resolve) => {
      let all = ''
      response!.on('data', (c: Buffer) => (all += c.toString()))
      response!.on('end', () => resolve(all))
      response!.resume()
    })
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>)
    expect(lines.at(-1)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })
    const versions = lines.slice(0, -1).map((l) => Number(l.object.metadata.resourceVersion))
    expect(versions.length).toBeGreaterThan(0)
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBe(versions[i - 1]! + 1)
  }, 60_000)

  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('refuses a 100 MB upload %s fast, without reading it all', async (_what, withLength) => {
    const { port } = await listening()
    const before = process.memoryUsage().rss
    const result = await upload(port, 100 * 1024 * 1024, withLength)
    expect(result.status).toBe(413)
    expect(result.ms).toBeLessThan(5000)
    expect(result.sent).toBeLessThan(50 * 1024 * 1024)
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024)
    expect((await get(port, '/healthz')).status).toBe(200)
  }, 30_000)
})
