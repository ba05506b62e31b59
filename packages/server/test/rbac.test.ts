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

  it('covers RBAC kinds and namespaces with their own resource names or "*" rules', async () => {
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

  it('derives each identity\'s rules once but drops them with every policy change: a grant, a narrowed role and a revoked binding take effect on the next request', async () => {
    const { request } = setup({ rbac: true })
    await seedPolicy(request)
    const get = async (user: User, url: string) => (await request({ method: 'GET', url, user })).statusCode
    // Warm the per-identity rules (cluster-wide and in two namespaces) before each change.
    expect(await get('alice', `${API}/namespaces/other/goals`)).toBe(200)
    expect(await get('alice', `${API}/namespaces/team/plans`)).toBe(200)
    expect(await get('dave', `${API}/namespaces/other/goals`)).toBe(403)
    // A new binding grants at once.
    await create(request, { apiVersion: V, kind: 'RoleBinding', metadata: meta('dave-edits', 'other'), subjects: [{ kind: 'User', name: 'dave' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'viewer' } } as never)
    expect(await get('dave', `${API}/namespaces/other/goals`)).toBe(200)
    expect(await get('dave', `${API}/namespaces/elsewhere/goals`)).toBe(403)
    // Narrowing the ClusterRole the Group binding names narrows every member at once.
    const viewer = body(await request({ method: 'GET', url: `${API}/clusterroles/viewer` }))
    const narrowed = await request({ method: 'PUT', url: `${API}/clusterroles/viewer`, payload: { ...viewer, rules: [{ resources: ['plans'], verbs: ['get', 'list'] }] } })
    expect(narrowed.statusCode).toBe(200)
    expect(await get('alice', `${API}/namespaces/other/goals`)).toBe(403)
    expect(await get('bob', `${API}/namespaces/team/plans`)).toBe(200)
    // Revoking the ClusterRoleBinding revokes it for the next request.
    expect((await request({ method: 'DELETE', url: `${API}/clusterrolebindings/viewers` })).statusCode).toBe(200)
    expect(await get('alice', `${API}/namespaces/team/plans`)).toBe(403)
    expect(await get('bob', `${API}/namespaces/team/plans`)).toBe(403)
    expect(await get('dave', `${API}/namespaces/other/goals`)).toBe(403)
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

  it('gives every authenticated caller everything only in the insecure mode (rbac: false)', async () => {
    expect((await setup().request({ method: 'POST', url: `${API}/namespaces/team/goals?dryRun=All`, user: 'dave', payload: { apiVersion: V, kind: 'Goal', metadata: meta('g', 'team'), spec: { description: 'd' } } })).statusCode).toBe(403)
    const { request } = setup({ rbac: false })
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

  // Privilege escalation (DECISIONS §9): writing a role needs every permission it grants (or
  // `escalate`); binding a role needs every permission of the role (or `bind`), as in Kubernetes.
  describe('escalation', () => {
    const role = (name: string, namespace: string | undefined, rules: object[]) => ({ apiVersion: V, kind: namespace === undefined ? 'ClusterRole' : 'Role', metadata: meta(name, namespace), rules })
    const binding = (name: string, namespace: string | undefined, roleKind: 'Role' | 'ClusterRole', roleName: string, user: string) => ({
      apiVersion: V,
      kind: namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
      metadata: meta(name, namespace),
      subjects: [{ kind: 'User', name: user }],
      roleRef: { apiGroup: 'planspec.io', kind: roleKind, name: roleName },
    })
    const urlOf = (object: { kind: string; metadata: { namespace?: string } }) => {
      const plural = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' }[object.kind]!
      return object.metadata.namespace === undefined ? `${API}/${plural}` : `${API}/namespaces/${object.metadata.namespace}/${plural}`
    }

    async function seed(request: ReturnType<typeof setup>['request']) {
      await seedPolicy(request)
      // Everyone but admin may write RBAC objects anywhere: what they may grant is the question.
      await create(request, role('rbac-writer', undefined, [{ resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'], verbs: ['get', 'list', 'create', 'update'] }]) as never)
      for (const user of ['alice', 'bob', 'carol', 'dave']) await create(request, binding(`rbac-writer-${user}`, undefined, 'ClusterRole', 'rbac-writer', user) as never)
      // The attacker: `create` on `*` in a namespace, nothing else.
      await create(request, role('creator', 'team', [{ resources: ['*'], verbs: ['create'] }]) as never)
      await create(request, binding('creators', 'team', 'Role', 'creator', 'alice') as never)
      await create(request, role('everything', undefined, [{ resources: ['*'], verbs: ['*'] }]) as never)
      // bob may escalate roles in team and bind the "everything" ClusterRole by name.
      await create(request, role('escalator', 'team', [{ resources: ['roles'], verbs: ['escalate'] }]) as never)
      await create(request, binding('escalators', 'team', 'Role', 'escalator', 'bob') as never)
      await create(request, role('binder', undefined, [{ resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['everything'] }]) as never)
      await create(request, binding('binders', undefined, 'ClusterRole', 'binder', 'bob') as never)
    }

    // In order: later attempts run with the bindings earlier ones created.
    const attempts: { what: string; user: User; object: Record<string, any>; expected: 201 | 403 }[] = [
      { what: 'a Role granting what the author holds in its namespace', user: 'carol', object: role('r1', 'team', [{ resources: ['goals', 'plans'], verbs: ['get', 'update'] }]), expected: 201 },
      { what: 'a Role narrowed to names the author holds for all names', user: 'carol', object: role('r2', 'team', [{ resources: ['goals'], verbs: ['get'], resourceNames: ['x'] }]), expected: 201 },
      { what: 'a Role granting "*" on "*" with only "create" on "*"', user: 'alice', object: role('r3', 'team', [{ resources: ['*'], verbs: ['*'] }]), expected: 403 },
      { what: 'a Role granting approve the author does not hold', user: 'carol', object: role('r4', 'team', [{ resources: ['gates'], verbs: ['approve'] }]), expected: 403 },
      { what: 'a Role in a namespace where the author holds nothing', user: 'carol', object: role('r5', 'other', [{ resources: ['goals'], verbs: ['get'] }]), expected: 403 },
      { what: 'a ClusterRole granting what the author holds in one namespace only', user: 'carol', object: role('c1', undefined, [{ resources: ['goals'], verbs: ['get'] }]), expected: 403 },
      { what: 'a ClusterRole granting what the author holds cluster-wide', user: 'alice', object: role('c2', undefined, [{ resources: ['goals', 'gates'], verbs: ['get', 'list'] }]), expected: 201 },
      { what: 'a Role granting the escalate verb itself', user: 'carol', object: role('r6', 'team', [{ resources: ['roles'], verbs: ['escalate'] }]), expected: 403 },
      { what: 'a Role granting a name-restricted get the author holds for that name', user: 'dave', object: role('r7', 'team', [{ resources: ['plans'], verbs: ['get'], resourceNames: ['p1'] }]), expected: 201 },
      { what: 'a Role granting get on all plans with get on p1 only', user: 'dave', object: role('r8', 'team', [{ resources: ['plans'], verbs: ['get'] }]), expected: 403 },
      { what: 'a Role granting everything, with escalate on roles', user: 'bob', object: role('r9', 'team', [{ resources: ['*'], verbs: ['*'] }]), expected: 201 },
      { what: 'a ClusterRole granting everything, with escalate on namespaced roles only', user: 'bob', object: role('c3', undefined, [{ resources: ['*'], verbs: ['*'] }]), expected: 403 },
      { what: 'a RoleBinding to a Role whose permissions the author holds', user: 'carol', object: binding('b1', 'team', 'Role', 'editor', 'carol'), expected: 201 },
      { what: 'a RoleBinding of oneself to "everything" with only "create" on "*"', user: 'alice', object: binding('b2', 'team', 'ClusterRole', 'everything', 'alice'), expected: 403 },
      { what: 'a RoleBinding to a Role granting approve the author does not hold', user: 'carol', object: binding('b3', 'team', 'Role', 'approver', 'carol'), expected: 403 },
      { what: 'a ClusterRoleBinding to a ClusterRole held in one namespace only', user: 'carol', object: binding('b4', undefined, 'ClusterRole', 'viewer', 'carol'), expected: 403 },
      { what: 'a ClusterRoleBinding to a ClusterRole held cluster-wide', user: 'alice', object: binding('b5', undefined, 'ClusterRole', 'viewer', 'dave'), expected: 201 },
      { what: 'a RoleBinding to a role that does not exist', user: 'carol', object: binding('b6', 'team', 'Role', 'nope', 'carol'), expected: 403 },
      { what: 'a RoleBinding to the approver Role, with escalate (not bind)', user: 'bob', object: binding('b10', 'team', 'Role', 'approver', 'bob'), expected: 403 },
      { what: 'a RoleBinding to "everything", with bind on that ClusterRole', user: 'bob', object: binding('b7', 'team', 'ClusterRole', 'everything', 'bob'), expected: 201 },
      { what: 'a ClusterRoleBinding to "everything", with bind on that ClusterRole', user: 'bob', object: binding('b8', undefined, 'ClusterRole', 'everything', 'bob'), expected: 201 },
      { what: 'a RoleBinding to a ClusterRole bind does not name', user: 'bob', object: binding('b9', 'team', 'ClusterRole', 'rbac-writer', 'carol'), expected: 201 },
      { what: 'anything, as a member of system:masters', user: 'admin', object: role('r10', 'other', [{ resources: ['*'], verbs: ['*'] }]), expected: 201 },
    ]

    it('decides every escalation attempt as Kubernetes would (403 Forbidden), on create, dry run and apply alike', async () => {
      const { request } = setup()
      await seed(request)
      const mismatches: string[] = []
      for (const { what, user, object, expected } of attempts) {
        const dry = await request({ method: 'POST', url: `${urlOf(object as never)}?dryRun=All`, user, payload: object })
        const applied = await request({ method: 'POST', url: `${API}/apply?dryRun=All`, user, payload: object })
        const created = await request({ method: 'POST', url: urlOf(object as never), user, payload: object })
        const codes = [dry.statusCode, applied.statusCode === 200 ? 201 : applied.statusCode, created.statusCode]
        if (codes.some((code) => code !== expected)) mismatches.push(`${user}: ${what}: ${codes.join('/')} (expected ${expected}) ${created.payload.slice(0, 300)}`)
        if (created.statusCode === 403) expect(body(created)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 })
      }
      expect(mismatches).toEqual([])
    })

    it('checks updates too: PUT, merge patch and apply may not widen a role or rebind it beyond what the author holds', async () => {
      const { request } = setup()
      await seed(request)
      const r1 = await create(request, role('r1', 'team', [{ resources: ['goals'], verbs: ['get'] }]) as never, 'carol')
      const widened = [{ resources: ['goals'], verbs: ['get'] }, { resources: ['gates'], verbs: ['approve'] }]
      const put = await request({ method: 'PUT', url: `${API}/namespaces/team/roles/r1`, user: 'carol', payload: { ...r1, rules: widened } })
      const patch = await request({ method: 'PATCH', url: `${API}/namespaces/team/roles/r1`, user: 'carol', headers: { 'content-type': 'application/merge-patch+json' }, payload: { rules: widened } })
      const apply = await request({ method: 'POST', url: `${API}/apply`, user: 'carol', payload: { ...role('r1', 'team', widened) } })
      expect([put.statusCode, patch.statusCode, apply.statusCode]).toEqual([403, 403, 403])
      const b1 = await create(request, binding('b1', 'team', 'Role', 'editor', 'carol') as never, 'carol')
      const rebind = await request({ method: 'PUT', url: `${API}/namespaces/team/rolebindings/b1`, user: 'carol', payload: { ...b1, roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'everything' } } })
      expect(rebind.statusCode).toBe(403)
      const stored = body(await request({ method: 'GET', url: `${API}/namespaces/team/roles/r1` }))
      expect(stored.rules).toEqual([{ resources: ['goals'], verbs: ['get'] }])
      // A change that grants nothing new goes through.
      expect((await request({ method: 'PUT', url: `${API}/namespaces/team/roles/r1`, user: 'carol', payload: { ...r1, rules: [{ resources: ['goals', 'plans'], verbs: ['get'] }] } })).statusCode).toBe(200)
    })
  })
})
