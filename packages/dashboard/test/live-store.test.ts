// The dashboard's informer against a real `planspec serve`: list, watch, and resume after the server
// goes away and comes back (no browser needed: node has fetch and streams).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createApiClient } from '../app/api-client.js'
import { createLiveStore, MIN_REQUEST_INTERVAL_MS } from '../app/live-store.js'
import { api, applyAll, startPlanspec, until, type Running } from './browser/harness.js'

const TOKEN = 'live-store-token-1c4e'
const work = mkdtempSync(join(tmpdir(), 'planspec-dashboard-store-'))
writeFileSync(join(work, 'tokens.csv'), `${TOKEN},admin,system:masters\n`)
let server: Running | undefined

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
const start = (port: number) => startPlanspec(['serve', '--insecure-http', '--db', join(work, 'planspec.db'), '--listen', `127.0.0.1:${port}`, '--tokens', join(work, 'tokens.csv'), '--no-executions'], 'url')
const goal = (name: string) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name }, spec: { description: `goal ${name}` } })

afterAll(async () => server?.stop())

describe('createLiveStore', () => {
  it('lists, follows the watch, and resumes after the server restarts', async () => {
    const port = await freePort()
    server = await start(port)
    const base = server.url
    await applyAll(base, TOKEN, 'default', [goal('first')])
    let unauthorized = 0
    const store = createLiveStore({ api: createApiClient({ token: TOKEN, base }), onUnauthorized: () => unauthorized++ })
    // Goals are listed, not streamed; gates and executions are streamed. Follow a streamed kind too.
    store.follow(['executions', 'gates'])
    await until('the first list', () => (store.loaded('gates') ? true : undefined))
    await until('the watch to be live', () => (store.connection().state === 'live' ? true : undefined))
    const gate = { apiVersion: 'planspec.io/v1alpha1', kind: 'Gate', metadata: { name: 'g1' }, spec: { gateType: 'approval', targetRef: { kind: 'Execution', name: 'x' } } }
    expect((await api(base, TOKEN, 'POST', '/apis/planspec.io/v1alpha1/namespaces/default/gates', gate)).status).toBe(201)
    await until('the created gate through the watch', () => store.get('gates', 'default', 'g1'))
    expect((await api(base, TOKEN, 'DELETE', '/apis/planspec.io/v1alpha1/namespaces/default/gates/g1')).status).toBe(200)
    await until('the deletion through the watch', () => (store.get('gates', 'default', 'g1') === undefined ? true : undefined))

    await server.stop()
    await until('the store to notice', () => (store.connection().state === 'reconnecting' ? true : undefined), 30_000)
    server = await start(port)
    expect((await api(server.url, TOKEN, 'POST', '/apis/planspec.io/v1alpha1/namespaces/default/gates', { ...gate, metadata: { name: 'g2' } })).status).toBe(201)
    const startedWaiting = Date.now()
    await until('the gate made while it was away', () => store.get('gates', 'default', 'g2'), MIN_REQUEST_INTERVAL_MS * 4)
    expect(store.connection().state).toBe('live')
    // It waited before asking again: nothing polls faster than once per 10 s.
    expect(Date.now() - startedWaiting).toBeGreaterThan(1000)
    expect(unauthorized).toBe(0)
    store.close()
  })

  it('tells the app once when the token is refused', async () => {
    server ??= await start(await freePort())
    let unauthorized = 0
    const store = createLiveStore({ api: createApiClient({ token: 'revoked', base: server.url }), onUnauthorized: () => unauthorized++ })
    store.follow(['executions', 'gates'])
    await until('the 401', () => (unauthorized > 0 ? true : undefined))
    await new Promise((r) => setTimeout(r, 500))
    expect(unauthorized).toBe(1)
    store.close()
  })
})
