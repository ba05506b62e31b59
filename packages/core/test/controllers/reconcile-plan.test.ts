import { describe, expect, it } from 'vitest'
import { initialStatus } from '../../src/controllers/initial-status.js'
import { reconcilePlan, type PlanObservation, type PlanReconcileTarget } from '../../src/controllers/reconcile-plan.js'

const now = '2025-03-01T12:00:00Z'
const later = '2025-03-02T12:00:00Z'
const digest = `sha256:${'a'.repeat(64)}`
const otherDigest = `sha256:${'b'.repeat(64)}`

function plan(nodes = 3, graphDigest?: string, status?: PlanReconcileTarget['status']): PlanReconcileTarget {
  return {
    spec: { graph: { nodes: Array.from({ length: nodes }, (_, i) => ({ id: `n${i}` })) }, ...(graphDigest ? { graphDigest } : {}) },
    ...(status ? { status } : {}),
  }
}

const observe = (overrides: Partial<PlanObservation> = {}): PlanObservation => ({
  plan: plan(),
  generation: 2,
  validationIssues: [],
  now,
  ...overrides,
})

const issue = (n: number) => ({ code: `PLANSPEC_ERR_${n}`, message: `problem ${n}` })

describe('reconcilePlan', () => {
  it.each([
    ['marks a valid plan Ready with Valid=True SchemaValid', observe(), 'Ready', 'True', 'SchemaValid', 'The plan passed validation'],
    [
      'marks a plan with one issue Invalid and names the issue',
      observe({ validationIssues: [issue(1)] }),
      'Invalid',
      'False',
      'ValidationFailed',
      '1 validation issue: PLANSPEC_ERR_1: problem 1',
    ],
    [
      'lists only the first three issues and counts the rest',
      observe({ validationIssues: [1, 2, 3, 4, 5].map(issue) }),
      'Invalid',
      'False',
      'ValidationFailed',
      '5 validation issues: PLANSPEC_ERR_1: problem 1; PLANSPEC_ERR_2: problem 2; PLANSPEC_ERR_3: problem 3; and 2 more',
    ],
    [
      'lists three issues without a remainder',
      observe({ validationIssues: [1, 2, 3].map(issue) }),
      'Invalid',
      'False',
      'ValidationFailed',
      '3 validation issues: PLANSPEC_ERR_1: problem 1; PLANSPEC_ERR_2: problem 2; PLANSPEC_ERR_3: problem 3',
    ],
    [
      'marks a plan whose declared digest differs from the computed one Invalid with GraphDigestMismatch',
      observe({ plan: plan(3, digest), graphDigestActual: otherDigest }),
      'Invalid',
      'False',
      'GraphDigestMismatch',
      `spec.graphDigest ${digest} does not match the digest of the graph, ${otherDigest}`,
    ],
    [
      'says the digest was verified when it matches',
      observe({ plan: plan(3, digest), graphDigestActual: digest }),
      'Ready',
      'True',
      'SchemaValid',
      'The plan passed validation and its graph digest matches',
    ],
    [
      'does not check the digest when the shell computed none',
      observe({ plan: plan(3, digest) }),
      'Ready',
      'True',
      'SchemaValid',
      'The plan passed validation',
    ],
    [
      'does not check the digest when the plan declares none',
      observe({ graphDigestActual: otherDigest }),
      'Ready',
      'True',
      'SchemaValid',
      'The plan passed validation',
    ],
    [
      'reports validation issues before a digest mismatch',
      observe({ plan: plan(3, digest), graphDigestActual: otherDigest, validationIssues: [issue(1)] }),
      'Invalid',
      'False',
      'ValidationFailed',
      '1 validation issue: PLANSPEC_ERR_1: problem 1',
    ],
  ])('%s', (_name, observation, phase, status, reason, message) => {
    const result = reconcilePlan(observation).status
    expect(result).toMatchObject({ phase, nodeCount: 3, observedGeneration: 2 })
    expect(result.conditions).toEqual([{ type: 'Valid', status, reason, message, lastTransitionTime: now, observedGeneration: 2 }])
  })

  it('counts the nodes of the graph', () => {
    expect(reconcilePlan(observe({ plan: plan(7) })).status.nodeCount).toBe(7)
  })

  it('truncates a very long issue message to the condition limit', () => {
    const message = reconcilePlan(observe({ validationIssues: [{ code: 'X', message: 'y'.repeat(40_000) }] })).status.conditions?.[0]?.message
    expect(message).toHaveLength(32_768)
    expect(message?.endsWith('…')).toBe(true)
  })

  it('moves an Invalid plan back to Ready once it is fixed, moving the transition time', () => {
    const invalid = reconcilePlan(observe({ validationIssues: [issue(1)] })).status
    const fixed = reconcilePlan(observe({ plan: plan(3, undefined, invalid), now: later })).status
    expect(fixed.phase).toBe('Ready')
    expect(fixed.conditions?.[0]?.lastTransitionTime).toBe(later)
  })

  it('keeps the transition time of the initial status and other conditions', () => {
    const initial = { ...initialStatus('Plan', 2, now), conditions: [...(initialStatus('Plan', 2, now).conditions ?? []), { type: 'Other', status: 'True' as const, reason: 'X', lastTransitionTime: now }] }
    const result = reconcilePlan(observe({ plan: plan(3, undefined, initial), now: later })).status
    expect(result.conditions?.map((c) => [c.type, c.lastTransitionTime])).toEqual([['Valid', now], ['Other', now]])
  })

  it.each([
    ['a valid plan', observe()],
    ['an invalid plan', observe({ validationIssues: [issue(1), issue(2)] })],
    ['a digest mismatch', observe({ plan: plan(3, digest), graphDigestActual: otherDigest })],
  ])('is idempotent for %s', (_name, observation) => {
    const first = reconcilePlan(observation).status
    const second = reconcilePlan({ ...observation, plan: { ...observation.plan, status: first }, now: later }).status
    expect(second).toEqual(first)
  })
})
