// JSON merge patch (RFC 7386) on objects.
import { describe, expect, it } from 'vitest'
import { mergePatch } from '../src/server/merge-patch.js'
import { API, body, create, execution, goal, plan, setup } from './helpers.js'

const MERGE = { 'content-type': 'application/merge-patch+json' }

describe('PATCH (merge patch)', () => {
  it('merges into the latest object: null removes, objects merge, arrays replace; generation follows spec', async () => {
    const { request } = setup()
    await create(request, goal('a', { labels: { keep: 'yes', drop: 'me' } }))
    const res = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, headers: MERGE, payload: { metadata: { labels: { drop: null, added: 'x' } }, spec: { priority: 3 } } })
    expect(res.statusCode).toBe(200)
    expect(body(res).metadata.labels).toEqual({ keep: 'yes', added: 'x' })
    expect(body(res).spec).toEqual({ description: 'goal a', priority: 3 })
    expect(body(res).metadata.generation).toBe(2)
  })

  it('treats a resourceVersion in the patch as a precondition (409 when stale)', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, headers: MERGE, payload: { spec: { priority: 1 } } })
    const stale = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, headers: MERGE, payload: { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { priority: 2 } } })
    expect(stale.statusCode).toBe(409)
    expect(body(stale).reason).toBe('Conflict')
  })

  it('never changes status through the main resource', async () => {
    const { request } = setup()
    await create(request, goal('a'))
    const res = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, headers: MERGE, payload: { status: { phase: 'Succeeded' } } })
    expect(res.statusCode).toBe(200)
    expect(body(res).status.phase).toBe('Pending')
  })

  it('refuses application/json (415), a patch that breaks the schema (422), renames (400) and missing objects (404)', async () => {
    const { request } = setup()
    await create(request, goal('a'))
    const json = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, payload: { spec: { priority: 1 } } })
    expect(json.statusCode).toBe(415)
    expect(body(json).reason).toBe('UnsupportedMediaType')
    const invalid = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, headers: MERGE, payload: { spec: { description: null } } })
    expect(invalid.statusCode).toBe(422)
    const rename = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a`, headers: MERGE, payload: { metadata: { name: 'b' } } })
    expect(rename.statusCode).toBe(400)
    const missing = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/zz`, headers: MERGE, payload: { spec: {} } })
    expect(missing.statusCode).toBe(404)
  })

  it('refuses a patch that changes an Execution spec', async () => {
    const { request } = setup()
    await create(request, plan('p'))
    await create(request, execution('run', 'p'))
    const res = await request({ method: 'PATCH', url: `${API}/namespaces/team/executions/run`, headers: MERGE, payload: { spec: { parameters: { 'x-debug': true } } } })
    expect(res.statusCode).toBe(422)
  })

  it('patches on dryRun without storing', async () => {
    const { request } = setup()
    await create(request, goal('a'))
    const res = await request({ method: 'PATCH', url: `${API}/namespaces/team/goals/a?dryRun=All`, headers: MERGE, payload: { spec: { priority: 9 } } })
    expect(body(res).spec.priority).toBe(9)
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).spec.priority).toBeUndefined()
  })
})

describe('mergePatch', () => {
  it('follows RFC 7386 and never writes through __proto__', () => {
    expect(mergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' })
    expect(mergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' })
    expect(mergePatch({ a: 'b' }, { a: null })).toEqual({})
    expect(mergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] })
    expect(mergePatch(['a'], { a: 'c' })).toEqual({ a: 'c' })
    expect(mergePatch({ a: 'b' }, ['c'])).toEqual(['c'])
    expect(mergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 })
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as unknown
    const merged = mergePatch({}, patch) as Record<string, unknown>
    expect(Object.hasOwn(merged, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
