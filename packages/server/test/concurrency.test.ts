// Concurrent writers with the same (soon stale) resourceVersion: exactly one wins (THREATS T5).
import { describe, expect, it } from 'vitest'
import { API, body, create, goal, setup } from './helpers.js'

describe('concurrent writers', () => {
  it('lets exactly one of 50 concurrent PUTs with the same resourceVersion win; the others get 409', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...created, spec: { description: `writer ${i}` } } })),
    )
    const codes = results.map((r) => r.statusCode)
    expect(codes.filter((c) => c === 200)).toHaveLength(1)
    expect(codes.filter((c) => c === 409)).toHaveLength(49)
    expect(results.filter((r) => r.statusCode === 409).every((r) => body(r).reason === 'Conflict')).toBe(true)
    const winner = body(results.find((r) => r.statusCode === 200)!)
    const stored = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` }))
    expect(stored.spec).toEqual(winner.spec)
    expect(stored.metadata.generation).toBe(2)
  })

  it('lets exactly one of 50 concurrent status writes win', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const phases = ['Ready', 'Planning']
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => request({ method: 'PUT', url: `${API}/namespaces/team/goals/a/status`, payload: { ...created, status: { phase: phases[i % 2] } } })),
    )
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1)
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(49)
  })

  it('lets exactly one of 20 concurrent creates of one name win; the others get AlreadyExists', async () => {
    const { request } = setup()
    const results = await Promise.all(Array.from({ length: 20 }, () => request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: goal('same') })))
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1)
    expect(results.filter((r) => r.statusCode === 409).every((r) => body(r).reason === 'AlreadyExists')).toBe(true)
  })

  it('never loses a merge patch: concurrent patches to different labels all land', async () => {
    const { request } = setup()
    await create(request, goal('a'))
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { metadata: { labels: { [`l${i}`]: 'x' } } } }),
      ),
    )
    const labels = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).metadata.labels
    expect(Object.keys(labels)).toHaveLength(20)
  })
})
