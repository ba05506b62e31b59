import { describe, expect, it } from 'vitest'
import { recordAttemptResult } from '../../src/execution/record-attempt-result.js'
import { reconcileExecution } from '../../src/execution/reconcile-execution.js'
import type { ExecutionStatus } from '../../src/model/generated.js'
import { NOW, at, iso, node, observe, phaseOf, task, T0 } from './fixtures.js'

describe('reconcileExecution: first sight and phases', () => {
  it('accepts a never-seen execution: Running, runId, queuedTime, specHash, plan generation and digest, Accepted', () => {
    const o = observe([task('a')], { planGeneration: 3, graphDigest: 'sha256:ddd', runDigest: 'sha256:eee' })
    const { status } = reconcileExecution(o)
    expect(status).toMatchObject({
      runDigest: 'sha256:eee',
      phase: 'Running',
      runId: 'u1',
      queuedTime: NOW,
      startTime: NOW,
      specHash: 'sha256:aaa',
      planGeneration: 3,
      graphDigest: 'sha256:ddd',
      lastPhaseTransitionTime: NOW,
      reason: 'NodesRunning',
    })
    expect(status.conditions).toEqual([
      { type: 'Accepted', status: 'True', reason: 'Accepted', lastTransitionTime: NOW },
      { type: 'Progressing', status: 'True', reason: 'NodesRunning', message: 'nodes are running', lastTransitionTime: NOW },
    ])
  })

  it('keeps observedGeneration, an existing runId and queuedTime of a server-created Pending status', () => {
    const o = observe([task('a')])
    const pending: ExecutionStatus = { phase: 'Pending', runId: 'custom', queuedTime: 'earlier', observedGeneration: 1 }
    const { status } = reconcileExecution({ ...o, status: pending })
    expect(status).toMatchObject({ phase: 'Running', runId: 'custom', queuedTime: 'earlier', observedGeneration: 1 })
    expect(status.planGeneration).toBeUndefined()
  })

  it('succeeds at once an execution with only Group nodes, deriving the group Succeeded', () => {
    const { status, actions } = reconcileExecution(observe([{ id: 'g', kind: 'Group', children: [] }]))
    expect(status).toMatchObject({ phase: 'Succeeded', reason: 'Succeeded', completionTime: NOW, lastPhaseTransitionTime: NOW })
    expect(phaseOf(status, 'g')).toBe('Succeeded')
    expect(actions).toEqual([])
  })

  it('moves Running to Succeeded with completionTime when every node succeeded or was skipped', () => {
    const o = observe([task('a'), task('b', { when: 'false' })])
    const first = reconcileExecution(o)
    const done = recordAttemptResult(first.status, { node: 'a', attempt: 1, outcome: 'succeeded', now: iso(T0 + 5) })
    const { status } = at(o, done, 10)
    expect(status).toMatchObject({ phase: 'Succeeded', completionTime: iso(T0 + 10), lastPhaseTransitionTime: iso(T0 + 10) })
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'Succeeded' })
  })

  it('leaves a terminal execution unchanged and emits nothing', () => {
    const o = observe([task('a')])
    const done: ExecutionStatus = { phase: 'Succeeded', specHash: 'sha256:aaa', nodeStatuses: { a: { phase: 'Succeeded' } } }
    expect(reconcileExecution({ ...o, status: done })).toEqual({ status: done, actions: [] })
    const failed: ExecutionStatus = { phase: 'Failed', specHash: 'sha256:aaa' }
    expect(reconcileExecution({ ...o, status: failed }).status).toBe(failed)
  })

  it('fails an execution whose graph has a cycle, before any node runs', () => {
    const o = observe([task('a', { dependsOn: ['b'] }), task('b', { dependsOn: ['a'] })])
    const { status, actions } = reconcileExecution(o)
    expect(status).toMatchObject({ phase: 'Failed', reason: 'ValidationFailed' })
    expect(phaseOf(status, 'a')).toBe('Cancelled')
    expect(actions).toEqual([])
  })

  it('keeps the phase and lastPhaseTransitionTime when a later reconcile finds the same phase', () => {
    const o = observe([task('a')])
    const first = reconcileExecution(o)
    const { status } = at(o, first.status, 1000)
    expect(status.lastPhaseTransitionTime).toBe(NOW)
    expect(status).toEqual(first.status)
  })
})

