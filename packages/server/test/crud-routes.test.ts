// Create, get, replace and delete, for namespaced and cluster-scoped kinds, with every error path.
import { describe, expect, it } from 'vitest'
import { API, body, create, execution, goal, plan, setup, grantEditors } from './helpers.js'

const role = (name: string) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name }, rules: [{ resources: ['goals'], verbs: ['get'] }] })

describe('create', () => {
  it('stores a Goal with server metadata and initial status, ignoring client-set status and system fields', async () => {
    const { request, store } = setup()
    const res = await request({
      method: 'POST',
      url: `${API}/namespaces/team/goals`,
      payload: { ...goal('a', { uid: 'forged', resourceVersion: '999', generation: 9, creationTimestamp: '1999-01-01T00:00:00Z' }), status: { phase: 'Succeeded' } },
    })
    expect(res.statusCode).toBe(201)
    const created = body(res)
    expect(created.metadata.uid).not.toBe('forged')
    expect(created.metadata.generation).toBe(1)
    expect(created.metadata.creationTimestamp).not.toBe('1999-01-01T00:00:00Z')
    expect(created.metadata.annotations['planspec.io/created-by']).toBe('user:admin')
    expect(created.status).toMatchObject({ phase: 'Pending', observedGeneration: 1, conditions: [{ type: 'Accepted', reason: 'GoalCreated' }] })
    const stored = await store.get({ kind: 'Goal', namespace: 'team', name: 'a' })
    expect(stored?.metadata.resourceVersion).toBe(created.metadata.resourceVersion)
  })

  it('fills a missing namespace from the URL and creates the namespace', async () => {
    const { request } = setup()
    const { metadata, ...rest } = goal('a')
    const res = await request({ method: 'POST', url: `${API}/namespaces/fresh/goals`, payload: { ...rest, metadata: { name: metadata.name } } })
    expect(res.statusCode).toBe(201)
    expect(body(res).metadata.namespace).toBe('fresh')
    expect((await request({ method: 'GET', url: '/api/v1/namespaces/fresh' })).statusCode).toBe(200)
  })

  it('answers AlreadyExists (409) for a second create of the same name', async () => {
    const { request } = setup()
    await create(request, goal('a'))
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: goal('a') })
    expect(res.statusCode).toBe(409)
    expect(body(res)).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409 })
  })

  it.each([
    ['an unknown resource', 'widgets', goal('a'), 404, 'NotFound'],
    ['a kind that differs from the URL', 'plans', goal('a'), 400, 'BadRequest'],
    ['a wrong apiVersion', 'goals', { ...goal('a'), apiVersion: 'planspec.io/v2' }, 400, 'BadRequest'],
    ['a namespace that differs from the URL', 'goals', goal('a', {}, 'other'), 400, 'BadRequest'],
    ['a body that is not an object', 'goals', [goal('a')], 400, 'BadRequest'],
  ])('refuses %s and stores nothing', async (_what, plural, payload, code, reason) => {
    const { request, store } = setup()
    const before = store.currentResourceVersion()
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/${plural}`, payload: payload as object })
    expect(res.statusCode).toBe(code)
    expect(body(res).reason).toBe(reason)
    expect(store.currentResourceVersion()).toBe(before)
  })

  it.each([['Bad_Name'], ['UPPER'], ['trailing-'], ['-leading'], ['a'.repeat(64)], ['dots.not.allowed'], ['']])('refuses the non-DNS name %j with 422 and a metadata.name cause', async (name) => {
    const { request, store } = setup()
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: goal(name) })
    expect(res.statusCode).toBe(422)
    expect(body(res).reason).toBe('Invalid')
    expect(body(res).details.causes[0].field).toBe('metadata.name')
    expect((await store.list('Goal')).items).toEqual([])
  })

  it('refuses a schema-invalid object with 422, one cause per finding', async () => {
    const { request } = setup()
    const bad = { ...goal('a'), spec: { description: '', priority: 5000, unknownField: true } }
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: bad })
    expect(res.statusCode).toBe(422)
    const fields = body(res).details.causes.map((c: { field: string }) => c.field)
    expect(fields).toEqual(expect.arrayContaining(['spec.description', 'spec.priority', 'spec.unknownField']))
    expect(body(res).details).toMatchObject({ name: 'a', group: 'planspec.io', kind: 'Goal' })
    // kubectl prints "The Goal \"a\" is invalid" from these: Kubernetes names the kind in an Invalid Status.
    expect(body(res).message).toMatch(/^Goal "a" is invalid: /)
  })

  it('refuses a Plan whose graph has a cycle (graph checks run on admission)', async () => {
    const { request } = setup()
    const cyclic = plan('p', [
      { id: 'a', kind: 'Task', dependsOn: ['b'] },
      { id: 'b', kind: 'Task', dependsOn: ['a'] },
    ])
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/plans`, payload: cyclic })
    expect(res.statusCode).toBe(422)
    expect(body(res).message).toContain('cycle')
  })

  it('passes validator warnings on as Warning headers', async () => {
    const { request } = setup()
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/plans`, payload: plan('p', [{ id: 'a', kind: 'Task', capabilityRefs: [{ name: 'elsewhere' }] }]) })
    expect(res.statusCode).toBe(201)
    expect(String(res.headers.warning)).toContain('299 - ')
  })

  it('creates cluster-scoped kinds on the cluster path only', async () => {
    const { request } = setup()
    expect((await request({ method: 'POST', url: `${API}/clusterroles`, payload: role('viewer') })).statusCode).toBe(201)
    expect((await request({ method: 'GET', url: `${API}/clusterroles/viewer` })).statusCode).toBe(200)
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/clusterroles`, payload: role('x') })).statusCode).toBe(404)
    expect((await request({ method: 'POST', url: `${API}/goals`, payload: goal('a') })).statusCode).toBe(404)
    const namespaced = await request({ method: 'POST', url: `${API}/clusterroles`, payload: { ...role('y'), metadata: { name: 'y', namespace: 'team' } } })
    expect(namespaced.statusCode).toBe(400)
  })

  it('does nothing on dryRun=All but answers as if it had', async () => {
    const { request, store } = setup()
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/goals?dryRun=All`, payload: goal('a') })
    expect(res.statusCode).toBe(201)
    expect(body(res).metadata.name).toBe('a')
    expect(await store.get({ kind: 'Goal', namespace: 'team', name: 'a' })).toBeUndefined()
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/goals?dryRun=Some`, payload: goal('a') })).statusCode).toBe(400)
  })
})

