// The status subresource: reads, CAS-guarded writes, and status validation.
import { describe, expect, it } from 'vitest'
import { API, body, create, execution, gate, goal, plan, setup } from './helpers.js'

const MERGE = { 'content-type': 'application/merge-patch+json' }

describe('status subresource', () => {
  it('reads the object, and writes only status, keeping spec and generation', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a/status` })).status.phase).toBe('Pending')
    const res = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, spec: { description: 'ignored' }, status: { phase: 'Ready', observedGeneration: 1 } } })
    expect(res.statusCode).toBe(200)
    expect(body(res)).toMatchObject({ spec: { description: 'goal a' }, status: { phase: 'Ready' }, metadata: { generation: 1 } })
  })

  it('requires a resourceVersion (422, never last-write-wins) and refuses a stale one (409)', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const { resourceVersion: _rv, ...metadata } = created.metadata
    const missing = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, metadata, status: { phase: 'Ready' } } })
    expect(missing.statusCode).toBe(422)
    expect(body(missing).details.causes[0].field).toBe('metadata.resourceVersion')
    const patchMissing = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a/status`, headers: MERGE, payload: { status: { phase: 'Ready' } } })
    expect(patchMissing.statusCode).toBe(422)
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, status: { phase: 'Ready' } } })
    const stale = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, status: { phase: 'Executing' } } })
    expect(stale.statusCode).toBe(409)
  })

  it('merge-patches status with a resourceVersion', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const res = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a/status`, headers: MERGE, payload: { metadata: { resourceVersion: created.metadata.resourceVersion }, status: { phase: 'Ready' } } })
    expect(res.statusCode).toBe(200)
    expect(body(res).status).toMatchObject({ phase: 'Ready', conditions: [{ type: 'Accepted' }] })
  })

  it.each([
    ['an unknown phase', { phase: 'Nope' }, 'status.phase'],
    ['observedGeneration ahead of generation', { phase: 'Pending', observedGeneration: 5 }, 'status.observedGeneration'],
    ['a condition observedGeneration ahead of generation', { conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 }] }, 'status.conditions[0].observedGeneration'],
    ['an unknown field', { phase: 'Pending', bogus: 1 }, 'status.bogus'],
    ['a non-object status', 'Ready', 'status'],
  ])('refuses %s (422) and keeps the stored status', async (_what, status, field) => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const res = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, status } })
    expect(res.statusCode).toBe(422)
    expect(body(res).details.causes.map((c: { field: string }) => c.field)).toContain(field)
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).status.phase).toBe('Pending')
  })

  it('never lets a terminal Goal phase leave terminal; Failed may only go back to Executing', async () => {
    const { request } = setup()
    let current = await create(request, goal('a'))
    const put = async (phase: string) => request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...current, status: { phase } } })
    current = body(await put('Failed'))
    expect((await put('Ready')).statusCode).toBe(422)
    current = body(await put('Executing'))
    current = body(await put('Succeeded'))
    const back = await put('Executing')
    expect(back.statusCode).toBe(422)
    expect(body(back).details.causes[0]).toMatchObject({ reason: 'FieldValueForbidden', field: 'status.phase' })
  })

  it('lets a Failed Execution run again only after a retry request', async () => {
    const { request } = setup()
    await create(request, plan('p'))
    let run = await create(request, execution('run', 'p'))
    const put = async (status: Record<string, unknown>) => request({ method: 'PUT', user: 'controller', url: `${API}/namespaces/team/executions/run/status`, payload: { ...run, status } })
    run = body(await put({ phase: 'Failed', completionTime: '2026-01-01T00:00:00Z' }))
    expect((await put({ phase: 'Running' })).statusCode).toBe(422)
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/executions/run/retry`, payload: {} })).statusCode).toBe(200)
    run = body(await request({ method: 'GET', url: `${API}/namespaces/team/executions/run` }))
    const reopened = await put({ phase: 'Running' })
    expect(reopened.statusCode).toBe(200)
    run = body(reopened)
    run = body(await put({ phase: 'Succeeded' }))
    expect((await put({ phase: 'Running' })).statusCode).toBe(422)
  })

  it('refuses Gate statuses that break the invariants or decide the Gate outside approve/reject', async () => {
    const { request } = setup()
    const g = await create(request, gate('g'))
    const put = async (status: Record<string, unknown>) => request({ method: 'PUT', url: `${API}/namespaces/team/gates/g/status`, payload: { ...g, status } })
    const approvedWithoutDecision = await put({ phase: 'Approved' })
    expect(approvedWithoutDecision.statusCode).toBe(422)
    expect(body(approvedWithoutDecision).details.causes.map((c: { field: string }) => c.field)).toEqual(expect.arrayContaining(['status', 'status.phase']))
    const mismatched = await put({ phase: 'Rejected', decidedGeneration: 1, resolution: { outcome: 'approved', timestamp: '2026-01-01T00:00:00Z', actors: ['user:x'] } })
    expect(mismatched.statusCode).toBe(422)
    const forged = await put({ phase: 'Approved', decidedGeneration: 1, resolution: { outcome: 'approved', timestamp: '2026-01-01T00:00:00Z', actors: ['user:x'] } })
    expect(forged.statusCode).toBe(422)
    expect(body(forged).details.causes.map((c: { reason: string }) => c.reason)).toContain('FieldValueForbidden')
    const history = await put({ phase: 'Pending', reviewHistory: [{ reviewer: 'user:x', action: 'approve', timestamp: '2026-01-01T00:00:00Z', targetGeneration: 1 }] })
    expect(history.statusCode).toBe(422)
    const waiting = await put({ phase: 'Waiting' })
    expect(waiting.statusCode).toBe(200)
  })

  it('has no status subresource for RBAC kinds (404)', async () => {
    const { request } = setup()
    await create(request, { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [] } as never)
    expect((await request({ method: 'GET', url: `${API}/clusterroles/r/status` })).statusCode).toBe(404)
    expect((await request({ method: 'PUT', url: `${API}/clusterroles/r/status`, payload: { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'r' } } })).statusCode).toBe(404)
  })

  it('refuses a body for another object (400) and a missing object (404)', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    expect((await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, kind: 'Plan' } })).statusCode).toBe(400)
    expect((await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, metadata: { ...created.metadata, name: 'b' } } })).statusCode).toBe(400)
    expect((await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, metadata: { ...created.metadata, namespace: 'x' } } })).statusCode).toBe(400)
    expect((await request({ method: 'PUT', url: `${API}/namespaces/team/goals/zz/status`, payload: { ...created, metadata: { ...created.metadata, name: 'zz' } } })).statusCode).toBe(404)
  })

  it('writes status on dryRun without storing it', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const res = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status?dryRun=All`, payload: { ...created, status: { phase: 'Ready' } } })
    expect(body(res).status.phase).toBe('Ready')
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).status.phase).toBe('Pending')
  })
})
