// Lists: namespaces, label and field selectors, and limit/continue pagination over a consistent snapshot.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRedactor } from '@planspec/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { fieldFilter, parseLabelSelector } from '../src/server/selectors.js'
import { API, body, create, goal, plan, setup, testNow } from './helpers.js'

const names = (res: { payload: string }): string[] => body(res).items.map((i: { metadata: { namespace?: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`)

async function seed(request: ReturnType<typeof setup>['request']) {
  await create(request, goal('a', { labels: { tier: 'gold', env: 'prod' } }))
  await create(request, goal('b', { labels: { tier: 'silver', env: 'dev' } }))
  await create(request, goal('c', { labels: { tier: 'gold' } }))
  await create(request, goal('d', {}, 'other'))
}

describe('list', () => {
  it('lists one namespace or all of them, as a typed list with the store version', async () => {
    const { request, store } = setup()
    await seed(request)
    const res = await request({ method: 'GET', url: `${API}/namespaces/team/goals` })
    expect(res.statusCode).toBe(200)
    expect(body(res)).toMatchObject({ apiVersion: 'planspec.io/v1alpha1', kind: 'GoalList', metadata: { resourceVersion: store.currentResourceVersion() } })
    expect(names(res)).toEqual(['team/a', 'team/b', 'team/c'])
    expect(names(await request({ method: 'GET', url: `${API}/goals` }))).toEqual(['other/d', 'team/a', 'team/b', 'team/c'])
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/empty/plans` })).items).toEqual([])
  })

  it.each([
    ['tier=gold', ['team/a', 'team/c']],
    ['tier==gold,env=prod', ['team/a']],
    ['tier!=gold', ['team/b']],
    ['env', ['team/a', 'team/b']],
    ['!env', ['team/c']],
    ['tier in (gold,silver),env notin (prod)', ['team/b', 'team/c']],
    ['tier notin (silver)', ['team/a', 'team/c']],
  ])('filters by labelSelector %s', async (selector, expected) => {
    const { request } = setup()
    await seed(request)
    expect(names(await request({ method: 'GET', url: `${API}/namespaces/team/goals?labelSelector=${encodeURIComponent(selector)}` }))).toEqual(expected)
  })

  it('filters by fieldSelector on metadata.name, metadata.namespace and status.phase', async () => {
    const { request } = setup()
    await seed(request)
    const b = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/b` }))
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/b/status`, payload: { ...b, status: { phase: 'Ready' } } })
    const q = (s: string) => request({ method: 'GET', url: `${API}/goals?fieldSelector=${encodeURIComponent(s)}` })
    expect(names(await q('metadata.name=a'))).toEqual(['team/a'])
    expect(names(await q('metadata.namespace=other'))).toEqual(['other/d'])
    expect(names(await q('status.phase=Ready'))).toEqual(['team/b'])
    expect(names(await q('status.phase!=Ready,metadata.namespace==team'))).toEqual(['team/a', 'team/c'])
  })

  it.each([
    ['labelSelector', 'tier in (gold'],
    ['labelSelector', 'Bad Key=x'],
    ['labelSelector', 'a=b)'],
    ['labelSelector', 'tier=in valid'],
    ['fieldSelector', 'spec.description=x'],
    ['fieldSelector', 'nonsense'],
    ['limit', '0'],
    ['limit', '100001'],
    ['continue', 'not-a-token'],
    ['resourceVersionMatch', 'Exact'],
  ])('refuses a bad %s %j with 400', async (param, value) => {
    const { request } = setup()
    const res = await request({ method: 'GET', url: `${API}/namespaces/team/goals?${param}=${encodeURIComponent(value)}` })
    expect(res.statusCode).toBe(400)
    expect(body(res).reason).toBe('BadRequest')
  })

  it('pages with limit/continue over one consistent snapshot while writes go on', async () => {
    const { request } = setup()
    for (const n of ['a', 'b', 'c', 'd', 'e']) await create(request, goal(n))
    const first = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals?limit=2` }))
    expect(first.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'b'])
    const token = first.metadata.continue as string
    expect(token).toEqual(expect.any(String))
    await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/c` })
    await create(request, goal('bb'))
    const second = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals?limit=2&continue=${token}` }))
    expect(second.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['c', 'd'])
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion)
    const third = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals?limit=2&continue=${second.metadata.continue}` }))
    expect(third.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['e'])
    expect(third.metadata.continue).toBeUndefined()
  })

  it('answers 410 Expired when the snapshot of a continue token was compacted away', async () => {
    const store = sqliteStore({ now: testNow, historyLimit: 2, compactEvery: 1 })
    const { request } = setup({ store })
    for (const n of ['a', 'b', 'c']) await create(request, goal(n))
    const first = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals?limit=1` }))
    for (const n of ['x', 'y', 'z']) await create(request, goal(n))
    const res = await request({ method: 'GET', url: `${API}/namespaces/team/goals?limit=1&continue=${first.metadata.continue}` })
    expect(res.statusCode).toBe(410)
    expect(body(res).reason).toBe('Expired')
  })

  it('refuses a continue token from another list (400)', async () => {
    const { request } = setup()
    for (const n of ['a', 'b']) await create(request, goal(n))
    const token = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals?limit=1` })).metadata.continue
    const res = await request({ method: 'GET', url: `${API}/namespaces/other/goals?limit=1&continue=${token}` })
    expect(res.statusCode).toBe(400)
    const forged = Buffer.from(JSON.stringify({ v: 1, rv: 'x', ns: '', n: '' })).toString('base64url')
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals?limit=1&continue=${forged}` })).statusCode).toBe(400)
  })

  it('answers 404 for an unknown resource and for cluster kinds under a namespace', async () => {
    const { request } = setup()
    expect((await request({ method: 'GET', url: `${API}/widgets` })).statusCode).toBe(404)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/clusterroles` })).statusCode).toBe(404)
    expect((await request({ method: 'GET', url: `${API}/clusterroles` })).statusCode).toBe(200)
  })
})

