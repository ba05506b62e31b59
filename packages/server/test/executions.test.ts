// POST .../executions/NAME/cancel|retry: requests recorded as annotations, refused on the wrong phase.
import { describe, expect, it } from 'vitest'
import { API, body, create, execution, plan, setup } from './helpers.js'

async function run(request: ReturnType<typeof setup>['request'], phase?: string) {
  await create(request, plan('p'))
  const created = await create(request, execution('run', 'p'))
  if (phase === undefined) return created
  const res = await request({ method: 'PUT', user: 'controller', url: `${API}/namespaces/team/executions/run/status`, payload: { ...created, status: { phase, ...(phase === 'Failed' ? { completionTime: '2026-01-01T00:00:00Z' } : {}) } } })
  expect(res.statusCode).toBe(200)
  return body(res)
}
const post = (request: ReturnType<typeof setup>['request'], action: string, payload: object = {}, query = '') =>
  request({ method: 'POST', url: `${API}/namespaces/team/executions/run/${action}${query}`, payload })

describe('execution actions', () => {
  it('cancels by setting planspec.io/cancel, idempotently, without touching spec or generation', async () => {
    const { request } = setup()
    const before = await run(request, 'Running')
    const res = await post(request, 'cancel')
    expect(res.statusCode).toBe(200)
    expect(body(res).metadata.annotations['planspec.io/cancel']).toBe('true')
    expect(body(res).metadata.generation).toBe(1)
    expect(body(res).status.phase).toBe('Running')
    const again = await post(request, 'cancel')
    expect(body(again).metadata.resourceVersion).toBe(body(res).metadata.resourceVersion)
    expect(body(res).metadata.resourceVersion).not.toBe(before.metadata.resourceVersion)
  })

  it.each(['Succeeded', 'Failed', 'Cancelled'])('refuses to cancel a %s execution (409)', async (phase) => {
    const { request } = setup()
    await run(request, phase)
    const res = await post(request, 'cancel')
    expect(res.statusCode).toBe(409)
    expect(body(res).reason).toBe('Conflict')
  })

  it('records a retry of a Failed execution with the request time and the nodes', async () => {
    const { request } = setup()
    await run(request, 'Failed')
    const res = await post(request, 'retry', { nodes: ['a'] })
    expect(res.statusCode).toBe(200)
    const annotations = body(res).metadata.annotations
    expect(Date.parse(annotations['planspec.io/retry'])).not.toBeNaN()
    expect(annotations['planspec.io/retry-nodes']).toBe('a')
    const all = await post(request, 'retry')
    expect(body(all).metadata.annotations['planspec.io/retry-nodes']).toBeUndefined()
  })

  it.each([undefined, 'Running', 'Succeeded'])('refuses to retry an execution in phase %s (409)', async (phase) => {
    const { request } = setup()
    await run(request, phase)
    expect((await post(request, 'retry')).statusCode).toBe(409)
  })

  it('refuses node ids that are not DNS labels (422) and unknown body fields (400)', async () => {
    const { request } = setup()
    await run(request, 'Failed')
    const res = await post(request, 'retry', { nodes: ['Bad_Node'] })
    expect(res.statusCode).toBe(422)
    expect(body(res).details.causes[0].field).toBe('nodes[0]')
    expect((await post(request, 'retry', { node: 'a' })).statusCode).toBe(400)
  })

  it('stores nothing on dryRun, and answers 404 for a missing execution', async () => {
    const { request } = setup()
    await run(request, 'Running')
    expect(body(await post(request, 'cancel', {}, '?dryRun=All')).metadata.annotations['planspec.io/cancel']).toBe('true')
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/team/executions/run` })).metadata.annotations['planspec.io/cancel']).toBeUndefined()
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/executions/nope/cancel`, payload: {} })).statusCode).toBe(404)
  })
})
