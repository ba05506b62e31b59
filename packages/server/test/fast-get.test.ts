// The fast path of GET (createFastGet) answers only the fully successful read of a cached object, in
// front of fastify: over real HTTP, a server with it and one without answer every request of a
// table (successes and every refusal) with the same status, headers (minus Date) and bytes, count
// the same metrics, and the fast path never serves what fastify would not (revoked bindings,
// new secrets, other processes' writes, rate limits).
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRedactor } from '@planspec/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildServer, sqliteStore } from '../src/index.js'
import { API, TOKEN, goal, tokens, validation, type User } from './helpers.js'
import { inAnotherProcess } from './other-process.js'

interface Answer {
  readonly status: number
  /** Raw header names and values in the order sent, Date left out. */
  readonly headers: string[]
  readonly body: string
}

const agent = new http.Agent({ keepAlive: true })

function send(base: string, method: string, path: string, user: User | null | string, extra: Record<string, string> = {}, payload?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload))
    const authorization = user === null ? {} : { authorization: `Bearer ${user in TOKEN ? TOKEN[user as User] : user}` }
    const req = http.request(new URL(path, base), { method, agent, headers: { ...authorization, ...(data === undefined ? {} : { 'content-type': 'application/json' }), ...extra } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const headers: string[] = []
        for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() !== 'date') headers.push(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString() })
      })
    })
    req.on('error', reject)
    req.end(data)
  })
}

