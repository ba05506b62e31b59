// Namespaces: implicit creation, the /api/v1/namespaces routes, and cascading deletion with events.
import { describe, expect, it } from 'vitest'
import { API, body, create, execution, goal, openWatchStream, plan, setup } from './helpers.js'

describe('namespaces', () => {
  it('exists for default from the start and for every namespace written into', async () => {
    const { request } = setup()
    await create(request, goal('a', {}, 'created-on-write'))
    const names = body(await request({ method: 'GET', url: '/api/v1/namespaces' })).items.map((n: { metadata: { name: string } }) => n.metadata.name)
    expect(names).toEqual(['created-on-write', 'default'])
    expect(body(await request({ method: 'GET', url: '/api/v1/namespaces/default' }))).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } })
    expect((await request({ method: 'GET', url: '/api/v1/namespaces/nope' })).statusCode).toBe(404)
  })

  it('creates namespaces explicitly, refusing duplicates (409) and non-DNS names (422)', async () => {
    const { request } = setup()
    const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    expect((await request({ method: 'POST', url: '/api/v1/namespaces', payload: ns('blue') })).statusCode).toBe(201)
    expect((await request({ method: 'POST', url: '/api/v1/namespaces', payload: ns('blue') })).statusCode).toBe(409)
    expect((await request({ method: 'POST', url: '/api/v1/namespaces', payload: ns('Blue_1') })).statusCode).toBe(422)
    expect((await request({ method: 'POST', url: '/api/v1/namespaces?dryRun=All', payload: ns('dry') })).statusCode).toBe(201)
    expect((await request({ method: 'GET', url: '/api/v1/namespaces/dry' })).statusCode).toBe(404)
  })

  it('deletes a namespace with everything in it, emitting a DELETED event for each object', async () => {
    const { app, request, store } = setup()
    await create(request, goal('g'))
    await create(request, plan('p'))
    await create(request, execution('e', 'p'))
    await create(request, goal('kept', {}, 'other'))
    const goals = await openWatchStream(app, `${API}/goals?watch=true&sendInitialEvents=false`)
    const executions = await openWatchStream(app, `${API}/namespaces/team/executions?watch=true&sendInitialEvents=false`)
    const res = await request({ method: 'DELETE', url: '/api/v1/namespaces/team' })
    expect(res.statusCode).toBe(200)
    expect(body(res).metadata.name).toBe('team')
    await goals.until((e) => e.length >= 1)
    await executions.until((e) => e.length >= 1)
    expect(goals.events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['DELETED:g'])
    expect(executions.events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['DELETED:e'])
    expect((await store.list('Plan')).items).toEqual([])
    expect((await store.list('Goal')).items.map((g) => g.metadata.name)).toEqual(['kept'])
    expect((await request({ method: 'GET', url: '/api/v1/namespaces/team' })).statusCode).toBe(404)
    goals.close()
    executions.close()
  })

  it('refuses to delete default (403) or a missing namespace (404); dryRun keeps everything', async () => {
    const { request } = setup()
    await create(request, goal('g'))
    expect((await request({ method: 'DELETE', url: '/api/v1/namespaces/default' })).statusCode).toBe(403)
    expect((await request({ method: 'DELETE', url: '/api/v1/namespaces/nope' })).statusCode).toBe(404)
    expect((await request({ method: 'DELETE', url: '/api/v1/namespaces/team?dryRun=All' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals/g` })).statusCode).toBe(200)
  })
})
