import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createProviders, fetchPinned, type LookupFn, type PinnedFetch } from '../src/index.js'
import { request, tempDir } from './helpers.js'
import { json, startServer, type LoopbackServer } from './loopback-server.js'

let server: LoopbackServer
let workspace: string
beforeEach(async () => {
  server = await startServer()
  workspace = await tempDir()
})
afterEach(async () => {
  await server.close()
})

const lab = (port: number) => ({ allowCommands: [], allowUrls: [`http://127.0.0.1:${port}/*`, `http://svc.test:${port}/*`], allowPrivateNetworks: true })

describe('http provider', () => {
  it('POSTs the signed task and succeeds with the declared outputs', async () => {
    server.handle((_req, res) => json(res, 200, { outputs: { ok: true, junk: 1 } }))
    const providers = createProviders({ policy: lab(server.port), env: { HOOK_KEY: 'k3y-canary-value' } })
    const result = await providers.dispatch(
      request({
        workspace,
        provider: `http://127.0.0.1:${server.port}/hook`,
        config: { secretEnv: 'HOOK_KEY' },
        inputs: { branch: 'main' },
        declaredOutputs: ['ok'],
      }),
    )
    expect(result).toEqual({ outcome: 'succeeded', outputs: { ok: true }, message: 'UndeclaredOutput: dropped junk' })
    const [received] = server.received
    expect(received?.method).toBe('POST')
    expect(JSON.parse(received?.body ?? '')).toEqual({ runId: 'uid-1/build/1', node: 'build', attempt: 1, inputs: { branch: 'main' } })
    const expected = createHmac('sha256', 'k3y-canary-value').update(received?.body ?? '').digest('hex')
    expect(received?.headers['x-planspec-signature']).toBe(`sha256=${expected}`)
    expect(received?.headers['idempotency-key']).toBe('uid-1/build/1')
  })

  it('connects to the vetted IP with the original Host header', async () => {
    server.handle((_req, res) => json(res, 200, { outputs: {} }))
    const lookups: string[] = []
    const lookup: LookupFn = (host) => {
      lookups.push(host)
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }])
    }
    const result = await createProviders({ policy: lab(server.port), lookup }).dispatch(
      request({ workspace, provider: `http://svc.test:${server.port}/hook` }),
    )
    expect(result).toEqual({ outcome: 'succeeded', outputs: {} })
    expect(lookups).toEqual(['svc.test'])
    expect(server.received[0]?.headers.host).toBe(`svc.test:${server.port}`)
  })

  it('goes pending on 202 and then polls the status URL to completion', async () => {
    let polls = 0
    server.handle((req, res) => {
      if (req.method === 'POST') return json(res, 202, { statusUrl: '/status/42' })
      polls += 1
      if (polls === 1) return json(res, 200, { state: 'pending' })
      return json(res, 200, { state: 'succeeded', outputs: { url: 'https://x' } })
    })
    const providers = createProviders({ policy: lab(server.port) })
    const provider = `http://127.0.0.1:${server.port}/hook`
    const first = await providers.dispatch(request({ workspace, provider, config: { pollIntervalMs: 50 } }))
    expect(first).toEqual({ outcome: 'pending', poll: { url: `http://127.0.0.1:${server.port}/status/42`, intervalMs: 50 } })
    const http = providers.forUri(provider)
    if (first.outcome !== 'pending' || first.poll === undefined) throw new Error('not pending')
    expect(await http?.status?.('uid-1/build/1', first.poll)).toMatchObject({ outcome: 'pending' })
    expect(await http?.status?.('uid-1/build/1', first.poll)).toEqual({ outcome: 'succeeded', outputs: { url: 'https://x' } })
    expect(server.received.filter((r) => r.method === 'GET')).toHaveLength(2)
  })

  it('takes the status URL from Location and reports remote failure', async () => {
    server.handle((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(202, { location: `http://127.0.0.1:${server.port}/jobs/7` })
        return res.end()
      }
      return json(res, 200, { state: 'failed', message: 'disk full' })
    })
    const providers = createProviders({ policy: lab(server.port) })
    const provider = `http://127.0.0.1:${server.port}/hook`
    const first = await providers.dispatch(request({ workspace, provider }))
    expect(first).toMatchObject({ outcome: 'pending', poll: { url: `http://127.0.0.1:${server.port}/jobs/7` } })
    if (first.outcome !== 'pending' || first.poll === undefined) throw new Error('not pending')
    expect(await providers.forUri(provider)?.status?.('r', first.poll)).toEqual({ outcome: 'failed', reason: 'RemoteFailed', message: 'disk full' })
  })

  it('maps errors, oversized bodies and slow endpoints to stable reasons', async () => {
    const providers = createProviders({ policy: { ...lab(server.port), maxOutputBytes: 1024 } })
    const provider = `http://127.0.0.1:${server.port}/hook`
    server.handle((_req, res) => json(res, 500, { error: 'internal-detail-canary' }))
    const failed = await providers.dispatch(request({ workspace, provider }))
    expect(failed).toMatchObject({ outcome: 'failed', reason: 'HttpError' })
    expect(JSON.stringify(failed)).not.toContain('internal-detail-canary')
    server.handle((_req, res) => json(res, 200, { outputs: { big: 'x'.repeat(10_000) } }))
    expect(await providers.dispatch(request({ workspace, provider }))).toMatchObject({ reason: 'OutputTooLarge' })
    server.handle((_req, res) => res.end('not json'))
    expect(await providers.dispatch(request({ workspace, provider }))).toMatchObject({ reason: 'InvalidOutput' })
    server.handle(() => undefined)
    expect(await providers.dispatch(request({ workspace, provider, timeoutMs: 300 }))).toMatchObject({ reason: 'Timeout' })
  })

  it('refuses URLs off the allow-list and a missing signing key, sending nothing', async () => {
    const providers = createProviders({ policy: lab(server.port), env: {} })
    expect(await providers.dispatch(request({ workspace, provider: `http://127.0.0.1:${server.port + 1}/hook` }))).toMatchObject({ reason: 'NotAllowed' })
    expect(await providers.dispatch(request({ workspace, provider: `https://127.0.0.1:${server.port}/hook` }))).toMatchObject({ reason: 'NotAllowed' })
    expect(
      await providers.dispatch(request({ workspace, provider: `http://127.0.0.1:${server.port}/hook`, config: { secretEnv: 'MISSING' } })),
    ).toMatchObject({ reason: 'InvalidConfig' })
    expect(server.received).toHaveLength(0)
  })
})

