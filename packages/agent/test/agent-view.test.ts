// The agent's read-only view: the resources it holds, in the API's shapes, with a resumable watch.
import type { DesiredResource, DesiredState } from '@planspec/git-store'
import { describe, expect, it } from 'vitest'
import { buildAgentServer, createAgentMetrics, createResourceView, type ResourceViewSource, type StatusSnapshot } from '../src/index.js'

const item = (kind: string, name: string, spec: Record<string, unknown> = {}): DesiredResource => ({
  subject: `${kind.toLowerCase()}/default/${name}`,
  kind,
  namespace: 'default',
  name,
  file: `${name}.yaml`,
  object: { apiVersion: 'planspec.io/v1alpha1', kind, metadata: { name, uid: `uid-${name}`, generation: 1 }, spec },
  blob: `blob-${name}`,
  validIn: 'c0ffee',
  identity: { uid: `uid-${name}`, generation: 1, specHash: 'sha256:0', introducedIn: 'c0ffee', creationTimestamp: '2030-01-01T00:00:00Z' },
  lastKnownGood: false,
  condition: { type: 'SourceValid', status: 'True', reason: 'Valid' },
})
const desired = (items: DesiredResource[]): Pick<DesiredState, 'resources'> => ({ resources: new Map(items.map((i) => [i.subject, i])) })
const status = (docs: Record<string, unknown>): StatusSnapshot => ({ docs: new Map(Object.entries(docs).map(([subject, s]) => [subject, { kind: 'Execution', namespace: 'default', name: subject.split('/')[2]!, status: s }])), requests: [], leases: new Map(), problems: new Map() })

function setup(token = 'view-token') {
  let source: ResourceViewSource = { desired: desired([item('Plan', 'p'), item('Execution', 'run-1', { planRef: { name: 'p' } })]), status: status({ 'execution/default/run-1': { phase: 'Running' } }) }
  let clock = 1_000_000
  const view = createResourceView(() => source, { now: () => clock, minRefreshMs: 0, historyLimit: 3 })
  const app = buildAgentServer({ metrics: createAgentMetrics(), ready: () => ({ ready: true, reason: 'ok' }), trigger: () => undefined, view: { view, authenticate: (t) => (t === token ? { user: 'viewer', groups: [] } : undefined), dashboard: { assets: { lookup: () => undefined, paths: [] } }, watchRefreshMs: 20 } })
  const get = (url: string, auth = true) => app.inject({ method: 'GET', url, headers: auth ? { authorization: `Bearer ${token}` } : {} })
  return { app, view, get, set: (next: ResourceViewSource) => (source = next), tick: () => (clock += 1) }
}

describe('the agent read-only view', () => {
  it('lists and gets the resources it holds with their status, in the API shapes', async () => {
    const { app, get } = setup()
    const list = await get('/apis/planspec.io/v1alpha1/executions')
    expect(list.statusCode).toBe(200)
    const body = list.json()
    expect(body).toMatchObject({ apiVersion: 'planspec.io/v1alpha1', kind: 'ExecutionList', items: [{ kind: 'Execution', metadata: { name: 'run-1', namespace: 'default', uid: 'uid-run-1' }, status: { phase: 'Running' } }] })
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(body.items[0].metadata.resourceVersion))
    expect((await get('/apis/planspec.io/v1alpha1/namespaces/default/plans/p')).json()).toMatchObject({ kind: 'Plan', metadata: { name: 'p' } })
    expect((await get('/apis/planspec.io/v1alpha1/namespaces/default/plans/nope')).statusCode).toBe(404)
    expect((await get('/apis/planspec.io/v1alpha1/namespaces/other/executions')).json().items).toEqual([])
    expect((await get('/apis/planspec.io/v1alpha1/roles')).statusCode).toBe(404)
    await app.close()
  })

  it('needs a token and refuses every write', async () => {
    const { app, get } = setup()
    expect((await get('/apis/planspec.io/v1alpha1/executions', false)).statusCode).toBe(401)
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/apis/planspec.io/v1alpha1/namespaces/default/gates/g/approve', headers: { authorization: 'Bearer view-token', 'content-type': 'application/json' }, payload: '{}' })
      expect(res.statusCode, method).toBe(405)
    }
    const review = await app.inject({ method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', headers: { authorization: 'Bearer view-token', 'content-type': 'application/json' }, payload: JSON.stringify({ spec: { resourceAttributes: { verb: 'approve', resource: 'gates' } } }) })
    expect(review.json().status.allowed).toBe(false)
    const read = await app.inject({ method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', headers: { authorization: 'Bearer view-token', 'content-type': 'application/json' }, payload: JSON.stringify({ spec: { resourceAttributes: { verb: 'watch', resource: 'executions' } } }) })
    expect(read.json().status.allowed).toBe(true)
    const who = await app.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews', headers: { authorization: 'Bearer view-token' } })
    expect(who.json().status.userInfo).toMatchObject({ username: 'viewer', extra: { 'planspec.io/subject': ['user:viewer'] } })
    await app.close()
  })

  it('records each change once, resumes a watch from a version it holds, and answers 410 for one it does not', async () => {
    const { view, set, tick } = setup()
    const { resourceVersion } = view.list('executions')
    const from = Number(resourceVersion)
    view.refresh(true)
    expect(view.since(from)).toEqual([])
    tick()
    set({ desired: desired([item('Plan', 'p'), item('Execution', 'run-1', { planRef: { name: 'p' } })]), status: status({ 'execution/default/run-1': { phase: 'Succeeded' } }) })
    view.refresh(true)
    const events = view.since(from)
    expect(events).not.toBe('gone')
    expect((events as readonly { type: string; text: string }[]).map((e) => [e.type, JSON.parse(e.text).status.phase])).toEqual([['MODIFIED', 'Succeeded']])
    set({ desired: desired([]), status: status({}) })
    view.refresh(true)
    expect((view.since(from) as readonly { type: string }[]).map((e) => e.type)).toEqual(['MODIFIED', 'DELETED', 'DELETED'])
    set({ desired: desired([item('Plan', 'q')]) })
    view.refresh(true)
    // Only the last three events are held (historyLimit): the start is gone, and so is a version from the future.
    expect(view.since(from)).toBe('gone')
    expect(view.since(view.currentResourceVersion() + 5)).toBe('gone')
  })

  it('streams a watch that resumes from a version and ends with 410 for an expired one', async () => {
    const { app, view, set } = setup()
    await app.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const from = view.list('executions').resourceVersion
    const controller = new AbortController()
    const response = await fetch(`${base}/apis/planspec.io/v1alpha1/executions?watch=true&resourceVersion=${from}`, { headers: { authorization: 'Bearer view-token' }, signal: controller.signal })
    expect(response.status).toBe(200)
    set({ desired: desired([item('Execution', 'run-1', { planRef: { name: 'p' } })]), status: status({ 'execution/default/run-1': { phase: 'Failed' } }) })
    const reader = response.body!.getReader()
    const { value } = await reader.read()
    const event = JSON.parse(new TextDecoder().decode(value).split('\n')[0]!)
    expect(event).toMatchObject({ type: 'MODIFIED', object: { kind: 'Execution', status: { phase: 'Failed' } } })
    controller.abort()
    const expired = await fetch(`${base}/apis/planspec.io/v1alpha1/executions?watch=true&resourceVersion=1`, { headers: { authorization: 'Bearer view-token' } })
    expect(expired.status).toBe(410)
    await app.close()
  })
})
