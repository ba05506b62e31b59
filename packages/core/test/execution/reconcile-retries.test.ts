import { describe, expect, it } from 'vitest'
import { recordAttemptResult } from '../../src/execution/record-attempt-result.js'
import { reconcileExecution } from '../../src/execution/reconcile-execution.js'
import type { ExecutionStatus } from '../../src/model/generated.js'
import { NOW, at, bound, iso, node, observe, phaseOf, task, T0 } from './fixtures.js'

const fail = (status: ExecutionStatus, id: string, attempt: number, reason?: string): ExecutionStatus =>
  recordAttemptResult(status, { node: id, attempt, outcome: 'failed', now: NOW, ...(reason === undefined ? {} : { reason }) })

describe('reconcileExecution: retries', () => {
  it('puts a failed attempt with attempts left back to Pending with a jittered retryAt, then dispatches attempt 2 when due', () => {
    const o = observe([task('a', { retries: 2 })], { jitter: (runId) => (runId === 'u1/a/1' ? 0.25 : 0.5) })
    const first = reconcileExecution(o)
    const failed = fail(first.status, 'a', 1)
    const waiting = at(o, failed, 0)
    expect(node(waiting.status, 'a')).toMatchObject({ phase: 'Pending', attempt: 1, reason: 'AttemptFailed', extensions: { 'io.planspec.retryAt': T0 + 2_500 } })
    expect(waiting.requeueAfterMs).toBe(2_500)
    expect(waiting.status.phase).toBe('Running')
    expect(at(o, waiting.status, 2_499).actions).toEqual([])
    const retried = at(o, waiting.status, 2_500)
    expect(retried.actions).toMatchObject([{ type: 'dispatch', attempt: 2, runId: 'u1/a/2' }])
    expect(node(retried.status, 'a').reason).toBeUndefined()
    expect(node(retried.status, 'a').extensions?.['io.planspec.retryAt']).toBeUndefined()
    const second = fail(retried.status, 'a', 2)
    // attempt 2 failed: backoff base·factor^(2-1) = 20 s, scaled by jitter 0.5
    expect(node(at(o, second, 2_500).status, 'a').extensions?.['io.planspec.retryAt']).toBe(T0 + 2_500 + 10_000)
  })

  it('fails for good once attempts are used up (attempt > retries)', () => {
    const o = observe([task('a', { retries: 1 })], { jitter: () => 0 })
    let status = reconcileExecution(o).status
    status = at(o, fail(status, 'a', 1), 0).status
    status = at(o, status, 0).status
    expect(node(status, 'a').attempt).toBe(2)
    const { status: end } = at(o, fail(status, 'a', 2), 0)
    expect(node(end, 'a')).toMatchObject({ phase: 'Failed', attempt: 2 })
    expect(end).toMatchObject({ phase: 'Failed', reason: 'NodeFailed' })
  })

  const finalReasons = ['WhenError', 'InputError', 'Unbound', 'UnknownProvider']
  for (const reason of finalReasons) {
    it(`does not retry a failure with reason ${reason}`, () => {
      const o = observe([task('a', { retries: 3 })])
      const status = at(o, fail(reconcileExecution(o).status, 'a', 1, reason), 0).status
      expect(phaseOf(status, 'a')).toBe('Failed')
    })
  }

  it('retries a Failed Task recorded without an attempt count as attempt 1', () => {
    const o = observe([task('a')], { jitter: () => 0 })
    const status: ExecutionStatus = { phase: 'Running', specHash: 'sha256:aaa', startTime: NOW, nodeStatuses: { a: { phase: 'Failed' } } }
    expect(reconcileExecution({ ...o, status }).actions).toMatchObject([{ type: 'dispatch', attempt: 1 }])
  })

  it('retries a timed-out attempt in the same reconcile', () => {
    const o = observe([task('a', { retries: 1, timeout: '1s' })], { jitter: () => 0 })
    const { status, actions } = at(o, reconcileExecution(o).status, 1_000)
    expect(actions.map((a) => a.type)).toEqual(['cancel-attempt', 'dispatch'])
    expect(node(status, 'a')).toMatchObject({ phase: 'Running', attempt: 2 })
    expect(actions[1]).toMatchObject({ type: 'dispatch', attempt: 2 })
    expect(at(o, status, 1_000).actions).toEqual([])
  })

  it('schedules the next retry of an attempt that times out at once, without dispatching it twice in one pass', () => {
    const o = observe([task('a', { retries: 3, timeout: '0s' })], { jitter: () => 0 })
    const { status, actions, requeueAfterMs } = reconcileExecution(o)
    expect(actions.map((a) => a.type)).toEqual(['dispatch', 'cancel-attempt', 'dispatch', 'cancel-attempt'])
    expect(node(status, 'a')).toMatchObject({ phase: 'Pending', attempt: 2, reason: 'Timeout' })
    expect(requeueAfterMs).toBe(0)
  })
})