/** Two servers over the same database file, one with the fast path and one without; each counts the requests fastify saw. */
async function twins() {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-fast-get-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'api.db')
  const start = async (fastGet: boolean) => {
    // One fixed clock: a Table's Age column is the same on both.
    const now = (): string => '2026-01-01T00:00:00.000Z'
    const store = sqliteStore({ file, now })
    const redactor = createRedactor()
    const app = buildServer({ store, tokens, validation, logger: false, now, redactor, fastGet, limits: { rateLimit: { perSecond: 0.001, burst: 30 } } })
    const seen = { fastify: 0 }
    app.addHook('onRequest', (_request, _reply, done) => {
      seen.fastify++
      done()
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    onTestFinished(async () => {
      await app.close()
      store.close()
    })
    return { app, redactor, seen, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
  }
  return { file, fast: await start(true), plain: await start(false) }
}

describe('the fast path of GET', () => {
  it('answers every request of the table as fastify does, and answers only cached successful reads itself', async () => {
    const { file, fast, plain } = await twins()
    const role = { apiVersion: 'planspec.io/v1alpha1', kind: 'Role', metadata: { name: 'reader', namespace: 'team' }, rules: [{ resources: ['goals'], verbs: ['get'] }] }
    const binding = { apiVersion: 'planspec.io/v1alpha1', kind: 'RoleBinding', metadata: { name: 'readers', namespace: 'team' }, subjects: [{ kind: 'User', name: 'bob' }, { kind: 'User', name: 'dave' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'reader' } }
    const clusterRole = { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'viewer' }, rules: [{ resources: ['goals'], verbs: ['get'] }] }
    for (const [path, object] of [['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }], [`${API}/namespaces/team/goals`, goal('g')], [`${API}/namespaces/team/roles`, role], [`${API}/namespaces/team/rolebindings`, binding], [`${API}/clusterroles`, clusterRole]] as const) {
      expect((await send(fast.base, 'POST', path, 'admin', {}, object)).status).toBe(201)
    }
    const g = `${API}/namespaces/team/goals/g`
    const table = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json'
    // [what, method, path, user, headers, answered by the fast path]
    type Row = readonly [string, string, string, User | null | string, Record<string, string>, boolean]
    const rows = (): Row[] => [
      ['first read (fills the cache)', 'GET', g, 'admin', {}, false],
      ['cached read', 'GET', g, 'admin', {}, true],
      ['cached read, Accept: application/json', 'GET', g, 'bob', { accept: 'application/json' }, true],
      ['cached status subresource read (another route)', 'GET', `${g}/status`, 'bob', {}, false],
      ['cluster-scoped object, first read', 'GET', `${API}/clusterroles/viewer`, 'admin', {}, false],
      ['cluster-scoped object, cached', 'GET', `${API}/clusterroles/viewer`, 'admin', {}, true],
      ['no token', 'GET', g, null, {}, false],
      ['unknown token', 'GET', g, 'not-a-known-token', {}, false],
      ['malformed Authorization', 'GET', g, null, { authorization: 'Basic YWRtaW46eA==' }, false],
      ['RBAC denial', 'GET', g, 'carol', {}, false],
      ['Table asked for', 'GET', g, 'bob', { accept: table }, false],
      ['missing object', 'GET', `${API}/namespaces/team/goals/nope`, 'bob', {}, false],
      ['unknown plural', 'GET', `${API}/namespaces/team/widgets/g`, 'admin', {}, false],
      ['a query', 'GET', `${g}?includeObject=Object`, 'admin', {}, false],
      ['an escaped name', 'GET', `${API}/namespaces/team/goals/%67`, 'admin', {}, false],
      ['trailing slash', 'GET', `${g}/`, 'admin', {}, false],
      ['HEAD', 'HEAD', g, 'admin', {}, false],
    ]
    const check = async (rowsToSend: Row[]) => {
      for (const [what, method, path, user, headers, fastPath] of rowsToSend) {
        const before = { fast: fast.seen.fastify, plain: plain.seen.fastify }
        const a = await send(fast.base, method, path, user, headers)
        const b = await send(plain.base, method, path, user, headers)
        expect({ what, ...a }).toEqual({ what, ...b })
        expect({ what, viaFastify: fast.seen.fastify - before.fast }).toEqual({ what, viaFastify: fastPath ? 0 : 1 })
        expect(plain.seen.fastify - before.plain).toBe(1)
      }
    }
    await check(rows())
    // Extra reads go to both servers, so that their metrics stay comparable.
    const both = async (path: string, user: User): Promise<Answer> => (await send(plain.base, 'GET', path, user), await send(fast.base, 'GET', path, user))
    const cached = await both(g, 'bob')
    expect(cached.status).toBe(200)
    expect(JSON.parse(cached.body).spec.description).toBe('goal g')

    // A secret learnt after the object was cached: both mask it, the fast path does not serve the old bytes.
    fast.redactor.add(['goal g'])
    plain.redactor.add(['goal g'])
    await check([['read after a new secret', 'GET', g, 'admin', {}, false], ['cached masked read', 'GET', g, 'admin', {}, true]])
    expect(JSON.parse((await both(g, 'admin')).body).spec.description).toBe('[REDACTED]')

    // Another process changes the object, then revokes bob's binding: the next reads see both.
    await inAnotherProcess(file, `{ const g = JSON.parse(store.getText({ kind: 'Goal', namespace: 'team', name: 'g' })); await store.update({ ...g, spec: { description: 'changed elsewhere' } }) }`)
    await check([['read after another process wrote', 'GET', g, 'bob', {}, false], ['cached read of the new bytes', 'GET', g, 'bob', {}, true]])
    expect(JSON.parse((await both(g, 'bob')).body).spec.description).toBe('changed elsewhere')
    await inAnotherProcess(file, `await store.delete({ kind: 'RoleBinding', namespace: 'team', name: 'readers' })`)
    await check([['binding revoked by another process', 'GET', g, 'bob', {}, false]])
    expect((await both(g, 'bob')).status).toBe(403)

    // The rate limit (burst 30, no refill to speak of): dave's 31st read is refused with 429 by both.
    await send(fast.base, 'POST', `${API}/namespaces/team/rolebindings`, 'admin', {}, { ...binding, subjects: [{ kind: 'User', name: 'dave' }] })
    await check([...Array.from({ length: 30 }, (_, i): Row => [`dave ${i + 1}`, 'GET', g, 'dave', {}, true]), ['dave over the limit', 'GET', g, 'dave', {}, false]])
    expect((await both(g, 'dave')).status).toBe(429)

    // The same requests counted by route, method and code on both.
    const counts = async (app: typeof fast.app) => {
      const metric = (await app.planspec.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'planspec_http_requests_total')
      return Object.fromEntries((metric?.values ?? []).filter((v) => v.labels.method !== 'POST').map((v) => [`${v.labels.method} ${v.labels.route} ${v.labels.code}`, v.value]))
    }
    const fastCounts = await counts(fast.app)
    expect(fastCounts[`GET ${API}/namespaces/:namespace/:plural/:name 200`]).toBeGreaterThan(10)
    expect(fastCounts).toEqual(await counts(plain.app))
  })
})
