import { describe, expect, it } from 'vitest'
import { recordAttemptResult } from '../../src/execution/record-attempt-result.js'
import type { ExecutionStatus } from '../../src/model/generated.js'
import { NOW } from './fixtures.js'

const inFlight: ExecutionStatus = {
  phase: 'Running',
  nodeStatuses: {
    a: { phase: 'Running', attempt: 2, message: 'old', extensions: { 'io.planspec.dispatch': { runId: 'u/a/2', state: 'Dispatching' }, 'x-worker': 'w1' } },
    done: { phase: 'Succeeded', attempt: 1 },
  },
}

describe('recordAttemptResult', () => {
  it('sets Succeeded with outputs, clears the intent and keeps other extensions', () => {
    const next = recordAttemptResult(inFlight, { node: 'a', attempt: 2, outcome: 'succeeded', outputs: { sha: 'abc' }, now: NOW })
    expect(next.nodeStatuses?.a).toEqual({ phase: 'Succeeded', attempt: 2, completionTime: NOW, outputs: { sha: 'abc' }, extensions: { 'x-worker': 'w1' } })
    expect(inFlight.nodeStatuses?.a?.phase).toBe('Running')
  })

  it('sets Failed with the given reason and message, or AttemptFailed', () => {
    const withReason = recordAttemptResult(inFlight, { node: 'a', attempt: 2, outcome: 'failed', reason: 'AcceptanceFailed', message: 'tests red', now: NOW })
    expect(withReason.nodeStatuses?.a).toMatchObject({ phase: 'Failed', reason: 'AcceptanceFailed', message: 'tests red' })
    const plain = recordAttemptResult(inFlight, { node: 'a', attempt: 2, outcome: 'failed', outputs: { log: 'l' }, now: NOW, nowMs: 5 })
    expect(plain.nodeStatuses?.a).toMatchObject({ phase: 'Failed', reason: 'AttemptFailed', outputs: { log: 'l' } })
    expect(plain.nodeStatuses?.a?.message).toBeUndefined()
  })

  it('drops undeclared outputs with a message, keeping declared, reverse-domain and x- keys', () => {
    const next = recordAttemptResult(inFlight, {
      node: 'a',
      attempt: 2,
      outcome: 'succeeded',
      outputs: { sha: 1, extra: 2, 'io.acme.k': 3, 'x-k': 4, other: 5 },
      declaredOutputs: ['sha'],
      message: 'ok',
      now: NOW,
    })
    expect(next.nodeStatuses?.a).toMatchObject({ outputs: { sha: 1, 'io.acme.k': 3, 'x-k': 4 }, message: 'ok; dropped undeclared outputs: extra, other' })
  })

  const ignored: { name: string; node: string; attempt: number }[] = [
    { name: 'a late result for an older attempt', node: 'a', attempt: 1 },
    { name: 'a result for a node without a recorded attempt in flight', node: 'done', attempt: 1 },
    { name: 'a result for an unknown node', node: 'zzz', attempt: 1 },
  ]
  for (const c of ignored) {
    it(`ignores ${c.name}`, () => {
      expect(recordAttemptResult(inFlight, { node: c.node, attempt: c.attempt, outcome: 'succeeded', now: NOW })).toBe(inFlight)
    })
  }

  it('ignores a repeated result (idempotent)', () => {
    const once = recordAttemptResult(inFlight, { node: 'a', attempt: 2, outcome: 'succeeded', now: NOW })
    expect(recordAttemptResult(once, { node: 'a', attempt: 2, outcome: 'failed', now: NOW })).toBe(once)
    expect(recordAttemptResult({}, { node: 'a', attempt: 1, outcome: 'failed', now: NOW })).toEqual({})
  })
})
