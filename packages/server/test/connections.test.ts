// On a real listening port: 1,000 concurrent connections, a watcher that never reads, 100 MB uploads.
import http from 'node:http'
import net from 'node:net'
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
    const { app, port, request } = await listening({ limits: { rateLimit: false, maxConnectionsPerIp: 2000 } })
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

  it('closes slow-loris connections once the headers timeout passes, while serving others', async () => {
    const { port } = await listening({ limits: { rateLimit: false, headersTimeoutMs: 1500, maxConnectionsPerIp: 1000 } })
    const sockets = await Promise.all(Array.from({ length: 300 }, () => slowLoris(port)))
    expect((await get(port, '/healthz')).status).toBe(200)
    // Every connection that never finishes its headers is closed (one check a second after the timeout).
    await Promise.all(sockets.map((s) => s.closed))
    expect(sockets.every((s) => s.open() === false)).toBe(true)
  }, 30_000)

  it('closes connections over the per-address cap at once, and accepts new ones when others close', async () => {
    const { port } = await listening({ limits: { rateLimit: false, maxConnectionsPerIp: 5 } })
    const sockets = await Promise.all(Array.from({ length: 8 }, () => slowLoris(port)))
    await Promise.all(sockets.slice(5).map((s) => s.closed))
    expect(sockets.slice(0, 5).every((s) => s.open())).toBe(true)
    for (const s of sockets) s.socket.destroy()
    await new Promise((r) => setTimeout(r, 100))
    expect((await get(port, '/healthz')).status).toBe(200)
  })

  it('refuses a JSON body that is not UTF-8 (400), never decoding it lossily', async () => {
    const { port } = await listening()
    const bytes = Buffer.concat([Buffer.from('{"apiVersion":"planspec.io/v1alpha1","kind":"Goal","metadata":{"name":"g"},"spec":{"description":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}')])
    for (const path of [`${API}/namespaces/team/goals`, `${API}/validate`]) {
      const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...auth(), 'content-type': 'application/json', 'content-length': bytes.length }, agent: false }, (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        })
        req.on('error', reject)
        req.end(bytes)
      })
      expect(status.status).toBe(400)
      expect(JSON.parse(status.body)).toMatchObject({ reason: 'BadRequest', message: 'the request body is not valid UTF-8' })
    }
  })
})

/** Opens a connection that sends a request line and then one header byte a second, forever. */
function slowLoris(port: number): Promise<{ socket: net.Socket; closed: Promise<void>; open: () => boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let open = true
    const closed = new Promise<void>((done) => socket.once('close', () => ((open = false), done())))
    socket.on('error', () => undefined)
    const drip = setInterval(() => socket.writable && socket.write('X'), 1000)
    socket.once('close', () => clearInterval(drip))
    socket.once('connect', () => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ')
      resolve({ socket, closed, open: () => open })
    })
    // A connection the server refused before it was up still resolves (closed at once).
    socket.once('close', () => resolve({ socket, closed, open: () => open }))
  })
}
