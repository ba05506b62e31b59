// DECISIONS §9 "controllers own status": node results of an Execution are written by its controller
// only, and no write at all may pass a Gate node the Gate did not decide for that Execution.
import { describe, expect, it } from 'vitest'
import { API, body, create, execution, gate, grantEditors, plan, setup } from './helpers.js'

const V = 'planspec.io/v1alpha1'
const DIGEST = `sha256:${'e'.repeat(64)}`
const MERGE = { 'content-type': 'application/merge-patch+json' }
const run = `${API}/namespaces/team/executions/run-1`

/** A run (by carol) of build → review (Gate) → ship, stopped at the Gate, as its controller recorded it. */
async function blockedRun(request: ReturnType<typeof setup>['request']) {
  await grantEditors(request)
  // dave may update executions (cancel, retry, status) but not approve gates.
  await create(request, { apiVersion: V, kind: 'Role', metadata: { name: 'runner', namespace: 'team' }, rules: [{ resources: ['executions'], verbs: ['get', 'update'] }] } as never)
  await create(request, plan('p', [
    { id: 'build', kind: 'Task', description: 'build' },
    { id: 'review', kind: 'Gate', gateRef: { name: 'review' }, dependsOn: ['build'] },
    { id: 'ship', kind: 'Task', description: 'ship', dependsOn: ['review'] },
  ]))
  await create(request, gate('review', { reviewers: ['team:acme/sre'] }))
  const created = await create(request, execution('run-1', 'p'), 'carol')
  const recorded = { phase: 'Blocked', runDigest: DIGEST, nodeStatuses: { build: { phase: 'Succeeded', attempt: 1 }, review: { phase: 'Blocked', attempt: 0, reason: 'AwaitingApproval' }, ship: { phase: 'Pending', attempt: 0 } } }
  const res = await request({ method: 'PUT', user: 'controller', url: `${run}/status`, payload: { ...created, status: recorded } })
  expect(res.statusCode, res.payload).toBe(200)
  return body(res)
}

const withNodes = (object: Record<string, any>, nodes: Record<string, unknown>) => ({ ...object, status: { ...object.status, nodeStatuses: { ...object.status.nodeStatuses, ...nodes } } })