describe('secrets (THREATS T13)', () => {
  it('never puts the signing key into any result, even when the endpoint echoes it', async () => {
    const key = 'canary-key-7f3a9b'
    server.handle((req, res) => json(res, req.url === '/echo' ? 500 : 200, { outputs: 'not-an-object', echo: key, auth: req.headers['x-planspec-signature'] }))
    const providers = createProviders({ policy: lab(server.port), env: { HOOK_KEY: key }, secrets: [key] })
    const results = []
    for (const path of ['/echo', '/ok', `/?token=${key}`]) {
      results.push(await providers.dispatch(request({ workspace, provider: `http://127.0.0.1:${server.port}${path}`, config: { secretEnv: 'HOOK_KEY' } })))
    }
    results.push(await providers.dispatch(request({ workspace, provider: `http://bob:${key}@127.0.0.1:${server.port}/`, config: { secretEnv: 'HOOK_KEY' } })))
    results.push(await providers.dispatch(request({ workspace, provider: `http://127.0.0.1:1/${key}`, config: { secretEnv: 'HOOK_KEY' } })))
    const text = JSON.stringify(results)
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed'])
    for (const form of [key, Buffer.from(key).toString('base64'), encodeURIComponent(key)]) expect(text).not.toContain(form)
  })
})

describe('SSRF guard', () => {
  it('refuses loopback, private and link-local targets in every spelling; the internal server sees nothing', async () => {
    const redirector = await startServer()
    try {
      const internal = server
      redirector.handle((_req, res) => {
        res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/` })
        res.end()
      })
      const p = internal.port
      // Names resolve through the injected lookup; "public.example" gets a public documentation
      // address that the injected fetch routes to the loopback redirector.
      const lookup: LookupFn = (host) =>
        Promise.resolve(
          host === 'public.example' ? [{ address: '203.0.113.10', family: 4 }]
          : host === 'mixed.example' ? [{ address: '203.0.113.10', family: 4 }, { address: '10.0.0.7', family: 4 }]
          : [{ address: '127.0.0.1', family: 4 }],
        )
      const routed: PinnedFetch = (req) =>
        fetchPinned({ ...req, address: req.address === '203.0.113.10' ? '127.0.0.1' : req.address, url: req.address === '203.0.113.10' ? new URL(req.url.href.replace(`:${p}`, `:${redirector.port}`)) : req.url })
      const providers = createProviders({
        policy: { allowCommands: [], allowUrls: ['http://*:*/*', 'http://*/*'], allowPrivateNetworks: false },
        lookup,
        fetch: routed,
      })
      const table = [
        `http://127.0.0.1:${p}/`,
        `http://[::1]:${p}/`,
        `http://0x7f000001:${p}/`,
        `http://2130706433:${p}/`,
        `http://0177.0.0.1:${p}/`,
        `http://[::ffff:127.0.0.1]:${p}/`,
        `http://localhost.:${p}/`,
        `http://localhost:${p}/`,
        'http://169.254.169.254/latest/meta-data/',
        `http://allowed.example:${p}/`,
        `http://mixed.example:${p}/`,
        `http://public.example:${p}/`,
      ]
      for (const url of table) {
        const result = await providers.dispatch(request({ workspace, provider: url }))
        expect({ url, result }).toMatchObject({ url, result: { outcome: 'failed', reason: 'Refused' } })
      }
      expect(redirector.received).toHaveLength(1) // only the 302 hop, never followed
      expect(internal.received).toHaveLength(0)
    } finally {
      await redirector.close()
    }
  })
})
