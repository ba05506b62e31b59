import { describe, expect, it } from 'vitest'
import type { GateNodeObservation } from '../../src/execution/execution-types.js'
import { recordAttemptResult } from '../../src/execution/record-attempt-result.js'
import { reconcileExecution } from '../../src/execution/reconcile-execution.js'
import { NOW, at, iso, node, observe, phaseOf, task, T0, type TestNode } from './fixtures.js'

const gateNode: TestNode = { id: 'g', kind: 'Gate', gateRef: { name: 'release', namespace: 'ops' } }

describe('reconcileExecution: Gate nodes', () => {
  const o = observe([gateNode, task('after', { dependsOn: ['g'] })])

  it('activates the Gate on reaching the node and blocks it with AwaitingApproval', () => {
    const { status, actions } = reconcileExecution(o)
    expect(actions).toEqual([{ type: 'activate-gate', node: 'g', gate: { name: 'release', namespace: 'ops' } }])
    expect(node(status, 'g')).toMatchObject({ phase: 'Blocked', reason: 'AwaitingApproval', startTime: NOW })
    expect(status).toMatchObject({ phase: 'Blocked', reason: 'AwaitingApproval' })
  })

  it('activates again while the Gate is seen Pending, and stays quiet while it is Waiting', () => {
    const first = reconcileExecution(o).status
    expect(at(o, first, 1, { gates: new Map([['g', { phase: 'Pending' }]]) }).actions).toHaveLength(1)
    const waiting = at(o, first, 1, { gates: new Map([['g', { phase: 'Waiting' }]]) })
    expect(waiting.actions).toEqual([])
    expect(waiting.status).toEqual(first)
  })

  const decisions: { name: string; gate: GateNodeObservation; node: string; execution: string; reason?: string }[] = [
    { name: 'succeeds the node when approved for the current generation', gate: { phase: 'Approved', generation: 2, decisionGeneration: 2 }, node: 'Succeeded', execution: 'Running' },
    { name: 'succeeds the node when approved without generations', gate: { phase: 'Approved' }, node: 'Succeeded', execution: 'Running' },
    { name: 'ignores an approval of an older generation', gate: { phase: 'Approved', generation: 3, decisionGeneration: 2 }, node: 'Blocked', execution: 'Blocked' },
    { name: 'fails node and execution with GateRejected when rejected', gate: { phase: 'Rejected', message: 'no' }, node: 'Failed', execution: 'Failed', reason: 'GateRejected' },
    { name: 'fails with a default message when rejected silently', gate: { phase: 'Rejected', generation: 1 }, node: 'Failed', execution: 'Failed', reason: 'GateRejected' },
    { name: 'fails node and execution with GateNotFound when the Gate resource is missing', gate: { phase: 'NotFound', message: 'gate "release" not found' }, node: 'Failed', execution: 'Failed', reason: 'GateNotFound' },
    { name: 'names the missing Gate by default', gate: { phase: 'NotFound' }, node: 'Failed', execution: 'Failed', reason: 'GateNotFound' },
  ]
  for (const c of decisions) {
    it(c.name, () => {
      const first = reconcileExecution(o).status
      const { status } = at(o, first, 1, { gates: new Map([['g', c.gate]]) })
      expect(phaseOf(status, 'g')).toBe(c.node)
      expect(status.phase).toBe(c.execution)
      if (c.reason !== undefined) expect(status.reason).toBe(c.reason)
    })
  }

  it('cancels a waiting Gate node once another node failed for good', () => {
    const o2 = observe([gateNode, task('a')])
    const first = reconcileExecution(o2).status
    const failed = recordAttemptResult(first, { node: 'a', attempt: 1, outcome: 'failed', now: NOW })
    const { status } = at(o2, failed, 1)
    expect(node(status, 'g')).toMatchObject({ phase: 'Cancelled', reason: 'ExecutionFailing' })
    expect(status).toMatchObject({ phase: 'Failed', reason: 'NodeFailed', message: 'node "a" failed (AttemptFailed)' })
  })
})

describe('reconcileExecution: Gate references', () => {
  it('activates a Gate referenced without a namespace', () => {
    const { actions } = reconcileExecution(observe([{ id: 'g', kind: 'Gate', gateRef: { name: 'release' } }]))
    expect(actions).toEqual([{ type: 'activate-gate', node: 'g', gate: { name: 'release' } }])
  })
})

