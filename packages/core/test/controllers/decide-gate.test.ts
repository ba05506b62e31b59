import { describe, expect, it } from 'vitest'
import { findCondition } from '../../src/conditions.js'
import { decideGate, type GateDecisionTarget, type GateObservation, type ReviewActionInput, type WaitingExecution } from '../../src/controllers/decide-gate.js'
import { initialStatus } from '../../src/controllers/initial-status.js'
import type { ExecutionDecision, GateStatus } from '../../src/model/generated.js'

const now = '2025-03-01T12:00:00Z'
const later = '2025-03-01T13:00:00Z'
const teams = new Map([['team:acme/sre', ['bob', 'carol']]])
const D1 = `sha256:${'1'.repeat(64)}`
const D2 = `sha256:${'2'.repeat(64)}`

const run = (name: string, overrides: Partial<WaitingExecution> = {}): WaitingExecution => ({ name, namespace: 'default', uid: `uid-${name}`, digest: D1, ...overrides })
const r1 = run('r1')
const r2 = run('r2')

function gate(status?: GateStatus, generation = 2, spec: GateDecisionTarget['spec'] = { reviewers: ['user:alice', 'team:acme/sre'] }): GateDecisionTarget {
  return { metadata: { generation }, spec, ...(status ? { status } : {}) }
}

const act = (reviewer: string, action: ReviewActionInput['action'] = 'approve', extra: Partial<ReviewActionInput> = {}): ReviewActionInput => ({
  reviewer,
  action,
  timestamp: now,
  targetGeneration: 2,
  source: 'cli',
  ...extra,
})

const observe = (overrides: Partial<GateObservation> = {}): GateObservation => ({ gate: gate(), waiting: [r1], actions: [], teams, now, ...overrides })
const ready = (status: GateStatus) => findCondition(status.conditions, 'Ready')
const entry = (status: GateStatus, name: string): ExecutionDecision | undefined => status.executions?.find((e) => e.name === name)
/** Decides once, then feeds the status back with new inputs. */
const then = (first: GateStatus, overrides: Partial<GateObservation> = {}, generation = 2, spec?: GateDecisionTarget['spec']) =>
  decideGate(observe({ now: later, ...overrides, gate: gate(first, generation, spec) }))

