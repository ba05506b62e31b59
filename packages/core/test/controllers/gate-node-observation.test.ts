import { describe, expect, it } from 'vitest'
import { gateNodeObservation } from '../../src/controllers/gate-node-observation.js'
import type { ExecutionDecision, GateStatus } from '../../src/model/generated.js'

const D1 = `sha256:${'1'.repeat(64)}`
const D2 = `sha256:${'2'.repeat(64)}`
const decided = (name: string, phase: 'Approved' | 'Rejected', extra: Partial<ExecutionDecision> = {}): ExecutionDecision => ({
  name,
  namespace: 'default',
  uid: `uid-${name}`,
  digest: D1,
  phase,
  resolution: { outcome: phase === 'Approved' ? 'approved' : 'rejected', timestamp: '2025-01-01T00:00:00Z', actors: ['user:alice'] },
  decidedGeneration: 2,
  message: `${phase} by user:alice`,
  ...extra,
})
const waiting = (name: string): ExecutionDecision => ({ name, namespace: 'default', uid: `uid-${name}`, digest: D1, phase: 'Waiting', message: '0 of 1 required approvals for generation 2' })
const gate = (executions: ExecutionDecision[], generation = 2) => ({ metadata: { generation }, status: { phase: 'Waiting', executions } as GateStatus })
const r = (name: string, digest = D1) => ({ name, uid: `uid-${name}`, digest })

describe('gateNodeObservation', () => {
  it('reports a missing Gate as NotFound', () => {
    expect(gateNodeObservation(undefined, r('r1'))).toEqual({ phase: 'NotFound' })
  })

  it.each(['Approved', 'Rejected'] as const)('passes on the %s decision for this Execution, digest and generation', (phase) => {
    expect(gateNodeObservation(gate([decided('r1', phase)]), r('r1'))).toEqual({ phase, message: `${phase} by user:alice` })
  })

  it('passes on a decision written without a message', () => {
    const { message: _message, ...bare } = decided('r1', 'Approved')
    expect(gateNodeObservation(gate([bare]), r('r1'))).toEqual({ phase: 'Approved' })
  })

  it('is Pending for an Execution the Gate has not seen, saying who was decided instead', () => {
    expect(gateNodeObservation(gate([decided('r1', 'Approved'), decided('r0', 'Approved'), decided('r3', 'Rejected')]), r('r2'))).toEqual({
      phase: 'Pending',
      message: 'approved for r0, r1, rejected for r3, not for r2',
    })
    expect(gateNodeObservation(gate([decided('r1', 'Approved')]), r('r2'))).toEqual({ phase: 'Pending', message: 'approved for r1, not for r2' })
    expect(gateNodeObservation({ metadata: {} }, r('r2'))).toEqual({ phase: 'Pending' })
  })

  it('waits with the counts while its own entry waits, and names decisions for others', () => {
    expect(gateNodeObservation(gate([waiting('r2')]), r('r2'))).toEqual({ phase: 'Waiting', message: '0 of 1 required approvals for generation 2' })
    expect(gateNodeObservation(gate([decided('r1', 'Rejected'), waiting('r2')]), r('r2'))).toEqual({
      phase: 'Waiting',
      message: '0 of 1 required approvals for generation 2; rejected for r1, not for r2',
    })
    const { message: _message, ...bare } = waiting('r2')
    expect(gateNodeObservation(gate([bare]), r('r2'))).toEqual({ phase: 'Waiting' })
  })

  it('waits when the decision was made for an older generation', () => {
    expect(gateNodeObservation(gate([decided('r1', 'Approved')], 3), r('r1')).phase).toBe('Waiting')
  })

  it('waits when the decision names another digest, saying which', () => {
    expect(gateNodeObservation(gate([decided('r1', 'Approved')]), r('r1', D2))).toEqual({ phase: 'Waiting', message: `approved digest ${D1}, now ${D2}` })
    expect(gateNodeObservation(gate([waiting('r1')]), r('r1', D2))).toEqual({ phase: 'Waiting', message: `waiting for digest ${D1}, now ${D2}` })
  })
})
