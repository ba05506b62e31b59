import { describe, expect, it } from 'vitest'
import { findCondition } from '../../src/conditions.js'
import { decideGate, type GateDecisionTarget, type GateObservation, type ReviewActionInput } from '../../src/controllers/decide-gate.js'
import { initialStatus } from '../../src/controllers/initial-status.js'
import type { GateStatus } from '../../src/model/generated.js'

const now = '2025-03-01T12:00:00Z'
const later = '2025-03-01T13:00:00Z'
const teams = new Map([['team:acme/sre', ['bob', 'carol']]])

function gate(status?: GateStatus, generation = 2, spec: GateDecisionTarget['spec'] = { reviewers: ['user:alice', 'team:acme/sre'] }): GateDecisionTarget {
  return { metadata: { generation }, spec, ...(status ? { status } : {}) }
}
const waiting = (): GateStatus => ({ ...initialStatus('Gate', 2, now), phase: 'Waiting' })

const act = (reviewer: string, action: ReviewActionInput['action'] = 'approve', targetGeneration = 2, comment?: string): ReviewActionInput => ({
  reviewer,
  action,
  timestamp: now,
  targetGeneration,
  source: 'cli',
  ...(comment ? { comment } : {}),
})

const observe = (overrides: Partial<GateObservation> = {}): GateObservation => ({
  gate: gate(waiting()),
  activated: true,
  actions: [],
  teams,
  now,
  ...overrides,
})
const ready = (status: GateStatus) => findCondition(status.conditions, 'Ready')

describe('decideGate transitions', () => {
  it.each<[string, Partial<GateObservation>, string, string]>([
    ['stays Pending until activated', { gate: gate(initialStatus('Gate', 2, now)), activated: false }, 'Pending', 'GateCreated'],
    ['Pending → Waiting when an Execution reaches the gate', { gate: gate(initialStatus('Gate', 2, now)) }, 'Waiting', 'AwaitingApproval'],
    ['treats a gate without status as Pending', { gate: gate(), activated: false }, 'Pending', 'GateCreated'],
    ['Waiting → Approved on one eligible approval', { actions: [act('user:alice')] }, 'Approved', 'Approved'],
    ['Waiting → Approved by a team member', { actions: [act('user:bob')] }, 'Approved', 'Approved'],
    ['Waiting → Rejected on one eligible rejection', { actions: [act('user:carol', 'reject')] }, 'Rejected', 'Rejected'],
    ['rejection wins over approvals in the same round', { actions: [act('user:alice'), act('user:bob', 'reject')] }, 'Rejected', 'Rejected'],
    ['an ineligible reviewer does not approve', { actions: [act('user:mallory')] }, 'Waiting', 'AwaitingApproval'],
    ['an ineligible rejection does not reject', { actions: [act('user:mallory', 'reject')] }, 'Waiting', 'AwaitingApproval'],
    ['the change author cannot approve', { actions: [act('user:alice')], changeAuthor: 'alice' }, 'Waiting', 'AwaitingApproval'],
    ['a stale approval does not count', { actions: [act('user:alice', 'approve', 1)] }, 'Waiting', 'AwaitingApproval'],
    ['a comment does not decide', { actions: [act('user:alice', 'comment')] }, 'Waiting', 'AwaitingApproval'],
    [
      'waits for requiredApprovers distinct reviewers',
      { gate: gate(waiting(), 2, { reviewers: ['team:acme/sre', 'user:alice'], requiredApprovers: 2 }), actions: [act('user:bob'), act('BOB')] },
      'Waiting',
      'AwaitingApproval',
    ],
    [
      'approves once requiredApprovers distinct reviewers approved',
      { gate: gate(waiting(), 2, { reviewers: ['team:acme/sre'], requiredApprovers: 2 }), actions: [act('user:bob'), act('user:carol')] },
      'Approved',
      'Approved',
    ],
    ['lets any writer approve when reviewers is empty', { gate: gate(waiting(), 2, { reviewers: [] }), writers: ['erin'], actions: [act('user:erin')] }, 'Approved', 'Approved'],
    ['lets nobody approve when reviewers is empty and writers are unknown', { gate: gate(waiting(), 2, {}), actions: [act('user:erin')] }, 'Waiting', 'AwaitingApproval'],
    ['counts an approval given before activation once the gate waits', { gate: gate({ ...initialStatus('Gate', 2, now), reviewHistory: [{ ...act('user:alice') }] }) }, 'Approved', 'Approved'],
    ['does not decide before activation', { gate: gate(initialStatus('Gate', 2, now)), activated: false, actions: [act('user:alice')] }, 'Pending', 'GateCreated'],
  ])('%s', (_name, overrides, phase, reason) => {
    const { status } = decideGate(observe(overrides))
    expect(status.phase).toBe(phase)
    expect(status.observedGeneration).toBe(2)
    expect(ready(status)?.reason).toBe(reason)
  })
})