describe('get', () => {
  it('returns the stored object, and 404 Status for a missing one', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const res = await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })
    expect(res.statusCode).toBe(200)
    expect(body(res)).toEqual(created)
    const missing = await request({ method: 'GET', url: `${API}/namespaces/team/goals/nope` })
    expect(missing.statusCode).toBe(404)
    expect(body(missing)).toMatchObject({ reason: 'NotFound', details: { name: 'nope', kind: 'goals' } })
    expect((await request({ method: 'GET', url: `${API}/goals/a` })).statusCode).toBe(404)
  })
})

describe('replace', () => {
  it('increments generation only when spec changes and keeps status', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const labels = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...created, metadata: { ...created.metadata, labels: { tier: 'gold' } }, status: { phase: 'Failed' } } })
    expect(labels.statusCode).toBe(200)
    expect(body(labels).metadata.generation).toBe(1)
    expect(body(labels).status.phase).toBe('Pending')
    const spec = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...body(labels), spec: { description: 'changed' } } })
    expect(body(spec).metadata.generation).toBe(2)
    expect(body(spec).metadata.labels).toEqual({ tier: 'gold' })
  })

  it('requires metadata.resourceVersion (422) and refuses a stale one (409)', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const { resourceVersion: _rv, ...withoutVersion } = created.metadata
    const missing = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...created, metadata: withoutVersion } })
    expect(missing.statusCode).toBe(422)
    expect(body(missing).details.causes[0]).toMatchObject({ field: 'metadata.resourceVersion', reason: 'FieldValueRequired' })
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...created, spec: { description: 'first' } } })
    const stale = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...created, spec: { description: 'second' } } })
    expect(stale.statusCode).toBe(409)
    expect(body(stale).reason).toBe('Conflict')
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).spec.description).toBe('first')
  })

  it('refuses a name that differs from the URL (400) and a missing object (404)', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    expect((await request({ method: 'PUT', url: `${API}/namespaces/team/goals/b`, payload: created })).statusCode).toBe(400)
    const other = { ...created, metadata: { ...created.metadata, name: 'b' } }
    expect((await request({ method: 'PUT', url: `${API}/namespaces/team/goals/b`, payload: other })).statusCode).toBe(404)
  })

  it('keeps the creator annotation whatever the client sends', async () => {
    const { request } = setup()
    await grantEditors(request)
    const created = await create(request, goal('a'), 'alice')
    const res = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...created, metadata: { ...created.metadata, annotations: { 'planspec.io/created-by': 'user:mallory' } } } })
    expect(body(res).metadata.annotations['planspec.io/created-by']).toBe('user:alice')
  })

  it('refuses to change an Execution spec (immutable, 422) but accepts metadata changes', async () => {
    const { request } = setup()
    await create(request, plan('p'))
    await create(request, plan('q'))
    const run = await create(request, execution('run', 'p'))
    const changed = await request({ method: 'PUT', url: `${API}/namespaces/team/executions/run`, payload: { ...run, spec: { planRef: { name: 'q' } } } })
    expect(changed.statusCode).toBe(422)
    expect(body(changed).details.causes[0]).toMatchObject({ field: 'spec', reason: 'FieldValueForbidden' })
    const labelled = await request({ method: 'PUT', url: `${API}/namespaces/team/executions/run`, payload: { ...run, metadata: { ...run.metadata, labels: { a: 'b' } } } })
    expect(labelled.statusCode).toBe(200)
    expect(body(labelled).metadata.generation).toBe(1)
  })

  it('replaces on dryRun without storing', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const res = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a?dryRun=All`, payload: { ...created, spec: { description: 'dry' } } })
    expect(body(res).spec.description).toBe('dry')
    expect(body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).spec.description).toBe('goal a')
  })
})

describe('delete', () => {
  it('deletes, then answers 404', async () => {
    const { request } = setup()
    await create(request, goal('a'))
    const res = await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a` })
    expect(res.statusCode).toBe(200)
    expect(body(res).metadata.name).toBe('a')
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).statusCode).toBe(404)
    expect((await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a` })).statusCode).toBe(404)
  })

  it('checks uid and resourceVersion preconditions (409)', async () => {
    const { request } = setup()
    const created = await create(request, goal('a'))
    const wrongUid = await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a`, payload: { preconditions: { uid: 'other' } } })
    expect(wrongUid.statusCode).toBe(409)
    const wrongRv = await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a`, payload: { preconditions: { resourceVersion: '1' } } })
    expect(wrongRv.statusCode).toBe(409)
    const ok = await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a`, payload: { preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } } })
    expect(ok.statusCode).toBe(200)
  })

  it('garbage-collects dependents: deleting a Goal deletes the Executions it owns, recursively', async () => {
    const { request, store } = setup()
    const owner = await create(request, goal('g'))
    await create(request, plan('p'))
    const ref = [{ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', name: 'g', uid: owner.metadata.uid }]
    const run = await create(request, execution('run', 'p', 'team', { ownerReferences: ref }))
    await create(request, { ...goal('child', { ownerReferences: [{ apiVersion: 'planspec.io/v1alpha1', kind: 'Execution', name: 'run', uid: run.metadata.uid }] }) })
    await create(request, execution('unowned', 'p'))
    expect((await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/g` })).statusCode).toBe(200)
    expect((await store.list('Execution')).items.map((e) => e.metadata.name)).toEqual(['unowned'])
    expect((await store.list('Goal')).items).toEqual([])
  })

  it('orphans dependents with propagationPolicy=Orphan', async () => {
    const { request, store } = setup()
    const owner = await create(request, goal('g'))
    await create(request, plan('p'))
    await create(request, execution('run', 'p', 'team', { ownerReferences: [{ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', name: 'g', uid: owner.metadata.uid }] }))
    expect((await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/g?propagationPolicy=Orphan` })).statusCode).toBe(200)
    const run = await store.get({ kind: 'Execution', namespace: 'team', name: 'run' })
    expect(run?.metadata.ownerReferences).toBeUndefined()
  })

  it('only marks an object with finalizers, and removes it when its last finalizer goes', async () => {
    const { request } = setup()
    await create(request, goal('a', { finalizers: ['example.com/cleanup'] }))
    const marked = await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a` })
    expect(body(marked).metadata.deletionTimestamp).toBeDefined()
    const current = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` }))
    const added = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...current, metadata: { ...current.metadata, finalizers: ['example.com/cleanup', 'example.com/more'] } } })
    expect(added.statusCode).toBe(422)
    const released = await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...current, metadata: { ...current.metadata, finalizers: [] } } })
    expect(released.statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).statusCode).toBe(404)
  })

  it('deletes on dryRun without removing anything', async () => {
    const { request } = setup()
    await create(request, goal('a'))
    expect((await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a?dryRun=All` })).statusCode).toBe(200)
    expect((await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a`, payload: { dryRun: ['All'] } })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` })).statusCode).toBe(200)
  })

  it('deletes cluster-scoped objects', async () => {
    const { request } = setup()
    await create(request, role('viewer'))
    expect((await request({ method: 'DELETE', url: `${API}/clusterroles/viewer` })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${API}/clusterroles/viewer` })).statusCode).toBe(404)
  })
})
