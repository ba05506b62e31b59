// Workers on claimable work through the API (people and AI agents, `planspec mcp` in server mode):
// the first claim holds a node, completions give every declared output, agents never decide a Gate
// unless it names their svc: identity, and anyone may ask who their token is.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseTokens, serve } from '../src/index.js'
import { API } from './helpers.js'

type Obj = Record<string, any>
const ns = `${API}/namespaces/team`
const TOKENS = { admin: 'admin-token-0001', a: 'writer-a-token-0001', b: 'writer-b-token-0001', ann: 'ann-token-0001', eve: 'eve-token-0001', docs: 'docs-agent-token-0001' } as const
type Who = keyof typeof TOKENS
const tokens = parseTokens([`${TOKENS.admin},admin,system:masters`, `${TOKENS.a},svc:writer-a`, `${TOKENS.b},svc:writer-b,acme/sre`, `${TOKENS.ann},ann,acme/sre`, `${TOKENS.eve},eve`, `${TOKENS.docs},svc:docs`].join('\n'))
const via = 'mcp:test-client/1.0.0'

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-serve-workers-'))
  const server = await serve({ db: join(dir, 'planspec.db'), workspace: join(dir, 'runs'), listen: { port: 0 }, tokens, logger: false, limits: { rateLimit: false }, executions: true, pollMs: 50 })
  onTestFinished(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const call = async (method: string, path: string, payload?: unknown, who: Who = 'admin') => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${TOKENS[who]}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }) })
    return { status: res.status, body: (await res.json()) as Obj }
  }
  const until = async (path: string, predicate: (object: Obj) => boolean) => {
    const deadline = Date.now() + 15_000
    for (;;) {
      const { body } = await call('GET', path)
      if (predicate(body)) return body
      if (Date.now() > deadline) throw new Error(`condition not met on ${path}: ${JSON.stringify(body.status)}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  return { call, until }
}

const resources = [
  ['capabilities', { apiVersion: 'planspec.io/v1alpha1', kind: 'Capability', metadata: { name: 'writing', namespace: 'team' }, spec: { description: 'Writing' } }],
  ['gates', { apiVersion: 'planspec.io/v1alpha1', kind: 'Gate', metadata: { name: 'docs-review', namespace: 'team' }, spec: { gateType: 'review', targetRef: { kind: 'Plan', name: 'write-docs' }, reviewers: ['svc:writer-a', 'team:acme/sre'] } }],
  ['plans', { apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name: 'write-docs', namespace: 'team' }, spec: { description: 'Agents write, people review', graph: { nodes: [{ id: 'write', kind: 'Task', capabilityRefs: [{ name: 'writing' }], outputs: ['url', 'pages'] }, { id: 'review', kind: 'Gate', gateRef: { name: 'docs-review' }, dependsOn: ['write'] }] } } }],
  ['bindings', { apiVersion: 'planspec.io/v1alpha1', kind: 'Binding', metadata: { name: 'agents', namespace: 'team' }, spec: { rules: [{ selector: { capabilityRef: { name: 'writing' } }, target: { provider: 'agent://docs' } }] } }],
  ['executions', { apiVersion: 'planspec.io/v1alpha1', kind: 'Execution', metadata: { name: 'd1', namespace: 'team' }, spec: { planRef: { name: 'write-docs' }, bindingRef: { name: 'agents' } } }],
] as const

const workerAccess = [
  ['roles', { apiVersion: 'planspec.io/v1alpha1', kind: 'Role', metadata: { name: 'worker', namespace: 'team' }, rules: [{ resources: ['executions'], verbs: ['get', 'list', 'watch', 'update'] }, { resources: ['gates'], verbs: ['get', 'list', 'watch', 'approve'] }] }],
  ['rolebindings', { apiVersion: 'planspec.io/v1alpha1', kind: 'RoleBinding', metadata: { name: 'workers', namespace: 'team' }, subjects: [{ kind: 'User', name: 'svc:writer-a' }, { kind: 'User', name: 'eve' }, { kind: 'User', name: 'svc:docs' }, { kind: 'Group', name: 'acme/sre' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'worker' } }],
] as const

describe('workers through the API', () => {
  it('gives a node to the first claim, refuses the other claim and a completion by someone else or without every declared output, and lets an agent decide only as a named svc: reviewer', async () => {
    const server = await start()
    for (const [plural, object] of resources) expect((await server.call('POST', `${ns}/${plural}`, object)).status).toBe(201)
    // With --tokens, RBAC is on: the admin lets the writers and the SRE team work and review in `team`.
    for (const [plural, object] of workerAccess) expect((await server.call('POST', `${ns}/${plural}`, object)).status).toBe(201)
    await server.until(`${ns}/executions/d1`, (e) => e.status?.nodeStatuses?.write?.reason === 'AwaitingClaim')

    expect((await server.call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {}, 'b')).body.status.userInfo).toMatchObject({ username: 'svc:writer-b', groups: ['acme/sre'] })

    // Eve may update executions (RBAC) but neither the node's target (agent://docs) nor a Gate of
    // the plan names her: as in git mode (core's checkRequester), she can neither claim nor complete.
    for (const [route, body] of [['claim', { node: 'write' }], ['complete', { node: 'write', outputs: { url: 'https://eve', pages: 1 } }]] as const) {
      const byEve = await server.call('POST', `${ns}/executions/d1/${route}`, body, 'eve')
      expect(byEve.status, JSON.stringify(byEve.body)).toBe(403)
      expect(byEve.body.details.causes).toEqual([expect.objectContaining({ reason: 'NotEligible' })])
    }
    // svc:docs is what the node's target agent://docs names: eligible without reviewing anything (a dry run records nothing).
    expect((await server.call('POST', `${ns}/executions/d1/claim?dryRun=All`, { node: 'write' }, 'docs')).status).toBe(200)
    expect((await server.call('GET', `${ns}/executions/d1`)).body.metadata.annotations ?? {}).not.toHaveProperty('planspec.io/claim.write')

    const [first, second] = await Promise.all([server.call('POST', `${ns}/executions/d1/claim`, { node: 'write', via }, 'a'), server.call('POST', `${ns}/executions/d1/claim`, { node: 'write', via }, 'b')])
    const statuses = [first.status, second.status].sort()
    expect(statuses).toEqual([200, 409])
    const [winner, loser] = first.status === 200 ? (['a', 'b'] as const) : (['b', 'a'] as const)
    const lost = first.status === 200 ? second : first
    expect(lost.body.details.causes).toEqual([expect.objectContaining({ reason: 'AlreadyClaimed' })])
    expect((await server.call('POST', `${ns}/executions/d1/claim`, { node: 'write' }, winner)).status).toBe(200)
    const stolen = await server.call('POST', `${ns}/executions/d1/complete`, { node: 'write', outputs: { url: 'https://evil', pages: 1 } }, loser)
    expect(stolen.status).toBe(409)
    expect(stolen.body.details.causes[0].reason).toBe('ClaimedByOther')
    const incomplete = await server.call('POST', `${ns}/executions/d1/complete`, { node: 'write', outputs: { url: 'https://docs.example/d1' } }, winner)
    expect(incomplete.status).toBe(422)
    expect(incomplete.body.details.causes).toEqual([expect.objectContaining({ reason: 'MissingOutputs', field: 'outputs', message: expect.stringContaining('pages') })])
    const done = await server.call('POST', `${ns}/executions/d1/complete`, { node: 'write', outputs: { url: 'https://docs.example/d1', pages: 3 }, via }, winner)
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    expect(JSON.parse(done.body.metadata.annotations['planspec.io/complete.write'])).toMatchObject({ by: `svc:writer-${winner}`, via })
    await server.until(`${ns}/executions/d1`, (e) => e.status?.nodeStatuses?.review?.phase === 'Blocked')

    // An agent asks for the review; writer B (a member of team:acme/sre, not named svc:) cannot
    // decide through an agent's client, nor can Ann's token; writer A, named svc:writer-a, can.
    expect((await server.call('POST', `${ns}/gates/docs-review/comment`, { comment: 'The draft is ready for review', via }, 'b')).status).toBe(200)
    const byB = await server.call('POST', `${ns}/gates/docs-review/approve`, { via }, 'b')
    expect(byB.status).toBe(403)
    expect(byB.body.details.causes[0].reason).toBe('AgentCannotDecide')
    const byAnnAsAgent = await server.call('POST', `${ns}/gates/docs-review/approve`, { via }, 'ann')
    expect(byAnnAsAgent.body.details.causes[0].reason).toBe('AgentCannotDecide')
    const history = (await server.call('GET', `${ns}/gates/docs-review`)).body.status.reviewHistory as Obj[]
    expect(history.map((h) => [h.reviewer, h.action, h.counted ?? null, h.reason ?? null, h.source])).toEqual([
      ['svc:writer-b', 'comment', null, null, `api via ${via}`],
      ['svc:writer-b', 'approve', false, 'AgentCannotDecide', `api via ${via}`],
      ['user:ann', 'approve', false, 'AgentCannotDecide', `api via ${via}`],
    ])
    // Without the agent's client, B is still a service: it is not eligible through its team.
    expect((await server.call('POST', `${ns}/gates/docs-review/approve`, {}, 'b')).body.details.causes[0].reason).toBe('NotEligible')
    expect((await server.call('POST', `${ns}/gates/docs-review/approve`, { via }, 'a')).status).toBe(200)
    await server.until(`${ns}/executions/d1`, (e) => e.status?.phase === 'Succeeded')
  })
})
