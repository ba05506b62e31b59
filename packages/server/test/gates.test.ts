// POST .../gates/NAME/approve|reject: core's decideGate rules through the API (DECISIONS §5, THREATS T14).
import { describe, expect, it } from 'vitest'
import { API, body, create, execution, gate, grantEditors, plan, setup, type User } from './helpers.js'

const RUN_DIGEST = `sha256:${'d'.repeat(64)}`
const gatedPlan = plan('p', [
  { id: 'build', kind: 'Task', description: 'build' },
  { id: 'review', kind: 'Gate', gateRef: { name: 'review' }, dependsOn: ['build'] },
])

/** A plan with a Gate node, an Execution started by carol that reached it, and the Gate. */
async function scenario(request: ReturnType<typeof setup>['request'], spec: Record<string, unknown>, reached = true, author: User = 'carol', grant = true) {
  if (grant) await grantEditors(request)
  await create(request, gatedPlan)
  const run = await create(request, execution('run-1', 'p'), author)
  if (reached) {
    const res = await request({
      method: 'PUT',
      user: 'controller',
      url: `${API}/namespaces/team/executions/run-1/status`,
      payload: { ...run, status: { phase: 'Blocked', runDigest: RUN_DIGEST, nodeStatuses: { build: { phase: 'Succeeded', attempt: 1 }, review: { phase: 'Blocked', attempt: 0 } } } },
    })
    expect(res.statusCode).toBe(200)
  }
  await create(request, gate('review', { targetRef: { kind: 'Execution', name: 'run-1' }, ...spec }))
}

const decide = (request: ReturnType<typeof setup>['request'], user: User, action: 'approve' | 'reject', payload: object = {}) =>
  request({ method: 'POST', url: `${API}/namespaces/team/gates/review/${action}`, user, payload })
const read = async (request: ReturnType<typeof setup>['request']) => body(await request({ method: 'GET', url: `${API}/namespaces/team/gates/review` }))