describe('reconcileExecution: External nodes', () => {
  const ext = (extra: Record<string, unknown> = {}): TestNode => ({ id: 'x', kind: 'External', externalRef: { type: 'webhook', webhookUrl: 'https://e' }, ...extra })

  it('blocks the node, polls at once, then again every pollInterval (default 1m) with requeueAfterMs', () => {
    const o = observe([ext()])
    const first = reconcileExecution(o)
    expect(first.actions).toEqual([{ type: 'poll-external', node: 'x' }])
    expect(node(first.status, 'x')).toMatchObject({ phase: 'Blocked', reason: 'AwaitingExternal' })
    expect(first.status.phase).toBe('Blocked')
    expect(first.requeueAfterMs).toBe(60_000)
    const early = at(o, first.status, 30_000)
    expect(early.actions).toEqual([])
    expect(early.requeueAfterMs).toBe(30_000)
    expect(at(o, first.status, 60_000).actions).toEqual([{ type: 'poll-external', node: 'x' }])
  })

  it('uses pollInterval and the timeout as the next wake-up, whichever comes first', () => {
    const o = observe([ext({ pollInterval: '10s', timeout: '5s' })])
    expect(reconcileExecution(o).requeueAfterMs).toBe(5_000)
  })

  it('succeeds with the observed outputs, or fails with ExternalFailed', () => {
    const o = observe([ext()])
    const first = reconcileExecution(o).status
    const ok = at(o, first, 1, { externals: new Map([['x', { state: 'succeeded', outputs: { url: 'u' } }]]) }).status
    expect(node(ok, 'x')).toMatchObject({ phase: 'Succeeded', outputs: { url: 'u' } })
    expect(ok.phase).toBe('Succeeded')
    const bare = at(o, first, 1, { externals: new Map([['x', { state: 'succeeded', message: 'done' }]]) }).status
    expect(node(bare, 'x')).toMatchObject({ phase: 'Succeeded', message: 'done' })
    const ko = at(o, first, 1, { externals: new Map([['x', { state: 'failed', message: 'nope' }]]) }).status
    expect(node(ko, 'x')).toMatchObject({ phase: 'Failed', reason: 'ExternalFailed', message: 'nope' })
    expect(ko.reason).toBe('NodeFailed')
  })

  it('fails with Timeout when no result came within timeout', () => {
    const o = observe([ext({ timeout: '1m' })])
    const first = reconcileExecution(o).status
    const pending = new Map([['x', { state: 'pending' as const }]])
    const { status, actions } = at(o, first, 60_000, { externals: pending })
    expect(actions).toEqual([])
    expect(node(status, 'x')).toMatchObject({ phase: 'Failed', reason: 'Timeout' })
  })

  it('cancels a polling External node once another node failed for good', () => {
    const o = observe([ext(), task('after', { dependsOn: ['x'] }), task('a', { when: 'oops' })])
    const { status, actions } = reconcileExecution(o)
    expect(actions).toEqual([])
    expect(node(status, 'x')).toMatchObject({ phase: 'Cancelled', reason: 'ExecutionFailing' })
    expect(node(status, 'after')).toMatchObject({ phase: 'Skipped', reason: 'UpstreamFailed' })
    expect(status).toMatchObject({ phase: 'Failed', reason: 'WhenError' })
  })

  it('polls a Blocked External node recorded without timers', () => {
    const o = observe([ext()])
    const { actions } = reconcileExecution({ ...o, status: { phase: 'Running', specHash: 'sha256:aaa', startTime: NOW, nodeStatuses: { x: { phase: 'Blocked' } } } })
    expect(actions).toEqual([{ type: 'poll-external', node: 'x' }])
  })
})

describe('reconcileExecution: timeouts', () => {
  it('cancels a Running attempt older than the node timeout and fails it with Timeout', () => {
    const o = observe([task('a', { timeout: '30s' })])
    const first = reconcileExecution(o)
    expect(first.requeueAfterMs).toBe(30_000)
    const { status, actions } = at(o, first.status, 30_000)
    expect(actions).toEqual([{ type: 'cancel-attempt', node: 'a', runId: 'u1/a/1', reason: 'Timeout' }])
    expect(node(status, 'a')).toMatchObject({ phase: 'Failed', reason: 'Timeout', completionTime: iso(T0 + 30_000) })
    expect(status.phase).toBe('Failed')
  })

  it('ignores an invalid timeout and an attempt recorded without a start', () => {
    const o = observe([task('a', { timeout: '7d' })])
    const first = reconcileExecution(o)
    expect(first.requeueAfterMs).toBeUndefined()
    const o2 = observe([task('a', { timeout: '1s' })])
    const recorded = { phase: 'Running' as const, specHash: 'sha256:aaa', startTime: NOW, nodeStatuses: { a: { phase: 'Running' as const, attempt: 1 } } }
    expect(at(o2, recorded, 5_000).actions).toEqual([])
    const noIntent = { ...recorded, nodeStatuses: { a: { phase: 'Running' as const, extensions: { 'io.planspec.startMs': T0 } } } }
    // No intent means nothing to cancel; without an attempt count the timed-out run counts as attempt 0, so attempt 1 follows.
    const timedOut = at(o2, noIntent, 5_000, { jitter: () => 0 })
    expect(timedOut.actions).toMatchObject([{ type: 'dispatch', attempt: 1 }])
  })
})