describe('controllers own Execution status', () => {
  it('refuses a user who passes a Gate node by writing the status (PUT and merge PATCH): 422 ControllerOwned, nothing stored', async () => {
    const { request } = setup()
    const stored = await blockedRun(request)
    const put = await request({ method: 'PUT', user: 'dave', url: `${run}/status`, payload: withNodes(stored, { review: { phase: 'Succeeded', attempt: 0 } }) })
    expect(put.statusCode).toBe(422)
    expect(body(put)).toMatchObject({ reason: 'Invalid', details: { causes: expect.arrayContaining([expect.objectContaining({ reason: 'ControllerOwned', field: 'status.nodeStatuses' })]) } })
    const patch = await request({ method: 'PATCH', user: 'dave', url: `${run}/status`, headers: MERGE, payload: { metadata: { resourceVersion: stored.metadata.resourceVersion }, status: { phase: 'Succeeded', nodeStatuses: { review: { phase: 'Succeeded' }, ship: { phase: 'Succeeded' } } } } })
    expect(patch.statusCode).toBe(422)
    expect(body(patch).details.causes.map((c: { field: string }) => c.field)).toEqual(expect.arrayContaining(['status.phase', 'status.nodeStatuses']))
    const after = body(await request({ method: 'GET', url: run }))
    expect(after.status.nodeStatuses.review.phase).toBe('Blocked')
    expect(after.metadata.resourceVersion).toBe(stored.metadata.resourceVersion)
  })

  it('ignores a status sent with PUT, merge PATCH or apply of the object itself: the node stays Blocked', async () => {
    const { request } = setup()
    const stored = await blockedRun(request)
    const forged = withNodes(stored, { review: { phase: 'Succeeded' } })
    expect((await request({ method: 'PUT', user: 'dave', url: run, payload: forged })).statusCode).toBe(200)
    const current = body(await request({ method: 'GET', url: run }))
    expect((await request({ method: 'PATCH', user: 'dave', url: run, headers: MERGE, payload: { metadata: { resourceVersion: current.metadata.resourceVersion }, status: { nodeStatuses: { review: { phase: 'Succeeded' } } } } })).statusCode).toBe(200)
    expect((await request({ method: 'POST', url: `${API}/apply`, payload: { ...forged, metadata: { name: 'run-1', namespace: 'team' } } })).statusCode).toBe(200)
    expect(body(await request({ method: 'GET', url: run })).status.nodeStatuses.review.phase).toBe('Blocked')
  })

  it('lets no one, not even an admin, mark a Task done the engine did not record', async () => {
    const { request } = setup()
    const stored = await blockedRun(request)
    const res = await request({ method: 'PUT', user: 'admin', url: `${run}/status`, payload: withNodes(stored, { ship: { phase: 'Succeeded', attempt: 1, outputs: { url: 'x' } } }) })
    expect(res.statusCode).toBe(422)
    expect(body(res).details.causes[0]).toMatchObject({ reason: 'ControllerOwned', field: 'status.nodeStatuses' })
    // An admin may still fix what is not a run result, e.g. a condition.
    const fixed = await request({ method: 'PUT', user: 'admin', url: `${run}/status`, payload: { ...stored, status: { ...stored.status, conditions: [{ type: 'Audited', status: 'True', reason: 'Checked', lastTransitionTime: '2026-01-01T00:00:00Z' }] } } })
    expect(fixed.statusCode, fixed.payload).toBe(200)
  })

  it('lets even the controller pass a Gate node only when the Gate approved this Execution (uid and run digest)', async () => {
    const { request } = setup()
    const stored = await blockedRun(request)
    const early = await request({ method: 'PUT', user: 'controller', url: `${run}/status`, payload: withNodes(stored, { review: { phase: 'Succeeded', attempt: 0 } }) })
    expect(early.statusCode).toBe(422)
    expect(body(early).details.causes).toEqual([expect.objectContaining({ reason: 'GateDecisionMismatch', field: 'status.nodeStatuses.review.phase' })])
    const failed = await request({ method: 'PUT', user: 'controller', url: `${run}/status`, payload: withNodes(stored, { review: { phase: 'Failed', attempt: 0, reason: 'GateRejected' } }) })
    expect(body(failed).details.causes[0].reason).toBe('GateDecisionMismatch')
    const approved = await request({ method: 'POST', user: 'alice', url: `${API}/namespaces/team/gates/review/approve`, payload: { execution: 'run-1', digest: DIGEST } })
    expect(approved.statusCode, approved.payload).toBe(200)
    const passed = await request({ method: 'PUT', user: 'controller', url: `${run}/status`, payload: withNodes(stored, { review: { phase: 'Succeeded', attempt: 0 } }) })
    expect(passed.statusCode, passed.payload).toBe(200)
  })

  it('keeps the per-Execution decisions of a Gate out of reach of status writes', async () => {
    const { request } = setup()
    await blockedRun(request)
    // The run's author tries: refused (SelfApproval), but the Gate now tracks the waiting run.
    expect((await request({ method: 'POST', user: 'carol', url: `${API}/namespaces/team/gates/review/approve`, payload: {} })).statusCode).toBe(403)
    const g = body(await request({ method: 'GET', url: `${API}/namespaces/team/gates/review` }))
    expect(g.status.executions).toEqual([expect.objectContaining({ name: 'run-1', phase: 'Waiting' })])
    const forged = { ...g, status: { ...g.status, executions: g.status.executions.map((e: Record<string, unknown>) => ({ ...e, phase: 'Approved', decidedGeneration: 1 })) } }
    const res = await request({ method: 'PUT', user: 'controller', url: `${API}/namespaces/team/gates/review/status`, payload: forged })
    expect(res.statusCode).toBe(422)
    expect(body(res).details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'status.executions' })]))
  })
})