describe('reconcileExecution: failure policy', () => {
  it('starts no new node once a node failed for good, lets running ones finish, then fails naming the first failing node', () => {
    const o = observe([task('a'), task('b'), task('c', { dependsOn: ['b'] }), task('d', { dependsOn: ['b'], when: 'fail("x")' }), task('e')], {
      bindings: new Map([
        ['a', bound()],
        ['b', bound()],
        ['c', bound()],
        ['d', bound()],
        ['e', { outcome: 'unbound', reason: 'NoRule', message: 'late', optional: true }],
      ]),
    })
    const first = reconcileExecution(o)
    expect(phaseOf(first.status, 'e')).toBe('Failed')
    expect(first.status.phase).toBe('Running')
    const bDone = recordAttemptResult(first.status, { node: 'b', attempt: 1, outcome: 'succeeded', now: NOW })
    const second = at(o, bDone, 1)
    expect(second.actions).toEqual([])
    expect(phaseOf(second.status, 'c')).toBeUndefined()
    expect(second.status.extensions).toEqual({ 'io.planspec.firstFailure': 'e' })
    const aDone = recordAttemptResult(second.status, { node: 'a', attempt: 1, outcome: 'succeeded', now: NOW })
    const end = at(o, aDone, 2).status
    expect(end).toMatchObject({ phase: 'Failed', reason: 'Unbound', message: 'node "e" failed (Unbound): late', completionTime: iso(T0 + 2) })
    expect(node(end, 'c')).toMatchObject({ phase: 'Cancelled', reason: 'NotStarted' })
    expect(phaseOf(end, 'd')).toBe('Cancelled')
  })

  it('finds a failure recorded without a firstFailure extension and halts on it', () => {
    const o = observe([task('a'), task('b')])
    const status: ExecutionStatus = { phase: 'Running', specHash: 'sha256:aaa', startTime: NOW, nodeStatuses: { b: { phase: 'Failed', attempt: 1 } } }
    const { status: end, actions } = reconcileExecution({ ...o, status })
    expect(actions).toEqual([])
    expect(end).toMatchObject({ phase: 'Failed', reason: 'NodeFailed', message: 'node "b" failed' })
  })

  it('keeps a scheduled retry going while another node failed for good', () => {
    const o = observe([task('a', { retries: 1 }), task('b')], { jitter: () => 0 })
    let status = reconcileExecution(o).status
    status = fail(fail(status, 'a', 1), 'b', 1)
    const next = at(o, status, 0)
    expect(next.actions).toMatchObject([{ type: 'dispatch', node: 'a', attempt: 2 }])
    expect(next.status.phase).toBe('Running')
  })
})

describe('reconcileExecution: retryRequested', () => {
  const o = observe([task('a'), task('b', { dependsOn: ['a'] }), task('c'), task('s', { when: 'false' }), { id: 'g', kind: 'Group', children: ['a'] }])
  const failedRun = (): ExecutionStatus => {
    const first = reconcileExecution(o).status
    const cDone = recordAttemptResult(first, { node: 'c', attempt: 1, outcome: 'succeeded', outputs: { k: 1 }, now: NOW })
    return at(o, fail(cDone, 'a', 1), 1).status
  }

  it('re-opens a Failed run: failed and UpstreamFailed nodes back to Pending, attempts keep counting, succeeded work kept', () => {
    const failed = failedRun()
    expect(failed.phase).toBe('Failed')
    const { status, actions } = at(o, failed, 5, { retryRequested: {} })
    expect(actions).toMatchObject([{ type: 'dispatch', node: 'a', attempt: 2, runId: 'u1/a/2' }])
    expect(status).toMatchObject({ phase: 'Running', lastPhaseTransitionTime: iso(T0 + 5) })
    expect(status.completionTime).toBeUndefined()
    expect(status.extensions).toEqual({})
    expect(phaseOf(status, 'b')).toBe('Pending')
    expect(node(status, 'c')).toMatchObject({ phase: 'Succeeded', outputs: { k: 1 } })
    expect(node(status, 's')).toMatchObject({ phase: 'Skipped', reason: 'ConditionFalse' })
    expect(phaseOf(status, 'g')).toBe('Running')
  })

  it('gives a re-opened node a fresh retry budget', () => {
    const o2 = observe([task('a', { retries: 1 })], { jitter: () => 0 })
    let status = reconcileExecution(o2).status
    status = at(o2, fail(status, 'a', 1), 0).status
    status = at(o2, status, 0).status
    status = at(o2, fail(status, 'a', 2), 0).status
    expect(status.phase).toBe('Failed')
    status = at(o2, status, 1, { retryRequested: {} }).status
    status = at(o2, fail(status, 'a', 3), 2).status
    expect(node(status, 'a')).toMatchObject({ phase: 'Running', attempt: 4 })
  })

  it('re-opens only the named failed nodes when nodes are given', () => {
    const failed = failedRun()
    const { status } = at(o, failed, 5, { retryRequested: { nodes: ['zzz'] } })
    expect(status.phase).toBe('Failed')
    expect(phaseOf(status, 'a')).toBe('Failed')
  })

  it('ignores retryRequested on a run that is not Failed', () => {
    const running = reconcileExecution(o).status
    expect(at(o, running, 1, { retryRequested: {} }).status).toEqual(running)
  })

  it('re-opens a Failed run that recorded no node statuses', () => {
    const result = at(o, { phase: 'Failed', specHash: 'sha256:aaa' }, 1, { retryRequested: { nodes: ['a'] } })
    expect(result.status.phase).toBe('Running')
    expect(result.actions).toHaveLength(2)
  })

  it('re-opens nodes cancelled because the run failed, and a status with sparse node entries', () => {
    const status: ExecutionStatus = {
      phase: 'Failed',
      specHash: 'sha256:aaa',
      startTime: NOW,
      nodeStatuses: { a: { phase: 'Cancelled', reason: 'NotStarted' }, b: undefined, g: { phase: 'Cancelled' } },
    }
    const result = at(o, status, 1, { retryRequested: {} })
    expect(result.actions).toMatchObject([{ node: 'a', attempt: 1 }, { node: 'c' }])
  })
})