describe('decideGate decisions', () => {
  it('writes resolution, actors and decidedGeneration with the phase', () => {
    const { status } = decideGate(observe({ gate: gate(waiting(), 2, { reviewers: ['team:acme/sre'], requiredApprovers: 2 }), actions: [act('user:bob'), act('user:carol')] }))
    expect(status.decidedGeneration).toBe(2)
    expect(status.resolution).toEqual({ outcome: 'approved', timestamp: now, actors: ['user:bob', 'user:carol'] })
    expect(ready(status)).toMatchObject({ status: 'True', message: 'Approved by user:bob, user:carol' })
  })

  it('names every eligible rejecter and keeps the first comment', () => {
    const { status } = decideGate(observe({ actions: [act('user:bob', 'reject', 2, 'tests fail'), act('user:alice', 'reject')] }))
    expect(status.resolution).toEqual({ outcome: 'rejected', timestamp: now, actors: ['user:bob', 'user:alice'], comment: 'tests fail' })
  })

  it('records every action, eligible or not, with its source', () => {
    const actions = [act('user:mallory'), act('user:alice', 'comment', 2, 'looks good'), act('user:alice', 'approve', 1)]
    const { status } = decideGate(observe({ actions }))
    expect(status.reviewHistory).toEqual([
      { reviewer: 'user:mallory', action: 'approve', timestamp: now, targetGeneration: 2, source: 'cli' },
      { reviewer: 'user:alice', action: 'comment', timestamp: now, comment: 'looks good', targetGeneration: 2, source: 'cli' },
      { reviewer: 'user:alice', action: 'approve', timestamp: now, targetGeneration: 1, source: 'cli' },
    ])
  })

  it('refuses ineligible, self and stale actions with a reason, but never comments', () => {
    const actions = [act('user:mallory'), act('user:dave', 'comment'), act('user:alice', 'reject', 1), act('user:bob'), act('user:carol')]
    const { refused } = decideGate(observe({ actions, changeAuthor: 'carol' }))
    expect(refused).toEqual([
      { reviewer: 'user:mallory', reason: 'NotEligible' },
      { reviewer: 'user:alice', reason: 'StaleGeneration' },
      { reviewer: 'user:carol', reason: 'SelfApproval' },
    ])
  })

  it('keeps a decision for the current generation final and records later actions', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const { status } = decideGate(observe({ gate: gate(approved), actions: [act('user:bob', 'reject')], now: later }))
    expect(status.phase).toBe('Approved')
    expect(status.resolution).toEqual(approved.resolution)
    expect(status.reviewHistory).toHaveLength(2)
  })

  it('returns to Waiting with SpecChanged when the spec changed after a decision', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const { status } = decideGate(observe({ gate: gate(approved, 3), activated: false, now: later }))
    expect(status.phase).toBe('Waiting')
    expect(status.resolution).toBeUndefined()
    expect(status.decidedGeneration).toBeUndefined()
    expect(status.observedGeneration).toBe(3)
    expect(ready(status)).toMatchObject({
      status: 'False',
      reason: 'SpecChanged',
      message: 'The spec changed to generation 3 after the gate was decided; the decision was cleared. 0 of 1 required approvals for generation 3',
      lastTransitionTime: later,
    })
  })

  it('keeps SpecChanged while waiting in that generation, counting new approvals', () => {
    const reqTwo = { reviewers: ['user:alice', 'team:acme/sre'], requiredApprovers: 2 }
    const approved = decideGate(observe({ gate: gate(waiting(), 2, reqTwo), actions: [act('user:alice'), act('user:bob')] })).status
    const stale = decideGate(observe({ gate: gate(approved, 3, reqTwo) })).status
    const counting = decideGate(observe({ gate: gate(stale, 3, reqTwo), actions: [act('user:alice', 'approve', 3)] })).status
    expect(ready(counting)).toMatchObject({ reason: 'SpecChanged' })
    expect(ready(counting)?.message).toMatch(/1 of 2 required approvals for generation 3$/)
    const next = decideGate(observe({ gate: gate(counting, 4, reqTwo) })).status
    expect(ready(next)).toMatchObject({ reason: 'AwaitingApproval', message: '0 of 2 required approvals for generation 4' })
  })

  it('decides again in the same round when the new generation is already approved', () => {
    const rejected = decideGate(observe({ actions: [act('user:alice', 'reject')] })).status
    const { status } = decideGate(observe({ gate: gate(rejected, 3), actions: [act('user:bob', 'approve', 3)] }))
    expect(status).toMatchObject({ phase: 'Approved', decidedGeneration: 3, resolution: { outcome: 'approved', actors: ['user:bob'] } })
  })

  it('repairs a status that breaks the invariants by deciding afresh', () => {
    const broken: GateStatus = { phase: 'Approved', resolution: { outcome: 'rejected', timestamp: now }, decidedGeneration: 2 }
    const { status } = decideGate(observe({ gate: gate(broken) }))
    expect(status).toEqual(expect.objectContaining({ phase: 'Waiting' }))
    expect(status.resolution).toBeUndefined()
    const noDecision: GateStatus = { phase: 'Rejected' }
    expect(decideGate(observe({ gate: gate(noDecision) })).status.phase).toBe('Waiting')
    const rejectedWrongOutcome: GateStatus = { phase: 'Rejected', resolution: { outcome: 'approved', timestamp: now }, decidedGeneration: 2 }
    expect(decideGate(observe({ gate: gate(rejectedWrongOutcome) })).status.phase).toBe('Waiting')
  })

  it('records an action without a source as given', () => {
    const { status } = decideGate(observe({ actions: [{ reviewer: 'user:alice', action: 'comment', timestamp: now, targetGeneration: 2 }] }))
    expect(status.reviewHistory).toEqual([{ reviewer: 'user:alice', action: 'comment', timestamp: now, targetGeneration: 2 }])
  })

  it('keeps a current decision written without actors and says so in the condition', () => {
    const decided: GateStatus = { phase: 'Approved', resolution: { outcome: 'approved', timestamp: now }, decidedGeneration: 2 }
    const { status } = decideGate(observe({ gate: gate(decided) }))
    expect(status).toMatchObject({ phase: 'Approved', resolution: { outcome: 'approved', timestamp: now }, decidedGeneration: 2 })
    expect(ready(status)).toMatchObject({ status: 'True', reason: 'Approved', message: 'Approved' })
  })

  it('reads a missing metadata.generation as 1', () => {
    const target = { metadata: {}, spec: { reviewers: ['user:alice'] }, status: waiting() }
    const { status } = decideGate(observe({ gate: target, actions: [act('user:alice', 'approve', 1)] }))
    expect(status).toMatchObject({ phase: 'Approved', decidedGeneration: 1 })
  })

  it.each([
    [0, 1],
    [Number.NaN, 1],
    [1.5, 2],
  ])('reads requiredApprovers %s as %s', (requiredApprovers, expected) => {
    const { status } = decideGate(observe({ gate: gate(waiting(), 2, { reviewers: ['team:acme/sre'], requiredApprovers }), actions: [act('user:bob')] }))
    expect(status.phase).toBe(expected === 1 ? 'Approved' : 'Waiting')
  })

  it('caps actors at 100', () => {
    const many = Array.from({ length: 120 }, (_, i) => `user:w${i}`)
    const { status } = decideGate(observe({ gate: gate(waiting(), 2, { reviewers: [], requiredApprovers: 100 }), writers: many, actions: many.map((r) => act(r)) }))
    expect(status.resolution?.actors).toHaveLength(100)
  })
})

describe('decideGate idempotence', () => {
  it.each<[string, Partial<GateObservation>]>([
    ['Pending', { gate: gate(initialStatus('Gate', 2, now)), activated: false }],
    ['Waiting', { actions: [act('user:mallory')] }],
    ['Approved', { actions: [act('user:alice')] }],
    ['Rejected', { actions: [act('user:alice', 'reject')] }],
  ])('gives the same status when deciding its own %s output again without new actions', (_name, overrides) => {
    const observation = observe(overrides)
    const first = decideGate(observation).status
    const second = decideGate({ ...observation, gate: { ...observation.gate, status: first }, actions: [], now: later })
    expect(second.status).toEqual(first)
    expect(second.refused).toEqual([])
  })

  it('is idempotent after a spec change', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const stale = decideGate(observe({ gate: gate(approved, 3) })).status
    expect(decideGate(observe({ gate: gate(stale, 3), now: later })).status).toEqual(stale)
  })
})
