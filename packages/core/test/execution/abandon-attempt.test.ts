import { describe, expect, it } from 'vitest'
import { abandonAttempt, type ExecutionStatus } from '../../src/index.js'

const running: ExecutionStatus = {
  phase: 'Running',
  nodeStatuses: {
    build: { phase: 'Running', attempt: 2, startTime: '2026-01-01T00:00:00Z', extensions: { 'io.planspec.dispatch': { runId: 'u/build/2', state: 'Dispatching' }, 'io.planspec.startMs': 5 } },
    done: { phase: 'Succeeded', attempt: 1 },
    waiting: { phase: 'Running', attempt: 1 },
  },
}

describe('abandonAttempt', () => {
  it('returns a never-dispatched attempt to Pending one attempt lower, so it is dispatched again under the same runId', () => {
    expect(abandonAttempt(running, 'build').nodeStatuses?.build).toEqual({ phase: 'Pending', attempt: 1 })
  })

  it('leaves finished nodes, nodes without an intent and unknown nodes unchanged', () => {
    expect(abandonAttempt(running, 'done')).toBe(running)
    expect(abandonAttempt(running, 'waiting')).toBe(running)
    expect(abandonAttempt(running, 'ghost')).toBe(running)
    expect(abandonAttempt({ phase: 'Pending' }, 'build')).toEqual({ phase: 'Pending' })
  })

  it('never takes the attempt counter below zero', () => {
    const odd: ExecutionStatus = { nodeStatuses: { a: { phase: 'Running', extensions: { 'io.planspec.dispatch': { runId: 'u/a/1', state: 'Dispatching' } } } } }
    expect(abandonAttempt(odd, 'a').nodeStatuses?.a).toEqual({ phase: 'Pending', attempt: 0 })
  })
})
