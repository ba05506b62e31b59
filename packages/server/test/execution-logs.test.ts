// The log subresource of Executions (issue 14): `GET .../executions/{name}/log` over the store's
// attempt_logs table, under its own RBAC permission (`executions/log`, like `pods/log`).
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { API, body, create, execution, plan, setup } from './helpers.js'
import { createDatabase, openPostgres } from './postgres.js'

const V = 'planspec.io/v1alpha1'
const LOG = `${API}/namespaces/team/executions/e1/log`
const log = (node: string, attempt: number, stream: 'stdout' | 'stderr', text: string) => ({ node, attempt, stream, text, bytes: Buffer.byteLength(text), truncated: false })

async function seeded() {
  const server = setup()
  await create(server.request, plan('p1'))
  const stored = await create(server.request, execution('e1', 'p1'))
  const who = { namespace: 'team', name: 'e1', uid: String(stored.metadata.uid) }
  await server.store.logs.save(who, [log('a', 1, 'stdout', 'first\n'), log('a', 1, 'stderr', 'oops\n')])
  await server.store.logs.save(who, [log('a', 2, 'stdout', 'second\n'), log('a', 2, 'stderr', '')])
  return { ...server, who }
}

describe('executions/{name}/log', () => {
  it('answers the kept logs as text, or as a list for JSON clients, selected like planspec logs', async () => {
    const { request } = await seeded()
    const text = await request({ method: 'GET', url: LOG, headers: { accept: 'text/plain' } })
    expect(text.statusCode).toBe(200)
    expect(text.headers['content-type']).toContain('text/plain')
    expect(text.payload).toBe('==> a attempt 2 stdout <==\nsecond\n==> a attempt 2 stderr <==\n')
    const one = await request({ method: 'GET', url: `${LOG}?node=a&attempt=1&stream=stderr`, headers: { accept: 'text/plain' } })
    expect(one.payload).toBe('oops\n')
    const json = await request({ method: 'GET', url: `${LOG}?allAttempts=true&stream=stdout`, headers: { accept: 'application/json' } })
    expect(body(json)).toEqual({ kind: 'ExecutionLogList', apiVersion: V, items: [log('a', 1, 'stdout', 'first\n'), log('a', 2, 'stdout', 'second\n')] })
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/executions/nope/log` })).statusCode).toBe(404)
    expect((await request({ method: 'GET', url: `${LOG}?stream=both` })).statusCode).toBe(400)
  })

  it('needs get on executions/log: reading the Execution is not enough', async () => {
    const { request } = await seeded()
    await create(request, { apiVersion: V, kind: 'Role', metadata: { name: 'reader', namespace: 'team' }, rules: [{ resources: ['executions'], verbs: ['get', 'list', 'watch'] }] } as never)
    await create(request, { apiVersion: V, kind: 'RoleBinding', metadata: { name: 'readers', namespace: 'team' }, subjects: [{ kind: 'User', name: 'carol' }, { kind: 'User', name: 'dave' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'reader' } } as never)
    await create(request, { apiVersion: V, kind: 'Role', metadata: { name: 'log-reader', namespace: 'team' }, rules: [{ resources: ['executions/log'], verbs: ['get'] }] } as never)
    await create(request, { apiVersion: V, kind: 'RoleBinding', metadata: { name: 'log-readers', namespace: 'team' }, subjects: [{ kind: 'User', name: 'dave' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'log-reader' } } as never)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/executions/e1`, user: 'carol' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: LOG, user: 'carol' })).statusCode).toBe(403)
    expect((await request({ method: 'GET', url: LOG, user: 'dave' })).statusCode).toBe(200)
    const review = (user: 'carol' | 'dave') => request({ method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', user, payload: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: 'planspec.io', resource: 'executions', subresource: 'log', verb: 'get', namespace: 'team', name: 'e1' } } } })
    expect(body(await review('carol')).status.allowed).toBe(false)
    expect(body(await review('dave')).status.allowed).toBe(true)
  })

  it('keeps logs per Execution object: a new object of the same name starts with none, and pruning drops them', async () => {
    const { store, who } = await seeded()
    await store.logs.save({ ...who, uid: 'another-uid' }, [log('a', 1, 'stdout', 'new object\n')])
    expect(await store.logs.read(who)).toEqual([])
    expect(await store.logs.read({ ...who, uid: 'another-uid' })).toEqual([log('a', 1, 'stdout', 'new object\n')])
    await store.logs.prune('team', 'e1')
    expect(await store.logs.read({ ...who, uid: 'another-uid' })).toEqual([])
  })

  it('keeps the last attempts of each node', async () => {
    const { store, who } = await seeded()
    for (let attempt = 3; attempt <= 12; attempt++) await store.logs.save(who, [log('a', attempt, 'stdout', `${attempt}\n`)])
    expect((await store.logs.read(who)).map((l) => l.attempt)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  })
})

describe.each([
  { name: 'sqliteStore', open: async () => sqliteStore({}) },
  {
    name: 'postgresStore',
    open: async () => {
      const store = openPostgres(await createDatabase('logs'), {})
      await store.ready()
      return store
    },
  },
])('the log store: $name', ({ open }) => {
  it('replaces a log of the same attempt and stream, keeps per object and per node, and prunes', async () => {
    const store = await open()
    try {
      const who = { namespace: 'team', name: 'e1', uid: 'u1' }
      await store.logs.save(who, [log('b', 1, 'stdout', 'partial'), log('a', 1, 'stderr', 'x\n')])
      await store.logs.save(who, [log('b', 1, 'stdout', 'partial and whole\n'), { ...log('b', 1, 'stderr', 'cut'), bytes: 9000, truncated: true }])
      expect(await store.logs.read(who)).toEqual([log('a', 1, 'stderr', 'x\n'), log('b', 1, 'stdout', 'partial and whole\n'), { ...log('b', 1, 'stderr', 'cut'), bytes: 9000, truncated: true }])
      for (let attempt = 2; attempt <= 12; attempt++) await store.logs.save(who, [log('b', attempt, 'stdout', `${attempt}`)])
      expect((await store.logs.read(who)).filter((l) => l.node === 'b').map((l) => l.attempt)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
      await store.logs.save({ ...who, uid: 'u2' }, [log('a', 1, 'stdout', 'again\n')])
      expect(await store.logs.read(who)).toEqual([])
      await store.logs.prune('team', 'e1')
      expect(await store.logs.read({ ...who, uid: 'u2' })).toEqual([])
    } finally {
      await store.close()
    }
  }, 120_000)
})
