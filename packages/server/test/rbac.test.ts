// The optional RBAC profile: an exhaustive authorization matrix over every route kind (THREATS T14).
import { describe, expect, it } from 'vitest'
import { parseTokens } from '../src/index.js'
import { API, body, create, setup, TOKENS_CSV, type User } from './helpers.js'

const meta = (name: string, namespace?: string, labels?: Record<string, string>) => ({ name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) })
const V = 'planspec.io/v1alpha1'

async function seedPolicy(request: ReturnType<typeof setup>['request']) {
  await create(request, { apiVersion: V, kind: 'ClusterRole', metadata: meta('viewer'), rules: [{ resources: ['*'], verbs: ['get', 'list', 'watch'] }] } as never)
  await create(request, { apiVersion: V, kind: 'ClusterRoleBinding', metadata: meta('viewers'), subjects: [{ kind: 'Group', name: 'acme/sre' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'viewer' } } as never)
  await create(request, { apiVersion: V, kind: 'Role', metadata: meta('editor', 'team'), rules: [{ resources: ['goals', 'plans'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] }] } as never)
  await create(request, { apiVersion: V, kind: 'RoleBinding', metadata: meta('editors', 'team'), subjects: [{ kind: 'User', name: 'carol' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'editor' } } as never)
  await create(request, {
    apiVersion: V,
    kind: 'Role',
    metadata: meta('approver', 'team'),
    rules: [
      { resources: ['gates'], verbs: ['approve'] },
      { resources: ['executions'], verbs: ['update'] },
      { resources: ['plans'], verbs: ['get'], resourceNames: ['p1'] },
    ],
  } as never)
  await create(request, { apiVersion: V, kind: 'RoleBinding', metadata: meta('approvers', 'team'), subjects: [{ kind: 'User', name: 'dave' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'approver' } } as never)
}

type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'delete' | 'approve'
const VERBS: Verb[] = ['get', 'list', 'watch', 'create', 'update', 'delete', 'approve']
const RESOURCES = ['goals', 'plans', 'gates', 'executions']
const NAMESPACES = ['team', 'other']
const USERS: User[] = ['admin', 'alice', 'bob', 'carol', 'dave']

/** The expected decision, written independently of the implementation from the seeded policy. */
function expected(user: User, verb: Verb, resource: string, namespace: string, name: string): boolean {
  if (user === 'admin') return true
  if ((user === 'alice' || user === 'bob') && ['get', 'list', 'watch'].includes(verb)) return true
  if (user === 'carol' && namespace === 'team' && ['goals', 'plans'].includes(resource) && verb !== 'approve') return true
  if (user === 'dave' && namespace === 'team') {
    if (resource === 'gates' && verb === 'approve') return true
    if (resource === 'executions' && verb === 'update') return true
    if (resource === 'plans' && verb === 'get' && name === 'p1') return true
  }
  return false
}

const KIND: Record<string, string> = { goals: 'Goal', plans: 'Plan', gates: 'Gate', executions: 'Execution' }

function call(verb: Verb, resource: string, namespace: string, name: string): { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: object } | undefined {
  const base = `${API}/namespaces/${namespace}/${resource}`
  const object = { apiVersion: V, kind: KIND[resource], metadata: { name, namespace } }
  switch (verb) {
    case 'get':
      return { method: 'GET', url: `${base}/${name}` }
    case 'list':
      return { method: 'GET', url: base }
    case 'watch':
      return { method: 'GET', url: `${base}?watch=true&timeoutSeconds=0` }
    case 'create':
      return { method: 'POST', url: `${base}?dryRun=All`, payload: object }
    case 'update':
      return resource === 'executions' ? { method: 'POST', url: `${base}/${name}/cancel?dryRun=All`, payload: {} } : { method: 'PUT', url: `${base}/${name}?dryRun=All`, payload: object }
    case 'delete':
      return { method: 'DELETE', url: `${base}/${name}?dryRun=All` }
    case 'approve':
      return resource === 'gates' ? { method: 'POST', url: `${base}/${name}/approve?dryRun=All`, payload: {} } : undefined
  }
}

describe('RBAC', () => {
  it('decides every (user × verb × resource × namespace × name) as the policy says, on every route kind including watch', async () => {
    const { request } = setup({ rbac: true })
    await seedPolicy(request)
    const mismatches: string[] = []
    let checked = 0
    for (const user of USERS)
      for (const verb of VERBS)
        for (const resource of RESOURCES)
          for (const namespace of NAMESPACES)
            for (const name of ['p1', 'x']) {
              const route = call(verb, resource, namespace, name)
              if (route === undefined) continue
              const res = await request({ ...route, user })
              checked += 1
              const allowed = res.statusCode !== 403
              if (res.statusCode === 403) expect(body(res)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 })
              if (allowed !== expected(user, verb, resource, namespace, name)) mismatches.push(`${user} ${verb} ${resource} ${namespace}/${name}: ${res.statusCode}`)
            }
    expect(mismatches).toEqual([])
    expect(checked).toBeGreaterThan(400)
  })

  it('covers RBAC kinds and namespaces only with "*" rules', async () => {
    const { request } = setup({ rbac: true })
    await seedPolicy(request)
    expect((await request({ method: 'GET', url: `${API}/clusterroles`, user: 'alice' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url: `${API}/clusterroles`, user: 'carol' })).statusCode).toBe(403)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/roles`, user: 'carol' })).statusCode).toBe(403)
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/roles`, user: 'carol', payload: { apiVersion: V, kind: 'Role', metadata: meta('escalate', 'team'), rules: [{ resources: ['*'], verbs: ['*'] }] } })).statusCode).toBe(403)
    expect((await request({ method: 'GET', url: '/api/v1/namespaces', user: 'alice' })).statusCode).toBe(200)
    expect((await request({ method: 'DELETE', url: '/api/v1/namespaces/team', user: 'carol' })).statusCode).toBe(403)
  })

  it('applies changes to the policy at once (the cache is invalidated)', async () => {
    const { request } = setup({ rbac: true })
    await seedPolicy(request)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals`, user: 'carol' })).statusCode).toBe(200)
    await request({ method: 'DELETE', url: `${API}/namespaces/team/rolebindings/editors` })
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals`, user: 'carol' })).statusCode).toBe(403)
  })

  it('aggregates ClusterRoles by label and binds ServiceAccounts and ClusterRoles in RoleBindings', async () => {
    const tokens = parseTokens(`${TOKENS_CSV}\nsa-token-000000000000,system:serviceaccount:team:robot`)
    const { app, request } = setup({ rbac: true, tokens })
    await create(request, { apiVersion: V, kind: 'ClusterRole', metadata: meta('goal-reader', undefined, { aggregate: 'yes' }), rules: [{ resources: ['goals'], verbs: ['list'] }] } as never)
    await create(request, { apiVersion: V, kind: 'ClusterRole', metadata: meta('aggregate'), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { aggregate: 'yes' } }] } } as never)
    await create(request, { apiVersion: V, kind: 'RoleBinding', metadata: meta('robot', 'team'), subjects: [{ kind: 'ServiceAccount', name: 'robot' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'aggregate' } } as never)
    const robot = { authorization: 'Bearer sa-token-000000000000' }
    expect((await app.inject({ method: 'GET', url: `${API}/namespaces/team/goals`, headers: robot })).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: `${API}/namespaces/other/goals`, headers: robot })).statusCode).toBe(403)
    expect((await app.inject({ method: 'GET', url: `${API}/namespaces/team/plans`, headers: robot })).statusCode).toBe(403)
  })

  it('gives every authenticated caller everything when RBAC is off', async () => {
    const { request } = setup()
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/goals?dryRun=All`, user: 'dave', payload: { apiVersion: V, kind: 'Goal', metadata: meta('g', 'team'), spec: { description: 'd' } } })).statusCode).toBe(201)
  })

  it('authorizes each item of an apply batch (create when new, update when present)', async () => {
    const { request } = setup({ rbac: true })
    await seedPolicy(request)
    const goalItem = { apiVersion: V, kind: 'Goal', metadata: meta('g', 'team'), spec: { description: 'd' } }
    const gateItem = { apiVersion: V, kind: 'Gate', metadata: meta('gt', 'team'), spec: { gateType: 'approval', targetRef: { kind: 'Execution', name: 'e' } } }
    expect((await request({ method: 'POST', url: `${API}/apply`, user: 'carol', payload: { apiVersion: V, kind: 'List', items: [goalItem] } })).statusCode).toBe(200)
    const denied = await request({ method: 'POST', url: `${API}/apply`, user: 'carol', payload: { apiVersion: V, kind: 'List', items: [goalItem, gateItem] } })
    expect(denied.statusCode).toBe(403)
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/gates/gt` })).statusCode).toBe(404)
  })
})