describe('decideGate: one decision per Execution', () => {
  it.each<[string, Partial<GateObservation>, string, string]>([
    ['stays Pending while no Execution waits', { waiting: [] }, 'Pending', 'GateCreated'],
    ['treats a gate without status as Pending', { gate: gate(undefined), waiting: [] }, 'Pending', 'GateCreated'],
    ['waits when an Execution reaches the gate', {}, 'Waiting', 'AwaitingApproval'],
    ['approves on one eligible approval', { actions: [act('user:alice')] }, 'Approved', 'Approved'],
    ['approves by a team member', { actions: [act('user:bob')] }, 'Approved', 'Approved'],
    ['rejects on one eligible rejection', { actions: [act('user:carol', 'reject')] }, 'Rejected', 'Rejected'],
    ['lets a rejection win over approvals in the same round', { actions: [act('user:alice'), act('user:bob', 'reject')] }, 'Rejected', 'Rejected'],
    ['does not let an ineligible reviewer approve', { actions: [act('user:mallory')] }, 'Waiting', 'AwaitingApproval'],
    ['does not let an ineligible rejection reject', { actions: [act('user:mallory', 'reject')] }, 'Waiting', 'AwaitingApproval'],
    ['does not let the change author approve', { waiting: [run('r1', { changeAuthor: 'alice' })], actions: [act('user:alice')] }, 'Waiting', 'AwaitingApproval'],
    ['does not count a stale approval', { actions: [act('user:alice', 'approve', { targetGeneration: 1 })] }, 'Waiting', 'AwaitingApproval'],
    ['does not count an approval of another digest', { actions: [act('user:alice', 'approve', { digest: D2 })] }, 'Waiting', 'AwaitingApproval'],
    ['does not decide on a comment', { actions: [act('user:alice', 'comment')] }, 'Waiting', 'AwaitingApproval'],
    ['does not count an action the shell refused', { actions: [act('user:alice', 'approve', { refusal: 'Unsigned' })] }, 'Waiting', 'AwaitingApproval'],
    ['lets any writer approve when reviewers is empty', { gate: gate(undefined, 2, { reviewers: [] }), writers: ['erin'], actions: [act('user:erin')] }, 'Approved', 'Approved'],
    ['lets nobody approve when reviewers is empty and writers are unknown', { gate: gate(undefined, 2, {}), actions: [act('user:erin')] }, 'Waiting', 'AwaitingApproval'],
    [
      'waits for requiredApprovers distinct reviewers',
      { gate: gate(undefined, 2, { reviewers: ['team:acme/sre'], requiredApprovers: 2 }), actions: [act('user:bob'), act('BOB')] },
      'Waiting',
      'AwaitingApproval',
    ],
    [
      'approves once requiredApprovers distinct reviewers approved',
      { gate: gate(undefined, 2, { reviewers: ['team:acme/sre'], requiredApprovers: 2 }), actions: [act('user:bob'), act('user:carol')] },
      'Approved',
      'Approved',
    ],
  ])('%s', (_name, overrides, phase, reason) => {
    const { status } = decideGate(observe(overrides))
    expect(status.phase).toBe(phase)
    expect(status.observedGeneration).toBe(2)
    expect(ready(status)?.reason).toBe(reason)
  })

  it('records each waiting Execution with its uid, digest and change author', () => {
    const { status } = decideGate(observe({ waiting: [run('r1', { changeAuthor: 'user:amy' }), r2] }))
    expect(status.executions).toEqual([
      { name: 'r1', namespace: 'default', uid: 'uid-r1', digest: D1, changeAuthor: 'user:amy', phase: 'Waiting', message: '0 of 1 required approvals for generation 2' },
      { name: 'r2', namespace: 'default', uid: 'uid-r2', digest: D1, phase: 'Waiting', message: '0 of 1 required approvals for generation 2' },
    ])
    expect(ready(status)?.message).toBe('Waiting for a decision (r1: 0 of 1 required approvals for generation 2; r2: 0 of 1 required approvals for generation 2)')
  })

  it('binds an action that names no Execution to every waiting one, each decided on its own', () => {
    const { status } = decideGate(observe({ waiting: [r1, run('r2', { changeAuthor: 'user:alice' })], actions: [act('user:alice')] }))
    expect(entry(status, 'r1')).toMatchObject({ phase: 'Approved', decidedGeneration: 2, resolution: { outcome: 'approved', actors: ['user:alice'] }, message: 'Approved by user:alice' })
    expect(entry(status, 'r2')).toMatchObject({ phase: 'Waiting' })
    expect(status.reviewHistory).toEqual([
      { reviewer: 'user:alice', action: 'approve', timestamp: now, targetGeneration: 2, source: 'cli', execution: { name: 'r1', uid: 'uid-r1' }, digest: D1, counted: true },
      { reviewer: 'user:alice', action: 'approve', timestamp: now, targetGeneration: 2, source: 'cli', execution: { name: 'r2', uid: 'uid-r2' }, digest: D1, counted: false, reason: 'SelfApproval' },
    ])
    expect(status.phase).toBe('Waiting')
  })

  it('counts an action naming one Execution for that one only', () => {
    const { status } = decideGate(observe({ waiting: [r1, r2], actions: [act('user:bob', 'approve', { execution: { name: 'r2', uid: 'uid-r2' }, digest: D1 })] }))
    expect(entry(status, 'r1')?.phase).toBe('Waiting')
    expect(entry(status, 'r2')?.phase).toBe('Approved')
  })

  it('never carries an approval over to a later Execution of the same plan', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const next = then(approved, { waiting: [r2] }).status
    expect(entry(next, 'r1')?.phase).toBe('Approved')
    expect(entry(next, 'r2')).toMatchObject({ phase: 'Waiting', message: '0 of 1 required approvals for generation 2' })
    expect(next.phase).toBe('Waiting')
  })

  it('refuses an approval given while nobody waits, and never counts it later', () => {
    const early = decideGate(observe({ waiting: [], actions: [act('user:alice')] }))
    expect(early.refused).toEqual([{ reviewer: 'user:alice', reason: 'NotWaiting', source: 'cli' }])
    expect(early.status.reviewHistory).toEqual([{ ...act('user:alice'), counted: false, reason: 'NotWaiting' }])
    expect(then(early.status).status.phase).toBe('Waiting')
  })

  it('refuses an action naming an Execution that does not wait, keeping what it named', () => {
    const { refused, status } = decideGate(observe({ actions: [act('user:alice', 'approve', { execution: { name: 'ghost', uid: 'uid-ghost' }, digest: D2 })] }))
    expect(refused).toEqual([{ reviewer: 'user:alice', reason: 'NotWaiting', execution: { name: 'ghost', uid: 'uid-ghost' }, source: 'cli' }])
    expect(status.reviewHistory?.[0]).toMatchObject({ execution: { name: 'ghost', uid: 'uid-ghost' }, digest: D2, counted: false, reason: 'NotWaiting' })
    expect(entry(status, 'r1')?.phase).toBe('Waiting')
  })

  it('records the reason a shell refused an action even when nobody waits', () => {
    const { refused } = decideGate(observe({ waiting: [], actions: [act('user:alice', 'approve', { refusal: 'UnknownSigner' })] }))
    expect(refused).toEqual([{ reviewer: 'user:alice', reason: 'UnknownSigner', source: 'cli' }])
  })

  it('refuses ineligible, self, stale and other-digest actions with a reason, but never comments', () => {
    const actions = [act('user:mallory'), act('user:dave', 'comment'), act('user:alice', 'reject', { targetGeneration: 1 }), act('user:bob', 'approve', { digest: D2 }), act('user:carol')]
    const { refused, status } = decideGate(observe({ waiting: [run('r1', { changeAuthor: 'carol' })], actions }))
    expect(refused.map((r) => [r.reviewer, r.reason])).toEqual([
      ['user:mallory', 'NotEligible'],
      ['user:alice', 'StaleGeneration'],
      ['user:bob', 'DigestMismatch'],
      ['user:carol', 'SelfApproval'],
    ])
    expect(status.reviewHistory?.[1]).toEqual({ reviewer: 'user:dave', action: 'comment', timestamp: now, targetGeneration: 2, source: 'cli', execution: { name: 'r1', uid: 'uid-r1' }, digest: D1 })
  })

  it('keeps a decision for the current generation final and refuses later actions as AlreadyDecided', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const { status, refused } = then(approved, { actions: [act('user:bob', 'reject', { execution: { name: 'r1', uid: 'uid-r1' } })] })
    expect(entry(status, 'r1')).toEqual(entry(approved, 'r1'))
    expect(refused).toEqual([{ reviewer: 'user:bob', reason: 'AlreadyDecided', execution: { name: 'r1', uid: 'uid-r1' }, source: 'cli' }])
  })

  it('keeps the decisions of Executions that moved on as history, and summarizes the latest', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const moved = then(approved, { waiting: [] }).status
    expect(moved).toMatchObject({ phase: 'Approved', decidedGeneration: 2, resolution: { outcome: 'approved', actors: ['user:alice'] } })
    expect(ready(moved)).toMatchObject({ status: 'True', reason: 'Approved', message: 'Approved by user:alice for r1' })
    const second = then(moved, { waiting: [r2], actions: [act('user:bob', 'reject', { comment: 'no' })] }).status
    const done = then(second, { waiting: [] }).status
    expect(done).toMatchObject({ phase: 'Rejected', resolution: { outcome: 'rejected', actors: ['user:bob'], comment: 'no' } })
    expect(ready(done)).toMatchObject({ status: 'False', reason: 'Rejected', message: 'Rejected by user:bob for r2' })
  })

  it('forgets an undecided entry once its Execution stops waiting', () => {
    const waiting = decideGate(observe()).status
    const gone = then(waiting, { waiting: [] }).status
    expect(gone.executions).toBeUndefined()
    expect(gone.phase).toBe('Pending')
  })

  it('decides anew when an Execution under the same uid brings another digest', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const changed = then(approved, { waiting: [run('r1', { digest: D2 })] }).status
    expect(entry(changed, 'r1')).toMatchObject({ phase: 'Waiting', digest: D2 })
  })

  it('re-opens a decision whose generation is stale for an Execution still waiting, with SpecChanged', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const stale = then(approved, {}, 3).status
    expect(entry(stale, 'r1')).toEqual({ name: 'r1', namespace: 'default', uid: 'uid-r1', digest: D1, phase: 'Waiting', message: '0 of 1 required approvals for generation 3' })
    expect(stale).toMatchObject({ phase: 'Waiting', observedGeneration: 3 })
    expect(stale.resolution).toBeUndefined()
    expect(ready(stale)).toMatchObject({
      status: 'False',
      reason: 'SpecChanged',
      message: 'The spec changed to generation 3 after the gate was decided; waiting for a decision (r1: 0 of 1 required approvals for generation 3)',
      lastTransitionTime: later,
    })
    const counting = then(stale, { actions: [act('user:bob', 'approve', { targetGeneration: 3 })] }, 3, { reviewers: ['team:acme/sre'], requiredApprovers: 2 }).status
    expect(ready(counting)).toMatchObject({ reason: 'SpecChanged' })
    expect(entry(counting, 'r1')?.message).toBe('1 of 2 required approvals for generation 3')
    const next = then(counting, {}, 4, { reviewers: ['team:acme/sre'], requiredApprovers: 2 }).status
    expect(ready(next)).toMatchObject({ reason: 'AwaitingApproval' })
  })

  it('decides again in the same round when the new generation is approved at once', () => {
    const rejected = decideGate(observe({ actions: [act('user:alice', 'reject')] })).status
    const { status } = then(rejected, { actions: [act('user:bob', 'approve', { targetGeneration: 3 })] }, 3)
    expect(entry(status, 'r1')).toMatchObject({ phase: 'Approved', decidedGeneration: 3, resolution: { outcome: 'approved', actors: ['user:bob'] } })
  })

  it('keeps the history of an Execution that moved on untouched by a later spec change', () => {
    const approved = then(decideGate(observe({ actions: [act('user:alice')] })).status, { waiting: [] }).status
    expect(entry(then(approved, { waiting: [] }, 5).status, 'r1')).toEqual(entry(approved, 'r1'))
  })

  it('records an action without a source, and refuses it by reviewer alone', () => {
    const { status, refused } = decideGate(observe({ actions: [{ reviewer: 'user:mallory', action: 'approve', timestamp: now, targetGeneration: 2 }] }))
    expect(status.reviewHistory).toEqual([{ reviewer: 'user:mallory', action: 'approve', timestamp: now, targetGeneration: 2, execution: { name: 'r1', uid: 'uid-r1' }, digest: D1, counted: false, reason: 'NotEligible' }])
    expect(refused).toEqual([{ reviewer: 'user:mallory', reason: 'NotEligible', execution: { name: 'r1', uid: 'uid-r1' } }])
  })

  it('summarizes the newest decision, wherever it sits in the list', () => {
    const decision = (name: string, outcome: 'approved' | 'rejected', timestamp: string): ExecutionDecision => ({
      name, namespace: 'default', uid: `uid-${name}`, digest: D1, phase: outcome === 'approved' ? 'Approved' : 'Rejected', resolution: { outcome, timestamp, actors: ['user:alice'] }, decidedGeneration: 2,
    })
    const { status } = decideGate(observe({ gate: gate({ executions: [decision('r1', 'rejected', later), decision('r2', 'approved', now)] }), waiting: [] }))
    expect(status).toMatchObject({ phase: 'Rejected', resolution: { timestamp: later } })
  })

  it('summarizes a recorded decision written without actors', () => {
    const recorded: GateStatus = { executions: [{ name: 'r1', namespace: 'default', uid: 'uid-r1', digest: D1, phase: 'Approved', resolution: { outcome: 'approved', timestamp: now }, decidedGeneration: 2 }] }
    const { status } = decideGate(observe({ gate: gate(recorded), waiting: [] }))
    expect(ready(status)).toMatchObject({ status: 'True', reason: 'Approved', message: 'Approved for r1' })
  })

  it('ignores a top-level decision that names no Execution', () => {
    const legacy: GateStatus = { phase: 'Approved', resolution: { outcome: 'approved', timestamp: now, actors: ['user:alice'] }, decidedGeneration: 2 }
    expect(decideGate(observe({ gate: gate(legacy) })).status).toMatchObject({ phase: 'Waiting' })
    expect(decideGate(observe({ gate: gate(legacy), waiting: [] })).status.phase).toBe('Pending')
  })

  it('reads a missing metadata.generation as 1', () => {
    const { status } = decideGate(observe({ gate: { metadata: {}, spec: { reviewers: ['user:alice'] } }, actions: [act('user:alice', 'approve', { targetGeneration: 1 })] }))
    expect(entry(status, 'r1')).toMatchObject({ phase: 'Approved', decidedGeneration: 1 })
  })

  it.each([
    [0, 'Approved'],
    [Number.NaN, 'Approved'],
    [1.5, 'Waiting'],
  ])('reads requiredApprovers %s (one approval: %s)', (requiredApprovers, phase) => {
    const { status } = decideGate(observe({ gate: gate(undefined, 2, { reviewers: ['team:acme/sre'], requiredApprovers }), actions: [act('user:bob')] }))
    expect(status.phase).toBe(phase)
  })

  it('caps actors at 100', () => {
    const many = Array.from({ length: 120 }, (_, i) => `user:w${i}`)
    const { status } = decideGate(observe({ gate: gate(undefined, 2, { reviewers: [], requiredApprovers: 100 }), writers: many, actions: many.map((r) => act(r)) }))
    expect(entry(status, 'r1')?.resolution?.actors).toHaveLength(100)
  })

  it('keeps at most 100 entries: the waiting ones, then the newest decisions', () => {
    let status: GateStatus = {}
    for (let i = 0; i < 105; i++) {
      const w = run(`d${i}`)
      status = then(status, { waiting: [w], actions: [act('user:alice', 'approve', { execution: { name: w.name, uid: w.uid } })], now: new Date(Date.UTC(2025, 2, 2, 0, 0, i)).toISOString() }).status
    }
    const full = then(status, { waiting: [r1, r2] }).status
    expect(full.executions).toHaveLength(100)
    expect(full.executions?.slice(0, 2).map((e) => e.name)).toEqual(['r1', 'r2'])
    expect(full.executions?.at(-1)?.name).toBe('d104')
  })
})

