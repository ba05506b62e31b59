// Discovery, the generated OpenAPI document, the graph view, health probes and metrics.
import { schemas } from '@planspec/schemas'
import { describe, expect, it } from 'vitest'
import { buildOpenApiDocument } from '../src/index.js'
import { API, body, create, openWatchStream, plan, setup } from './helpers.js'

describe('discovery', () => {
  it('serves the group, its version and every resource with verbs and subresources', async () => {
    const { request } = setup()
    expect(body(await request({ method: 'GET', url: '/apis' }))).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'planspec.io', preferredVersion: { groupVersion: 'planspec.io/v1alpha1' } }] })
    expect(body(await request({ method: 'GET', url: '/apis/planspec.io' }))).toMatchObject({ kind: 'APIGroup', name: 'planspec.io' })
    expect(body(await request({ method: 'GET', url: '/api' }))).toMatchObject({ kind: 'APIVersions', versions: ['v1'] })
    expect(body(await request({ method: 'GET', url: '/api/v1' })).resources[0]).toMatchObject({ name: 'namespaces', kind: 'Namespace' })
    const list = body(await request({ method: 'GET', url: API }))
    const names = list.resources.map((r: { name: string }) => r.name)
    for (const plural of ['goals', 'plans', 'capabilities', 'bindings', 'executions', 'gates', 'roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']) expect(names).toContain(plural)
    for (const sub of ['goals/status', 'plans/graph', 'gates/approve', 'gates/reject', 'executions/cancel', 'executions/retry', 'executions/complete']) expect(names).toContain(sub)
    expect(list.resources.find((r: { name: string }) => r.name === 'clusterroles')).toMatchObject({ namespaced: false, kind: 'ClusterRole' })
  })
})

describe('OpenAPI', () => {
  it('is generated from the schemas: every schema is a component and every $ref resolves inside the document', async () => {
    const { request } = setup()
    const doc = body(await request({ method: 'GET', url: '/openapi/v3' }))
    expect(body(await request({ method: 'GET', url: '/openapi/v3/apis/planspec.io/v1alpha1' }))).toEqual(doc)
    expect(doc.openapi).toBe('3.1.0')
    for (const kind of ['Goal', 'Plan', 'Capability', 'Binding', 'Execution', 'Gate', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'List', 'Common', 'Status']) expect(doc.components.schemas[kind]).toBeDefined()
    expect(doc.components.schemas.Goal.description).toBe(schemas.find((s) => s.title === 'Goal')!.description)
    const refs: string[] = []
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node !== null && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v)
          else walk(v)
        }
      }
    }
    walk(doc)
    expect(refs.length).toBeGreaterThan(100)
    for (const ref of new Set(refs)) {
      expect(ref.startsWith('#/')).toBe(true)
      let target: unknown = doc
      for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
      expect(target, ref).toBeDefined()
    }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([`${API}/namespaces/{namespace}/goals/{name}/status`, `${API}/clusterroles/{name}`, `${API}/namespaces/{namespace}/gates/{name}/approve`, '/api/v1/namespaces/{namespace}']))
    expect(buildOpenApiDocument()).toEqual(doc)
  })
})

describe('graph view', () => {
  it('returns spec.graph and the normalized edges (dependsOn folded in)', async () => {
    const { request } = setup()
    await create(
      request,
      plan('p', [
        { id: 'a', kind: 'Task' },
        { id: 'b', kind: 'Task', dependsOn: ['a'] },
        { id: 'c', kind: 'Task' },
      ]),
    )
    const stored = body(await request({ method: 'GET', url: `${API}/namespaces/team/plans/p` }))
    await request({ method: 'PUT', url: `${API}/namespaces/team/plans/p`, payload: { ...stored, spec: { ...stored.spec, graph: { ...stored.spec.graph, edges: [{ from: 'b', to: 'c', type: 'soft' }] } } } })
    const res = await request({ method: 'GET', url: `${API}/namespaces/team/plans/p/graph` })
    expect(res.statusCode).toBe(200)
    expect(body(res).nodes.map((n: { id: string }) => n.id)).toEqual(['a', 'b', 'c'])
    expect(body(res).edges).toEqual([{ from: 'b', to: 'c', type: 'soft' }])
    expect(body(res).normalizedEdges).toEqual([
      { from: 'b', to: 'c', type: 'soft' },
      { from: 'a', to: 'b', type: 'hard' },
    ])
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/plans/nope/graph` })).statusCode).toBe(404)
  })
})

describe('health and metrics', () => {
  it('answers readyz 503 once the store is gone, while healthz still answers', async () => {
    const { request, store } = setup()
    expect((await request({ method: 'GET', url: '/readyz', user: null })).payload).toBe('ok')
    store.close()
    const res = await request({ method: 'GET', url: '/readyz', user: null })
    expect(res.statusCode).toBe(503)
    expect(body(res).reason).toBe('ServiceUnavailable')
    expect((await request({ method: 'GET', url: '/healthz', user: null })).statusCode).toBe(200)
  })

  it('counts requests per route and code, times them, and gauges open watches', async () => {
    const { app, request } = setup()
    await request({ method: 'GET', url: `${API}/namespaces/team/goals` })
    await request({ method: 'GET', url: `${API}/namespaces/team/goals/missing` })
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true`)
    const text = (await request({ method: 'GET', url: '/metrics' })).payload
    expect(text).toContain('planspec_http_requests_total{method="GET",route="/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural",code="200"} 1')
    expect(text).toContain('planspec_http_requests_total{method="GET",route="/apis/planspec.io/v1alpha1/namespaces/:namespace/:plural/:name",code="404"} 1')
    expect(text).toMatch(/planspec_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/apis\/planspec\.io\/v1alpha1\/namespaces\/:namespace\/:plural"\}/)
    expect(text).toContain('planspec_watches 1')
    expect(text).toMatch(/planspec_store_resource_version \d+/)
    w.close()
    await w.ended
    await new Promise((r) => setImmediate(r))
    expect((await request({ method: 'GET', url: '/metrics' })).payload).toContain('planspec_watches 0')
  })
})
