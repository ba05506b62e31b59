// Discovery, the generated OpenAPI document, the graph view, health probes and metrics.
import { schemas } from '@planspec/schemas'
import { describe, expect, it } from 'vitest'
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
  it('serves the Kubernetes index at /openapi/v3, each group document at its serverRelativeURL, and Swagger 2.0 at /openapi/v2', async () => {
    const { request } = setup()
    const index = body(await request({ method: 'GET', url: '/openapi/v3' }))
    const relative = index.paths['apis/planspec.io/v1alpha1'].serverRelativeURL as string
    expect(relative).toMatch(/^\/openapi\/v3\/apis\/planspec\.io\/v1alpha1\?hash=[0-9a-f]+$/)
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/authorization.k8s.io/v1', 'apis/authentication.k8s.io/v1']))
    const doc = body(await request({ method: 'GET', url: relative }))
    expect(doc.openapi).toBe('3.0.0')
    // kubectl finds a kind's schema (explain) and its PATCH operation (server-side field validation) by GVK.
    const goal = doc.components.schemas['io.planspec.v1alpha1.Goal']
    expect(goal['x-kubernetes-group-version-kind']).toEqual([{ group: 'planspec.io', version: 'v1alpha1', kind: 'Goal' }])
    expect(goal.description).toBe(schemas.find((s) => s.title === 'Goal')!.description)
    const patch = doc.paths[`${API}/namespaces/{namespace}/goals/{name}`].patch
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'planspec.io', version: 'v1alpha1', kind: 'Goal' })
    expect(patch.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['namespace', 'name', 'fieldValidation', 'fieldManager', 'force', 'dryRun']))
    // No strategic merge patch: kubectl then computes JSON merge patches, as for a custom resource.
    expect(Object.keys(patch.requestBody.content).sort()).toEqual(['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'])
    expectRefsResolve(doc, '#/components/schemas/')
    const v2 = body(await request({ method: 'GET', url: '/openapi/v2' }))
    expect(v2.swagger).toBe('2.0')
    expect(v2.definitions['io.planspec.v1alpha1.Plan']['x-kubernetes-group-version-kind']).toEqual([{ group: 'planspec.io', version: 'v1alpha1', kind: 'Plan' }])
    expect(v2.paths[`${API}/clusterroles/{name}`].put.consumes).toEqual(['application/json'])
    expectRefsResolve(v2, '#/definitions/')
    expect((await request({ method: 'GET', url: '/openapi/v3/apis/nothing.io/v1' })).statusCode).toBe(404)
  })

  it('documents every registered route: each method of each route appears in its group document and in /openapi/v2', async () => {
    const { app, request } = setup({ dashboard: true })
    await app.ready()
    const index = body(await request({ method: 'GET', url: '/openapi/v3' }))
    const v3Paths: Record<string, Record<string, unknown>> = {}
    for (const { serverRelativeURL } of Object.values(index.paths) as { serverRelativeURL: string }[]) Object.assign(v3Paths, body(await request({ method: 'GET', url: serverRelativeURL })).paths)
    const v2Paths = body(await request({ method: 'GET', url: '/openapi/v2' })).paths as Record<string, Record<string, unknown>>
    // Fastify's own route table (a tree of path segments) is the list the documents were built from.
    const fastifyRoutes = new Set<string>()
    const stack: string[] = []
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
      if (match === null) continue
      const depth = match[1]!.length / 4
      stack[depth] = (depth === 0 ? '' : (stack[depth - 1] ?? '')) + match[2]!
      for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) fastifyRoutes.add(`${method} ${stack[depth]!}`)
    }
    // (The tree prints a wildcard segment without its slash.)
    const collected = new Set(app.planspec.routes.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).filter((m: string) => m !== 'HEAD').map((m: string) => `${m} ${r.url.replace('/*', '*')}`)))
    expect(fastifyRoutes.size).toBeGreaterThan(40)
    expect([...collected].sort()).toEqual([...fastifyRoutes].sort())
    const pattern = (path: string): RegExp => new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}|:[a-z*]+|\*/gi, '[^/]+')}$`)
    const documented = Object.keys(v3Paths)
    for (const route of app.planspec.routes) {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m: string) => m !== 'HEAD')
      const matcher = pattern(route.url)
      const matching = documented.filter((path) => matcher.test(path))
      if (matching.length === 0 && route.url === `${API}/:plural/:name/status`) {
        // No cluster-scoped kind has a status subresource yet: the route serves none, and says so.
        for (const plural of ['clusterroles', 'clusterrolebindings']) expect((await request({ method: 'GET', url: `${API}/${plural}/x/status` })).statusCode).toBe(404)
        continue
      }
      expect(matching.length, `${route.url} is not documented`).toBeGreaterThan(0)
      for (const method of methods) {
        expect(matching.some((path) => v3Paths[path]![method.toLowerCase()] !== undefined), `${method} ${route.url}`).toBe(true)
        expect(matching.some((path) => v2Paths[path]?.[method.toLowerCase()] !== undefined), `v2: ${method} ${route.url}`).toBe(true)
      }
    }
  })
})

/** Every $ref of a document points inside it. */
function expectRefsResolve(doc: Record<string, unknown>, prefix: string): void {
  const refs = new Set<string>()
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') refs.add(v)
        else walk(v)
      }
    }
  }
  walk(doc)
  expect(refs.size).toBeGreaterThan(50)
  const table = (prefix === '#/definitions/' ? doc.definitions : (doc.components as Record<string, unknown>).schemas) as Record<string, unknown>
  for (const ref of refs) {
    expect(ref.startsWith(prefix), ref).toBe(true)
    expect(table[ref.slice(prefix.length)], ref).toBeDefined()
  }
}

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
