import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REVIEW_HISTORY_MAX } from '../../src/controllers/cap-review-history.js'
import { checkReviewer } from '../../src/controllers/check-reviewer.js'
import { decideGate, type ReviewActionInput } from '../../src/controllers/decide-gate.js'
import { initialStatus } from '../../src/controllers/initial-status.js'
import type { GateStatus } from '../../src/model/generated.js'

const people = ['user:alice', 'user:bob', 'user:carol', 'user:dave', 'svc:opa', 'email:e@x.io']
const teams = new Map([['team:acme/sre', ['bob', 'carol']]])
const reviewerLists = [[], ['user:alice'], ['team:acme/sre'], ['user:alice', 'team:acme/sre', 'svc:opa']]

const step = fc.record({
  specChange: fc.boolean(),
  activated: fc.boolean(),
  actions: fc.array(
    fc.record({
      reviewer: fc.constantFrom(...people),
      action: fc.constantFrom<ReviewActionInput['action']>('approve', 'reject', 'comment'),
      generationOffset: fc.constantFrom(-1, 0, 0, 0, 1),
    }),
    { maxLength: 6 },
  ),
})

/** The three status invariants of RESOURCES 6.3, as one list of broken rules. */
function brokenInvariants(status: GateStatus): string[] {
  const broken: string[] = []
  if ((status.resolution === undefined) !== (status.decidedGeneration === undefined)) broken.push('resolution iff decidedGeneration')
  if (status.resolution !== undefined && status.phase === undefined) broken.push('resolution needs a phase')
  const terminal = status.phase === 'Approved' || status.phase === 'Rejected'
  if (terminal && (status.resolution === undefined || status.decidedGeneration === undefined)) broken.push('terminal phase needs a decision')
  if (status.resolution?.outcome === 'approved' && status.phase !== 'Approved') broken.push('approved needs Approved')
  if (status.resolution?.outcome === 'rejected' && status.phase !== 'Rejected') broken.push('rejected needs Rejected')
  return broken
}

describe('decideGate invariants (property)', () => {
  it('keeps the three status invariants, filled actors and a bounded history after any sequence of actions', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...reviewerLists),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.constantFrom('alice', 'bob', 'erin'), { nil: undefined }),
        fc.array(step, { minLength: 1, maxLength: 25 }),
        (reviewers, requiredApprovers, changeAuthor, steps) => {
          let generation = 1
          let status: GateStatus = initialStatus('Gate', generation, '2025-03-01T00:00:00Z')
          const writers = ['alice', 'bob', 'dave', 'svc:opa']
          steps.forEach((s, index) => {
            const before = status
            if (s.specChange) generation += 1
            const now = new Date(Date.UTC(2025, 2, 1, 0, index + 1)).toISOString()
            const actions = s.actions.map((a) => ({
              reviewer: a.reviewer,
              action: a.action,
              timestamp: now,
              targetGeneration: Math.max(0, generation + a.generationOffset),
              source: 'api',
            }))
            const result = decideGate({
              gate: { metadata: { generation }, spec: { reviewers, requiredApprovers }, status },
              activated: s.activated,
              actions,
              teams,
              writers,
              ...(changeAuthor === undefined ? {} : { changeAuthor }),
              now,
            })
            status = result.status
            expect(brokenInvariants(status)).toEqual([])
            expect(status.observedGeneration).toBe(generation)
            expect(status.reviewHistory?.length ?? 0).toBeLessThanOrEqual(REVIEW_HISTORY_MAX)
            if (status.resolution !== undefined) {
              expect(status.decidedGeneration).toBe(generation)
              expect(status.resolution.actors?.length ?? 0).toBeGreaterThan(0)
              const policy = { reviewers, teams, writers, ...(changeAuthor === undefined ? {} : { changeAuthor }) }
              for (const actor of status.resolution.actors ?? []) expect(checkReviewer(actor, policy)).toBeUndefined()
            }
            // A decision never changes while the spec stays the same.
            if (!s.specChange && before.resolution !== undefined) expect(status.resolution).toEqual(before.resolution)
            // Idempotence: deciding again with no new actions changes nothing.
            const again = decideGate({
              gate: { metadata: { generation }, spec: { reviewers, requiredApprovers }, status },
              activated: s.activated,
              actions: [],
              teams,
              writers,
              ...(changeAuthor === undefined ? {} : { changeAuthor }),
              now,
            })
            expect(again.status).toEqual(status)
          })
        },
      ),
      { numRuns: 300 },
    )
  })
})