describe('decideGate idempotence', () => {
  it.each<[string, Partial<GateObservation>]>([
    ['Pending', { gate: gate(initialStatus('Gate', 2, now)), waiting: [] }],
    ['Waiting', { actions: [act('user:mallory')] }],
    ['Approved', { actions: [act('user:alice')] }],
    ['Rejected', { actions: [act('user:alice', 'reject')] }],
    ['mixed', { waiting: [r1, r2], actions: [act('user:alice', 'approve', { execution: { name: 'r1', uid: 'uid-r1' } })] }],
  ])('gives the same status when deciding its own %s output again without new actions', (_name, overrides) => {
    const observation = observe(overrides)
    const first = decideGate(observation).status
    const second = decideGate({ ...observation, gate: { ...observation.gate, status: first }, actions: [], now: later })
    expect(second.status).toEqual(first)
    expect(second.refused).toEqual([])
  })

  it('is idempotent after a spec change', () => {
    const approved = decideGate(observe({ actions: [act('user:alice')] })).status
    const stale = then(approved, {}, 3).status
    expect(then(stale, {}, 3).status).toEqual(stale)
  })
})

describe('decideGate: the summary of several decisions', () => {
  it('summarizes with the newest decision, whichever entry comes first', () => {
    // r1 is decided later than r2 but listed first: the summary still names r1's decision.
    const first = decideGate(observe({ waiting: [r1, r2], actions: [act('user:alice', 'approve', { execution: { name: 'r2', uid: r2.uid } })] })).status
    const second = then(first, { waiting: [r1], actions: [act('user:carol', 'reject', { timestamp: later, execution: { name: 'r1', uid: r1.uid } })] })
    const reordered = decideGate(observe({ now: later, gate: gate({ ...second.status, executions: [...(second.status.executions ?? [])].sort((a) => (a.name === 'r1' ? -1 : 1)) }), waiting: [] })).status
    expect(reordered.executions?.map((e) => e.name)).toEqual(['r1', 'r2'])
    expect(reordered.phase).toBe('Rejected')
    const swapped = decideGate(observe({ now: later, gate: gate({ ...second.status, executions: [...(second.status.executions ?? [])].sort((a) => (a.name === 'r2' ? -1 : 1)) }), waiting: [] })).status
    expect(swapped.phase).toBe('Rejected')
  })
})
