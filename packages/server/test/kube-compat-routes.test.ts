// What Kubernetes clients send, answered as Kubernetes answers it for a custom resource: patch
// types, server-side apply bodies and conflicts, Table output, aggregated discovery, rules
// reviews, protobuf bodies of built-in kinds, empty-body deletes, warnings and error kinds.
import { MIMEType } from 'node:util'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { API, body, create, goal, plan, setup } from './helpers.js'

const GOALS = `${API}/namespaces/team/goals`
const json = { 'content-type': 'application/json' }

describe('patch types', () => {
  it('applies RFC 6902 JSON patches with test; a failed test is 422 and changes nothing; a body that is not a patch is 400', async () => {
    const { request } = setup()
    await create(request, goal('g'))
    const ok = await request({ method: 'PATCH', url: `${GOALS}/g`, headers: { 'content-type': 'application/json-patch+json' }, payload: [{ op: 'test', path: '/spec/description', value: 'goal g' }, { op: 'add', path: '/spec/priority', value: 4 }] })
    expect(ok.statusCode, ok.payload).toBe(200)
    expect(body(ok).spec).toEqual({ description: 'goal g', priority: 4 })
    const failed = await request({ method: 'PATCH', url: `${GOALS}/g`, headers: { 'content-type': 'application/json-patch+json' }, payload: [{ op: 'test', path: '/spec/priority', value: 5 }, { op: 'remove', path: '/spec/priority' }] })
    expect(failed.statusCode).toBe(422)
    expect(body(failed)).toMatchObject({ reason: 'Invalid', details: { kind: 'Goal', name: 'g' } })
    expect(body(await request({ method: 'GET', url: `${GOALS}/g` })).spec.priority).toBe(4)
    for (const bad of [{ op: 'replace' }, [{ op: 'frobnicate', path: '/spec' }], [{ op: 'add', path: '/__proto__/polluted', value: true }]]) {
      const res = await request({ method: 'PATCH', url: `${GOALS}/g`, headers: { 'content-type': 'application/json-patch+json' }, payload: bad as never })
      expect([400, 422]).toContain(res.statusCode)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('answers a strategic merge patch with 415 and the patch types it accepts, as for a custom resource', async () => {
    const { request } = setup()
    await create(request, goal('g'))
    const res = await request({ method: 'PATCH', url: `${GOALS}/g`, headers: { 'content-type': 'application/strategic-merge-patch+json' }, payload: { spec: { priority: 1 } } })
    expect(res.statusCode).toBe(415)
    expect(body(res).message).toBe('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml')
  })

  it('server-side applies YAML or JSON: creates (201), needs a fieldManager, reports conflicts with causes, forces, and writes nothing when nothing changes', async () => {
    const { request } = setup()
    const apply = (payload: string, query = 'fieldManager=ci') => request({ method: 'PATCH', url: `${GOALS}/g?${query}`, headers: { 'content-type': 'application/apply-patch+yaml' }, payload })
    const yaml = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: g\nspec:\n  description: from yaml\n'
    expect((await apply(yaml, '')).statusCode).toBe(400)
    const created = await apply(yaml)
    expect(created.statusCode, created.payload).toBe(201)
    expect(body(created).metadata.managedFields).toEqual([{ manager: 'ci', operation: 'Apply', apiVersion: 'planspec.io/v1alpha1', time: expect.any(String), fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:description': {} } } }])
    const again = await apply(JSON.stringify({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name: 'g' }, spec: { description: 'from yaml' } }))
    expect(again.statusCode).toBe(200)
    expect(body(again).metadata.resourceVersion).toBe(body(await request({ method: 'GET', url: `${GOALS}/g` })).metadata.resourceVersion)
    expect((await request({ method: 'PATCH', url: `${GOALS}/g?fieldManager=editor`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { spec: { description: 'by hand' } } })).statusCode).toBe(200)
    const conflict = await apply(yaml)
    expect(conflict.statusCode).toBe(409)
    expect(body(conflict)).toMatchObject({
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "editor" using planspec.io/v1alpha1: .spec.description',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "editor" using planspec.io/v1alpha1', field: '.spec.description' }] },
    })
    const forced = await apply(yaml, 'fieldManager=ci&force=true')
    expect(body(forced).spec.description).toBe('from yaml')
    expect((await apply('spec: [unclosed')).statusCode).toBe(400)
    expect((await apply(yaml.replace('kind: Goal', 'kind: Plan'))).statusCode).toBe(400)
  })

  it('ignores managedFields sent back by a client and validates nothing of them', async () => {
    const { request } = setup()
    const stored = await create(request, goal('g'))
    const res = await request({ method: 'PUT', url: `${GOALS}/g`, payload: { ...stored, metadata: { ...stored.metadata, managedFields: [{ manager: 'forged', operation: 'Apply', fieldsV1: {} }] }, spec: { description: 'again' } } })
    expect(res.statusCode, res.payload).toBe(200)
    expect(body(res).metadata.managedFields.map((e: { manager: string }) => e.manager)).not.toContain('forged')
  })
})

describe('what else clients send', () => {
  it('deletes with a JSON content type and an empty body, and with DeleteOptions (preconditions, dryRun)', async () => {
    const { request } = setup()
    const stored = await create(request, goal('g'))
    expect((await request({ method: 'DELETE', url: `${GOALS}/g`, headers: json, payload: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] }) })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${GOALS}/g` })).statusCode).toBe(200)
    expect((await request({ method: 'DELETE', url: `${GOALS}/g`, headers: json, payload: JSON.stringify({ preconditions: { uid: 'other' } }) })).statusCode).toBe(409)
    const empty = await request({ method: 'DELETE', url: `${GOALS}/g`, headers: json, payload: '' })
    expect(empty.statusCode, empty.payload).toBe(200)
    expect(body(empty).metadata.uid).toBe(stored.metadata.uid)
    expect((await request({ method: 'GET', url: `${GOALS}/g` })).statusCode).toBe(404)
  })

  it('renders Tables with each kind\'s printer columns (wide ones at priority 1) for list, get and watch', async () => {
    const { request } = setup()
    await create(request, goal('ship'))
    await create(request, { ...plan('release'), spec: { description: 'r', goalRef: { name: 'ship' }, series: 'release', version: '1.0.0', graph: { nodes: [{ id: 'a', kind: 'Task', description: 'a' }, { id: 'b', kind: 'Task', description: 'b' }] } } } as never)
    const accept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' }
    const listed = body(await request({ method: 'GET', url: `${API}/namespaces/team/plans`, headers: accept }))
    expect(listed).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' })
    expect(listed.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`)).toEqual(['Name:0', 'Nodes:0', 'Goal:0', 'Version:0', 'Phase:1', 'Series:1', 'Age:0'])
    expect(listed.rows[0].cells.slice(0, 4)).toEqual(['release', 2, 'ship', '1.0.0'])
    expect(listed.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'release' } })
    const one = body(await request({ method: 'GET', url: `${GOALS}/ship?includeObject=Object`, headers: accept }))
    expect(one.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Phase', 'Plan', 'Priority', 'Age'])
    expect(one.rows[0].object).toMatchObject({ kind: 'Goal', spec: { description: 'goal ship' } })
    // Without the Accept, the plain object (fast path).
    expect(body(await request({ method: 'GET', url: `${GOALS}/ship` })).kind).toBe('Goal')
    const watched = await request({ method: 'GET', url: `${GOALS}?watch=true&timeoutSeconds=0.2`, headers: accept })
    const first = JSON.parse(watched.payload.split('\n')[0]!)
    expect(first).toMatchObject({ type: 'ADDED', object: { kind: 'Table', rows: [{ cells: ['ship', expect.any(String), expect.any(String), 0, expect.any(String)] }] } })
  })

  it('serves aggregated discovery (apidiscovery.k8s.io/v2) when asked, with short names and the planspec category', async () => {
    const { request } = setup()
    const res = await request({ method: 'GET', url: '/apis', headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } })
    const type = new MIMEType(String(res.headers['content-type']))
    expect([type.essence, type.params.get('g'), type.params.get('v'), type.params.get('as')]).toEqual(['application/json', 'apidiscovery.k8s.io', 'v2', 'APIGroupDiscoveryList'])
    const resources = body(res).items[0].versions[0].resources as { resource: string; shortNames?: string[]; categories?: string[]; scope: string }[]
    expect(resources.find((r) => r.resource === 'executions')).toMatchObject({ shortNames: ['ex', 'exec'], categories: ['planspec'], scope: 'Namespaced' })
    expect(resources.find((r) => r.resource === 'clusterroles')).toMatchObject({ scope: 'Cluster' })
    const core = body(await request({ method: 'GET', url: '/api', headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } }))
    expect(core.items[0].versions[0].resources[0]).toMatchObject({ resource: 'namespaces', scope: 'Cluster' })
  })

  it('answers SelfSubjectRulesReview from RBAC: everything for an admin, only the granted rules for others', async () => {
    const { request } = setup()
    const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'team' } }
    const admin = body(await request({ method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', payload: review }))
    expect(admin.status.resourceRules).toEqual([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])
    await create(request, { apiVersion: 'planspec.io/v1alpha1', kind: 'Role', metadata: { name: 'readers', namespace: 'team' }, rules: [{ resources: ['goals'], verbs: ['get', 'list'] }] } as never)
    await create(request, { apiVersion: 'planspec.io/v1alpha1', kind: 'RoleBinding', metadata: { name: 'dave-reads', namespace: 'team' }, subjects: [{ kind: 'User', name: 'dave' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'readers' } } as never)
    const dave = await request({ method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', payload: review, user: 'dave' })
    expect(dave.statusCode).toBe(201)
    expect(body(dave).status.resourceRules).toEqual([{ verbs: ['get', 'list'], apiGroups: ['planspec.io'], resources: ['goals'] }])
  })

  it('reads the protobuf bodies kubectl sends for namespaces and access reviews, and answers JSON', async () => {
    const { request } = setup()
    const root = protobuf.parse(`syntax = "proto2";
      message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
      message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; }
      message ObjectMeta { optional string name = 1; map<string, string> labels = 11; }
      message Namespace { optional ObjectMeta metadata = 1; }
      message ResourceAttributes { optional string namespace = 1; optional string verb = 2; optional string group = 3; optional string resource = 5; }
      message Spec { optional ResourceAttributes resourceAttributes = 1; }
      message Review { optional Spec spec = 2; }`).root
    const envelope = (apiVersion: string, kind: string, type: string, value: object) => {
      const raw = root.lookupType(type).encode(value).finish()
      return Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from(root.lookupType('Unknown').encode({ typeMeta: { apiVersion, kind }, raw }).finish())])
    }
    const headers = { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/vnd.kubernetes.protobuf, application/json' }
    const ns = await request({ method: 'POST', url: '/api/v1/namespaces', headers, payload: envelope('v1', 'Namespace', 'Namespace', { metadata: { name: 'from-proto', labels: { team: 'x' } } }) })
    expect(ns.statusCode, ns.payload).toBe(201)
    expect(ns.headers['content-type']).toContain('application/json')
    expect(body(await request({ method: 'GET', url: '/api/v1/namespaces/from-proto' })).metadata).toMatchObject({ name: 'from-proto' })
    const review = await request({ method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', headers, payload: envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'Review', { spec: { resourceAttributes: { namespace: 'team', verb: 'create', group: 'planspec.io', resource: 'goals' } } }), user: 'dave' })
    expect(body(review).status.allowed).toBe(false)
    // A PlanSpec kind is JSON only (Kubernetes has no protobuf for custom resources): 415.
    expect((await request({ method: 'POST', url: GOALS, headers, payload: Buffer.from('k8s\0junk') })).statusCode).toBe(415)
    expect((await request({ method: 'POST', url: '/api/v1/namespaces', headers, payload: Buffer.from('not protobuf') })).statusCode).toBe(400)
  })

  it('warns about a reference only when its object does not exist, each warning once', async () => {
    const { request } = setup()
    const withRef = { ...plan('p'), spec: { description: 'p', goalRef: { name: 'later' }, graph: { nodes: [{ id: 'a', kind: 'Task', description: 'a' }] } } }
    const missing = await request({ method: 'POST', url: `${API}/namespaces/team/plans`, payload: withRef })
    expect(missing.statusCode).toBe(201)
    expect(String(missing.headers.warning)).toContain('PS4001')
    expect(String(missing.headers.warning).match(/PS4001/g)).toHaveLength(1)
    await create(request, goal('later'))
    const replaced = await request({ method: 'PUT', url: `${API}/namespaces/team/plans/p`, payload: { ...withRef, metadata: { ...withRef.metadata, resourceVersion: body(missing).metadata.resourceVersion } } })
    expect(replaced.statusCode, replaced.payload).toBe(200)
    expect(replaced.headers.warning).toBeUndefined()
    // In a batch, an item another item creates counts as existing.
    const batch = await request({ method: 'POST', url: `${API}/apply?fieldManager=ci`, payload: { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: [{ ...withRef, metadata: { name: 'q', namespace: 'team' }, spec: { ...withRef.spec, goalRef: { name: 'fresh' } } }, goal('fresh')] } })
    expect(batch.statusCode, batch.payload).toBe(200)
    expect(batch.headers.warning).toBeUndefined()
  })
})
