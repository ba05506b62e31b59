// Server-side apply of a batch: created/configured/unchanged, atomic, never wiping status.
import { describe, expect, it } from 'vitest'
import { API, body, execution, goal, plan, setup } from './helpers.js'

const list = (...items: object[]) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'List', items })
const outcomes = (res: { payload: string }) => body(res).results.map((r: { subject: string; action: string }) => `${r.subject} ${r.action}`)

describe('apply', () => {
  it('creates, then reports unchanged on a second identical apply without writing (idempotent)', async () => {
    const { request, store } = setup()
    const batch = list(goal('g'), plan('p'), execution('e', 'p'))
    const first = await request({ method: 'POST', url: `${API}/apply`, payload: batch })
    expect(first.statusCode).toBe(200)
    expect(outcomes(first)).toEqual(['goal/team/g created', 'plan/team/p created', 'execution/team/e created'])
    const version = store.currentResourceVersion()
    const second = await request({ method: 'POST', url: `${API}/apply`, payload: batch })
    expect(outcomes(second)).toEqual(['goal/team/g unchanged', 'plan/team/p unchanged', 'execution/team/e unchanged'])
    expect(store.currentResourceVersion()).toBe(version)
  })

  it('configures changed objects and keeps their status', async () => {
    const { request } = setup()
    await request({ method: 'POST', url: `${API}/apply`, payload: list(goal('g')) })
    const stored = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/g` }))
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/g/status`, payload: { ...stored, status: { phase: 'Ready' } } })
    const changed = { ...goal('g'), spec: { description: 'changed' }, status: { phase: 'Failed' } }
    const res = await request({ method: 'POST', url: `${API}/apply`, payload: list(changed) })
    expect(outcomes(res)).toEqual(['goal/team/g configured'])
    const after = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/g` }))
    expect(after).toMatchObject({ spec: { description: 'changed' }, status: { phase: 'Ready' }, metadata: { generation: 2 } })
  })

  it('is atomic: one invalid item rolls back the whole batch, naming the item', async () => {
    const { request, store } = setup()
    const before = store.currentResourceVersion()
    const res = await request({ method: 'POST', url: `${API}/apply`, payload: list(goal('ok'), goal('Bad_Name')) })
    expect(res.statusCode).toBe(422)
    expect(body(res).message).toMatch(/^items\[1\]/)
    expect(body(res).details.causes[0].field).toBe('items[1].metadata.name')
    expect(store.currentResourceVersion()).toBe(before)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals/ok` })).statusCode).toBe(404)
  })

  it('refuses to change an Execution spec through apply (422) and rolls back', async () => {
    const { request } = setup()
    await request({ method: 'POST', url: `${API}/apply`, payload: list(plan('p'), plan('q'), execution('e', 'p')) })
    const res = await request({ method: 'POST', url: `${API}/apply`, payload: list(goal('new'), execution('e', 'q')) })
    expect(res.statusCode).toBe(422)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals/new` })).statusCode).toBe(404)
  })

  it('takes a single resource, defaults the namespace from the URL, and honours a resourceVersion precondition', async () => {
    const { request } = setup()
    const { metadata: _m, ...rest } = goal('g')
    const res = await request({ method: 'POST', url: `${API}/namespaces/inner/apply`, payload: { ...rest, metadata: { name: 'g' } } })
    expect(outcomes(res)).toEqual(['goal/inner/g created'])
    const stale = await request({ method: 'POST', url: `${API}/apply`, payload: { ...goal('g', { resourceVersion: '1' }, 'inner'), spec: { description: 'x' } } })
    expect(stale.statusCode).toBe(409)
  })

  it('reports the outcome on dryRun without storing', async () => {
    const { request } = setup()
    const res = await request({ method: 'POST', url: `${API}/apply?dryRun=All`, payload: list(goal('g')) })
    expect(body(res)).toMatchObject({ kind: 'ApplyResult', dryRun: true })
    expect(outcomes(res)).toEqual(['goal/team/g created'])
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals/g` })).statusCode).toBe(404)
  })

  it.each([
    ['an unknown kind', list({ apiVersion: 'planspec.io/v1alpha1', kind: 'Widget', metadata: { name: 'w' } }), 400],
    ['a List without items', { apiVersion: 'planspec.io/v1alpha1', kind: 'List' }, 400],
    ['an item for a wrong apiVersion', list({ ...goal('g'), apiVersion: 'planspec.io/v0' }), 400],
  ])('refuses %s', async (_what, payload, code) => {
    const { request } = setup()
    expect((await request({ method: 'POST', url: `${API}/apply`, payload })).statusCode).toBe(code)
  })

  it('applies cluster-scoped kinds', async () => {
    const { request } = setup()
    const role = { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'viewer' }, rules: [{ resources: ['goals'], verbs: ['get'] }] }
    expect(outcomes(await request({ method: 'POST', url: `${API}/apply`, payload: list(role) }))).toEqual(['clusterrole//viewer created'])
    expect(outcomes(await request({ method: 'POST', url: `${API}/apply`, payload: list({ ...role, rules: [{ resources: ['plans'], verbs: ['get'] }] }) }))).toEqual(['clusterrole//viewer configured'])
  })
})