describe('gate approvals', () => {
  it('approves with a quorum of distinct eligible reviewers; N-1 approvals and repeats keep it Waiting', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['team:acme/sre'], requiredApprovers: 2 })
    const first = await decide(request, 'alice', 'approve', { comment: 'lgtm' })
    expect(first.statusCode).toBe(200)
    expect(body(first).status.phase).toBe('Waiting')
    expect((await decide(request, 'alice', 'approve')).statusCode).toBe(200)
    expect((await read(request)).status.phase).toBe('Waiting')
    const second = await decide(request, 'bob', 'approve')
    expect(body(second).status).toMatchObject({ phase: 'Approved', decidedGeneration: 1, resolution: { outcome: 'approved', actors: ['user:alice', 'user:bob'] } })
    const history = body(second).status.reviewHistory
    expect(history).toHaveLength(3)
    expect(history[0]).toMatchObject({ reviewer: 'user:alice', action: 'approve', comment: 'lgtm', targetGeneration: 1, source: 'api' })
  })

  it('refuses self-approval by the author of the run (403 SelfApproval), records it, and stays Waiting', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['user:carol', 'team:acme/sre'] })
    const res = await decide(request, 'carol', 'approve')
    expect(res.statusCode).toBe(403)
    expect(body(res)).toMatchObject({ reason: 'Forbidden', details: { causes: [{ reason: 'SelfApproval' }] } })
    const stored = await read(request)
    expect(stored.status.phase).toBe('Waiting')
    expect(stored.status.reviewHistory).toHaveLength(1)
  })

  it('refuses reviewers that are not eligible (403 NotEligible)', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['team:acme/sre'] })
    const res = await decide(request, 'dave', 'approve')
    expect(res.statusCode).toBe(403)
    expect(body(res).details.causes[0].reason).toBe('NotEligible')
    expect((await read(request)).status.phase).toBe('Waiting')
  })

  it('rejects on any eligible rejection, after which the gate is decided (409)', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['team:acme/sre'], requiredApprovers: 2 })
    await decide(request, 'alice', 'approve')
    const rejected = await decide(request, 'bob', 'reject', { comment: 'not yet' })
    expect(body(rejected).status).toMatchObject({ phase: 'Rejected', resolution: { outcome: 'rejected', actors: ['user:bob'], comment: 'not yet' } })
    const late = await decide(request, 'alice', 'approve')
    expect(late.statusCode).toBe(409)
    expect(body(late).reason).toBe('Conflict')
  })

  it('refuses an action for another generation (409 StaleGeneration)', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['team:acme/sre'] })
    const res = await decide(request, 'alice', 'approve', { targetGeneration: 7 })
    expect(res.statusCode).toBe(409)
    expect(body(res).details.causes[0].reason).toBe('StaleGeneration')
    expect((await read(request)).status.phase).toBe('Waiting')
  })

  it('voids approvals when the gate spec changes: old-generation approvals no longer count', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['team:acme/sre'], requiredApprovers: 2 })
    await decide(request, 'alice', 'approve')
    await decide(request, 'bob', 'approve')
    const approved = await read(request)
    expect(approved.status.phase).toBe('Approved')
    const edited = await request({ method: 'PUT', url: `${API}/namespaces/team/gates/review`, payload: { ...approved, spec: { ...approved.spec, description: 'scope grew' } } })
    expect(body(edited).metadata.generation).toBe(2)
    const again = await decide(request, 'alice', 'approve')
    expect(again.statusCode).toBe(200)
    expect(body(again).status.phase).toBe('Waiting')
    expect(body(again).status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SpecChanged' })
  })

  it('refuses (409 NotWaiting) and records an action on a gate no run has reached yet, which stays Pending', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['team:acme/sre'] }, false)
    const res = await decide(request, 'alice', 'approve')
    expect(res.statusCode).toBe(409)
    expect(body(res).details.causes[0].reason).toBe('NotWaiting')
    const stored = await read(request)
    expect(stored.status.phase).toBe('Pending')
    expect(stored.status.reviewHistory).toEqual([expect.objectContaining({ reviewer: 'user:alice', counted: false, reason: 'NotWaiting' })])
  })

  it('decides a Gate shared by two runs per run: an approval names one, and the author of each is refused for it', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['team:acme/sre', 'user:carol'] })
    const second = await create(request, execution('run-2', 'p'), 'alice')
    const reached = await request({ method: 'PUT', user: 'controller', url: `${API}/namespaces/team/executions/run-2/status`, payload: { ...second, status: { phase: 'Blocked', runDigest: RUN_DIGEST, nodeStatuses: { review: { phase: 'Blocked', attempt: 0 } } } } })
    expect(reached.statusCode).toBe(200)
    // alice approves both runs; her own (run-2) is refused, carol's run-1 counts.
    const first = await decide(request, 'alice', 'approve')
    expect(first.statusCode).toBe(200)
    const entries = (status: { executions: { name: string; phase: string }[] }) => Object.fromEntries(status.executions.map((e) => [e.name, e.phase]))
    expect(entries(body(first).status)).toEqual({ 'run-1': 'Approved', 'run-2': 'Waiting' })
    expect(body(first).status.reviewHistory.map((h: { reason?: string; counted: boolean }) => h.reason ?? h.counted)).toEqual([true, 'SelfApproval'])
    // carol names run-2 explicitly; her approval does not touch run-1's decision.
    const named = await decide(request, 'carol', 'approve', { execution: 'run-2', digest: RUN_DIGEST })
    expect(entries(body(named).status)).toEqual({ 'run-1': 'Approved', 'run-2': 'Approved' })
    const wrongDigest = await decide(request, 'bob', 'reject', { execution: 'run-2', digest: `sha256:${'e'.repeat(64)}` })
    expect(wrongDigest.statusCode).toBe(409)
    expect(body(wrongDigest).details.causes[0].reason).toBe('AlreadyDecided')
  })

  it('checks the author of the waiting run whatever targetRef says: a missing target is reported, not a way around', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['user:carol', 'team:acme/sre'], targetRef: { kind: 'Execution', name: 'ghost' } })
    const own = await decide(request, 'carol', 'approve')
    expect(own.statusCode).toBe(403)
    expect(body(own).details.causes[0].reason).toBe('SelfApproval')
    expect(String(own.headers.warning)).toContain('targetRef names Execution \\"ghost\\", which does not exist')
    expect((await read(request)).status.executions).toEqual([expect.objectContaining({ name: 'run-1', phase: 'Waiting' })])
    expect(body(await decide(request, 'alice', 'approve')).status.executions).toEqual([expect.objectContaining({ name: 'run-1', phase: 'Approved' })])
  })

  it('checks the author of the waiting run when targetRef names its Plan and someone else started a newer run', async () => {
    const { request } = setup()
    await scenario(request, { reviewers: ['user:carol', 'team:acme/sre'], targetRef: { kind: 'Plan', name: 'p' } })
    // bob's newer run of the same plan has not reached the Gate: carol's run-1 is the one waiting.
    await create(request, execution('run-2', 'p'), 'bob')
    const own = await decide(request, 'carol', 'approve')
    expect(own.statusCode).toBe(403)
    expect(body(own).details.causes[0].reason).toBe('SelfApproval')
    expect((await read(request)).status.executions).toEqual([expect.objectContaining({ name: 'run-1', phase: 'Waiting' })])
  })

  it('lets anyone with write access decide when reviewers is empty', async () => {
    const { request } = setup()
    await scenario(request, {})
    const res = await decide(request, 'dave', 'approve')
    expect(body(res).status).toMatchObject({ phase: 'Approved', resolution: { actors: ['user:dave'] } })
  })

  it('needs the approve verb under RBAC (403, nothing recorded)', async () => {
    const { request } = setup()
    await scenario(request, {}, true, 'admin', false)
    const res = await decide(request, 'dave', 'approve')
    expect(res.statusCode).toBe(403)
    expect(body(res).details.causes).toBeUndefined()
    expect((await read(request)).status.reviewHistory).toBeUndefined()
  })

  it('does not record on dryRun, and answers 404 for a missing gate', async () => {
    const { request } = setup()
    await scenario(request, {})
    const dry = await request({ method: 'POST', url: `${API}/namespaces/team/gates/review/approve?dryRun=All`, user: 'dave', payload: {} })
    expect(body(dry).status.phase).toBe('Approved')
    expect((await read(request)).status.reviewHistory).toBeUndefined()
    expect((await request({ method: 'POST', url: `${API}/namespaces/team/gates/nope/approve`, payload: {} })).statusCode).toBe(404)
  })
})
