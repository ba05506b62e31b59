import { describe, expect, it } from 'vitest'
import { initialStatus, type StatusKind } from '../../src/controllers/initial-status.js'

const now = '2025-03-01T12:00:00Z'

describe('initialStatus', () => {
  it.each<[StatusKind, string, string, string, string]>([
    ['Goal', 'Pending', 'Accepted', 'True', 'GoalCreated'],
    ['Plan', 'Ready', 'Valid', 'True', 'SchemaValid'],
    ['Execution', 'Pending', 'Accepted', 'True', 'ExecutionCreated'],
    ['Capability', 'Available', 'Available', 'True', 'CapabilityRegistered'],
    ['Binding', 'Unresolved', 'Resolved', 'False', 'BindingCreated'],
    ['Gate', 'Pending', 'Ready', 'False', 'GateCreated'],
  ])('gives a new %s phase %s with %s=%s reason %s', (kind, phase, type, status, reason) => {
    const result = initialStatus(kind, 3, now)
    expect(result.phase).toBe(phase)
    expect(result.observedGeneration).toBe(3)
    expect(result.conditions).toHaveLength(1)
    expect(result.conditions?.[0]).toMatchObject({ type, status, reason, lastTransitionTime: now, observedGeneration: 3 })
    expect(result.conditions?.[0]?.message).toEqual(expect.any(String))
  })

  it('gives equal statuses for equal arguments', () => {
    expect(initialStatus('Gate', 1, now)).toEqual(initialStatus('Gate', 1, now))
  })
})