describe('selector parsing', () => {
  it('turns Kubernetes selector syntax into core LabelSelector requirements', () => {
    expect(parseLabelSelector('a=b, c!=d ,e,!f,g in (x, y),h notin (z)')).toEqual({
      matchExpressions: [
        { key: 'a', operator: 'In', values: ['b'] },
        { key: 'c', operator: 'NotIn', values: ['d'] },
        { key: 'e', operator: 'Exists' },
        { key: 'f', operator: 'DoesNotExist' },
        { key: 'g', operator: 'In', values: ['x', 'y'] },
        { key: 'h', operator: 'NotIn', values: ['z'] },
      ],
    })
    expect(parseLabelSelector('')).toEqual({ matchExpressions: [] })
    expect(parseLabelSelector('planspec.io/goal=x')).toEqual({ matchExpressions: [{ key: 'planspec.io/goal', operator: 'In', values: ['x'] }] })
    expect(() => parseLabelSelector('a=' + 'x'.repeat(64))).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_API_BAD_REQUEST' }))
    expect(() => parseLabelSelector('(a')).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_API_BAD_REQUEST' }))
    const filter = fieldFilter('metadata.name=a')
    expect(filter({ apiVersion: 'v', kind: 'Goal', metadata: { name: 'a' } })).toBe(true)
    expect(fieldFilter('status.phase=')({ apiVersion: 'v', kind: 'Goal', metadata: { name: 'a' } })).toBe(true)
  })
})

describe('the list cache', () => {
  it('answers a repeated list with the same bytes, and a list after any write (or a new secret) as a fresh read would', async () => {
    const redactor = createRedactor()
    const { request, store } = setup({ redactor })
    await seed(request)
    const url = `${API}/namespaces/team/goals?limit=2`
    const first = await request({ method: 'GET', url })
    const again = await request({ method: 'GET', url })
    expect(again.payload).toBe(first.payload)
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8')
    const next = await request({ method: 'GET', url: `${url}&continue=${encodeURIComponent(body(first).metadata.continue)}` })
    expect(names(next)).toEqual(['team/c'])
    // A write of another kind moves the version: the list is read again, with the new version.
    await create(request, plan('p'))
    const afterPlan = await request({ method: 'GET', url })
    expect(body(afterPlan).metadata.resourceVersion).toBe(store.currentResourceVersion())
    expect(body(afterPlan).metadata.resourceVersion).not.toBe(body(first).metadata.resourceVersion)
    // A write of the listed kind shows at once.
    await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a` })
    expect(names(await request({ method: 'GET', url }))).toEqual(['team/b', 'team/c'])
    // A secret the redactor learns after a list was cached is masked in the next answer.
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals` })).payload).toContain('"name":"b"')
    redactor.add(['goal b'])
    const masked = await request({ method: 'GET', url: `${API}/namespaces/team/goals` })
    expect(masked.payload).not.toContain('"goal b"')
    expect(masked.payload).toContain('[REDACTED]')
  })

  it('authorizes every request: a cached list is refused once the binding that allowed it is gone', async () => {
    const { request } = setup()
    await seed(request)
    await create(request, { apiVersion: 'planspec.io/v1alpha1', kind: 'Role', metadata: { name: 'reader', namespace: 'team' }, rules: [{ resources: ['goals'], verbs: ['list'] }] } as never)
    await create(request, { apiVersion: 'planspec.io/v1alpha1', kind: 'RoleBinding', metadata: { name: 'readers', namespace: 'team' }, subjects: [{ kind: 'User', name: 'bob' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'reader' } } as never)
    const url = `${API}/namespaces/team/goals`
    expect((await request({ method: 'GET', url, user: 'bob' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url, user: 'bob' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url, user: 'carol' })).statusCode).toBe(403)
    expect((await request({ method: 'DELETE', url: `${API}/namespaces/team/rolebindings/readers` })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url, user: 'bob' })).statusCode).toBe(403)
  })

  it('sees a write another process committed to the same database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-list-cache-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'api.db')
    const store = sqliteStore({ file, now: testNow })
    const { request } = setup({ store })
    await seed(request)
    const url = `${API}/namespaces/team/goals`
    expect(names(await request({ method: 'GET', url }))).toEqual(['team/a', 'team/b', 'team/c'])
    const other = sqliteStore({ file, now: testNow })
    await other.create(goal('e') as never)
    other.close()
    expect(names(await request({ method: 'GET', url }))).toEqual(['team/a', 'team/b', 'team/c', 'team/e'])
  })
})
