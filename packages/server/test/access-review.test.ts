// Kubernetes' self-review endpoints, answered from PlanSpec's tokens and RBAC: what they say must be
// what the API then does.
import { describe, expect, it } from 'vitest'
import { API, create, gate, setup, type User } from './helpers.js'

const V = 'planspec.io/v1alpha1'
const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'

async function seed(request: ReturnType<typeof setup>['request']) {
  await create(request, { apiVersion: V, kind: 'ClusterRole', metadata: { name: 'viewer' }, rules: [{ resources: ['*'], verbs: ['get', 'list', 'watch'] }] } as never)
  await create(request, { apiVersion: V, kind: 'ClusterRoleBinding', metadata: { name: 'viewers' }, subjects: [{ kind: 'Group', name: 'acme/sre' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'viewer' } } as never)
  await create(request, { apiVersion: V, kind: 'Role', metadata: { name: 'approver', namespace: 'team' }, rules: [{ resources: ['gates'], verbs: ['approve'], resourceNames: ['release'] }, { resources: ['executions'], verbs: ['update'] }] } as never)
  await create(request, { apiVersion: V, kind: 'RoleBinding', metadata: { name: 'approvers', namespace: 'team' }, subjects: [{ kind: 'User', name: 'dave' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'approver' } } as never)
  await create(request, gate('release') as never)
}

const review = (resourceAttributes: Record<string, string>) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } })

describe('SelfSubjectReview', () => {
  it('tells who the token is, with the subject and teams Gates see', async () => {
    const { request } = setup()
    const res = await request({ method: 'POST', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews', user: 'alice', payload: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      status: { userInfo: { username: 'alice', groups: ['acme/sre', 'writers'], extra: { 'planspec.io/subject': ['user:alice'], 'planspec.io/teams': ['team:acme/sre'] } } },
    })
  })

  it('is 401 without a valid token', async () => {
    const { request } = setup()
    expect((await request({ method: 'POST', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews', user: null, headers: { authorization: 'Bearer nope' }, payload: {} })).statusCode).toBe(401)
  })
})

describe('SelfSubjectAccessReview', () => {
  it('answers exactly what the API then allows or forbids', async () => {
    const { request } = setup({ rbac: true })
    await seed(request)
    const users: User[] = ['admin', 'bob', 'carol', 'dave']
    for (const user of users) {
      const canApprove = (await request({ method: 'POST', url: SSAR, user, payload: review({ group: 'planspec.io', resource: 'gates', verb: 'approve', namespace: 'team', name: 'release' }) })).json().status.allowed
      const approved = await request({ method: 'POST', url: `${API}/namespaces/team/gates/release/approve`, user, payload: {} })
      expect(approved.statusCode === 403, `${user}: approve answered ${approved.statusCode}, the review said allowed=${canApprove}`).toBe(!canApprove)
      const canList = (await request({ method: 'POST', url: SSAR, user, payload: review({ group: 'planspec.io', resource: 'goals', verb: 'list', namespace: 'team' }) })).json().status.allowed
      const listed = await request({ method: 'GET', url: `${API}/namespaces/team/goals`, user })
      expect(listed.statusCode === 403, `${user}: list answered ${listed.statusCode}`).toBe(!canList)
    }
  })

  it('counts patch, cancel and status writes as update, and echoes the spec back in Kubernetes shape', async () => {
    const { request } = setup({ rbac: true })
    await seed(request)
    for (const verb of ['update', 'patch', 'cancel', 'retry']) {
      const res = await request({ method: 'POST', url: SSAR, user: 'dave', payload: review({ group: 'planspec.io', resource: 'executions', verb, namespace: 'team', name: 'run-1' }) })
      expect(res.statusCode).toBe(201)
      expect(res.json()).toMatchObject({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb } }, status: { allowed: true } })
    }
    const status = await request({ method: 'POST', url: SSAR, user: 'dave', payload: review({ group: 'planspec.io', resource: 'executions', subresource: 'status', verb: 'patch', namespace: 'team', name: 'x' }) })
    expect(status.json().status.allowed).toBe(true)
    const elsewhere = await request({ method: 'POST', url: SSAR, user: 'dave', payload: review({ group: 'planspec.io', resource: 'gates', verb: 'approve', namespace: 'other', name: 'release' }) })
    expect(elsewhere.json().status).toMatchObject({ allowed: false })
  })

  it('refuses what PlanSpec does not serve, and needs only a token for non-resource paths', async () => {
    const { request } = setup({ rbac: true })
    const unknownVerb = await request({ method: 'POST', url: SSAR, user: 'admin', payload: review({ group: 'planspec.io', resource: 'gates', verb: 'escalate', namespace: 'team' }) })
    expect(unknownVerb.json().status).toMatchObject({ allowed: false })
    const otherGroup = await request({ method: 'POST', url: SSAR, user: 'admin', payload: review({ group: 'apps', resource: 'deployments', verb: 'get', namespace: 'team' }) })
    expect(otherGroup.json().status).toMatchObject({ allowed: false })
    const namespaces = await request({ method: 'POST', url: SSAR, user: 'admin', payload: review({ group: '', resource: 'namespaces', verb: 'list' }) })
    expect(namespaces.json().status).toMatchObject({ allowed: true })
    const path = await request({ method: 'POST', url: SSAR, user: 'dave', payload: { spec: { nonResourceAttributes: { path: '/metrics', verb: 'get' } } } })
    expect(path.json().status).toEqual({ allowed: true })
    const empty = await request({ method: 'POST', url: SSAR, user: 'dave', payload: { spec: {} } })
    expect(empty.statusCode).toBe(422)
    const noSpec = await request({ method: 'POST', url: SSAR, user: 'dave', payload: {} })
    expect(noSpec.statusCode).toBe(400)
  })
})

describe('the dashboard', () => {
  it('serves its page at / without a token, under a strict Content-Security-Policy, only when asked to', async () => {
    const assets = { lookup: (path: string) => (path === '/' ? { body: Buffer.from('<!doctype html><title>PlanSpec</title>'), contentType: 'text/html; charset=utf-8', etag: '"x"', immutable: false } : undefined), paths: ['/'] }
    const { request } = setup({ dashboard: { assets } })
    const page = await request({ method: 'GET', url: '/', user: null })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline')
    expect((await request({ method: 'GET', url: '/assets/nothing.js', user: null })).statusCode).toBe(404)
    expect((await request({ method: 'GET', url: `${API}/goals`, user: null })).statusCode).toBe(401)
    const without = setup()
    expect((await without.request({ method: 'GET', url: '/', user: null })).statusCode).toBe(401)
  })
})