describe('reconcileExecution: immutability', () => {
  const o = observe([task('a')])
  const started = reconcileExecution(o).status

  it('sets SpecChanged=True (ImmutableSpec) when the spec hash differs, and keeps running the recorded run', () => {
    const { status, actions } = reconcileExecution({ ...o, status: started, specHash: 'sha256:bbb' })
    expect(status.specHash).toBe('sha256:aaa')
    expect(status.conditions?.find((c) => c.type === 'SpecChanged')).toMatchObject({ status: 'True', reason: 'ImmutableSpec' })
    expect(status.phase).toBe('Running')
    expect(actions).toEqual([])
  })

  it('sets SpecChanged=False when the spec matches again, and leaves a status without it alone', () => {
    const changed = reconcileExecution({ ...o, status: started, specHash: 'sha256:bbb' }).status
    const { status } = reconcileExecution({ ...o, status: changed })
    expect(status.conditions?.find((c) => c.type === 'SpecChanged')).toMatchObject({ status: 'False', reason: 'SpecRestored' })
    const again = reconcileExecution({ ...o, status })
    expect(again.status.conditions).toEqual(status.conditions)
  })
})

describe('reconcileExecution: cancel', () => {
  it('cancels every non-terminal node, emits cancel-attempt for recorded attempts and ends Cancelled', () => {
    const o = observe([task('a'), task('b', { dependsOn: ['a'] }), task('c', { when: 'false' }), { id: 'g', kind: 'Group', children: ['a', 'b'] }])
    const first = reconcileExecution(o)
    const { status, actions } = at(o, first.status, 100, { cancelRequested: true })
    expect(actions).toEqual([{ type: 'cancel-attempt', node: 'a', runId: 'u1/a/1', reason: 'Cancelled' }])
    expect(status).toMatchObject({ phase: 'Cancelled', reason: 'CancelledByUser', completionTime: iso(T0 + 100) })
    expect(node(status, 'a')).toMatchObject({ phase: 'Cancelled', reason: 'CancelledByUser' })
    expect(node(status, 'a').extensions).toEqual({ 'io.planspec.startMs': T0 })
    expect(phaseOf(status, 'b')).toBe('Cancelled')
    expect(node(status, 'c')).toMatchObject({ phase: 'Skipped', reason: 'ConditionFalse' })
    expect(phaseOf(status, 'g')).toBe('Cancelled')
    expect(at(o, status, 200, { cancelRequested: true }).actions).toEqual([])
  })

  it('cancels a never-seen execution', () => {
    const { status } = reconcileExecution({ ...observe([task('a')]), cancelRequested: true })
    expect(status.phase).toBe('Cancelled')
    expect(phaseOf(status, 'a')).toBe('Cancelled')
  })
})

describe('reconcileExecution: idempotence', () => {
  it('emits no dispatch when reconciling again with the returned status', () => {
    const o = observe([task('a'), task('b'), task('c', { dependsOn: ['a'] })])
    const first = reconcileExecution(o)
    expect(first.actions.map((a) => a.type === 'dispatch' && a.runId)).toEqual(['u1/a/1', 'u1/b/1'])
    expect(node(first.status, 'a').extensions).toEqual({ 'io.planspec.dispatch': { runId: 'u1/a/1', state: 'Dispatching' }, 'io.planspec.startMs': T0 })
    const second = at(o, first.status, 1)
    expect(second.actions).toEqual([])
    expect(second.status).toEqual(first.status)
  })
})
