import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REVIEW_HISTORY_MAX } from '../../src/controllers/cap-review-history.js'
import { checkReviewer } from '../../src/controllers/check-reviewer.js'
import { decideGate, type ReviewActionInput, type WaitingExecution } from '../../src/controllers/decide-gate.js'
import { initialStatus } from '../../src/controllers/initial-status.js'
import type { ExecutionDecision, GateStatus } from '../../src/model/generated.js'

const people = ['user:alice', 'user:bob', 'user:carol', 'user:dave', 'svc:opa', 'email:e@x.io']
const teams = new Map([['team:acme/sre', ['bob', 'carol']]])
const reviewerLists = [[], ['user:alice'], ['team:acme/sre'], ['user:alice', 'team:acme/sre', 'svc:opa']]
const digests = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`]
const runs: WaitingExecution[] = [
  { name: 'r0', namespace: 'default', uid: 'u0', digest: digests[0]!, changeAuthor: 'user:alice' },
  { name: 'r1', namespace: 'default', uid: 'u1', digest: digests[1]!, changeAuthor: 'user:bob' },
  { name: 'r2', namespace: 'team', uid: 'u2', digest: digests[0]! },
]

const step = fc.record({
  specChange: fc.boolean(),
  waiting: fc.subarray(runs),
  actions: fc.array(
    fc.record({
      reviewer: fc.constantFrom(...people),
      action: fc.constantFrom<ReviewActionInput['action']>('approve', 'reject', 'comment'),
      generationOffset: fc.constantFrom(-1, 0, 0, 0, 1),
      target: fc.option(fc.constantFrom(...runs), { nil: undefined }),
      digest: fc.option(fc.constantFrom(...digests), { nil: undefined }),
      refusal: fc.option(fc.constantFrom('Unsigned', 'UnknownSigner'), { freq: 4, nil: undefined }),
    }),
    { maxLength: 6 },
  ),
})

/** The invariants of RESOURCES 6.3, for the Gate and for each per-Execution entry. */
function brokenInvariants(status: GateStatus | ExecutionDecision): string[] {
  const broken: string[] = []
  if ((status.resolution === undefined) !== (status.decidedGeneration === undefined)) broken.push('resolution iff decidedGeneration')
  const terminal = status.phase === 'Approved' || status.phase === 'Rejected'
  if (terminal && status.resolution === undefined) broken.push('terminal phase needs a decision')
  if (status.resolution?.outcome === 'approved' && status.phase !== 'Approved') broken.push('approved needs Approved')
  if (status.resolution?.outcome === 'rejected' && status.phase !== 'Rejected') broken.push('rejected needs Rejected')
  return broken
}

describe('decideGate invariants (property)', () => {
  it('decides each Execution only on counted actions for its uid, digest and generation, never by its author', () => {
    fc.assert(
      fc.property(fc.constantFrom(...reviewerLists), fc.integer({ min: 1, max: 3 }), fc.array(step, { minLength: 1, maxLength: 25 }), (reviewers, requiredApprovers, steps) => {
        let generation = 1
        let status: GateStatus = initialStatus('Gate', generation, '2025-03-01T00:00:00Z')
        const writers = ['alice', 'bob', 'dave', 'svc:opa']
        steps.forEach((s, index) => {
          const before = status
          if (s.specChange) generation += 1
          const now = new Date(Date.UTC(2025, 2, 1, 0, index + 1)).toISOString()
          const actions: ReviewActionInput[] = s.actions.map((a) => ({
            reviewer: a.reviewer,
            action: a.action,
            timestamp: now,
            targetGeneration: Math.max(0, generation + a.generationOffset),
            source: `request:${index}`,
            ...(a.target === undefined ? {} : { execution: { name: a.target.name, uid: a.target.uid } }),
            ...(a.digest === undefined ? {} : { digest: a.digest }),
            ...(a.refusal === undefined ? {} : { refusal: a.refusal }),
          }))
          const observation = { gate: { metadata: { generation }, spec: { reviewers, requiredApprovers }, status }, waiting: s.waiting, actions, teams, writers, now }
          status = decideGate(observation).status
          expect(brokenInvariants(status)).toEqual([])
          expect(status.observedGeneration).toBe(generation)
          expect(status.reviewHistory?.length ?? 0).toBeLessThanOrEqual(REVIEW_HISTORY_MAX)
          for (const entry of status.executions ?? []) {
            expect(brokenInvariants(entry)).toEqual([])
            const current = entry.decidedGeneration === generation
            const waitingNow = s.waiting.some((w) => w.uid === entry.uid)
            if (entry.phase === 'Waiting') expect(waitingNow).toBe(true)
            if (entry.resolution === undefined || !current) continue
            const policy = { reviewers, teams, writers, ...(entry.changeAuthor === undefined ? {} : { changeAuthor: entry.changeAuthor }) }
            for (const actor of entry.resolution.actors ?? []) {
              expect(checkReviewer(actor, policy)).toBeUndefined()
              // Every deciding actor has a counted action for exactly this Execution and digest.
              const backing = (status.reviewHistory ?? []).some((h) => h.reviewer === actor && h.execution?.uid === entry.uid && h.digest === entry.digest && h.counted === true && h.targetGeneration === entry.decidedGeneration)
              expect(backing).toBe(true)
            }
          }
          // A decision of an Execution never changes while the spec stays the same.
          if (!s.specChange) {
            for (const old of before.executions ?? []) {
              if (old.phase === 'Waiting' || old.decidedGeneration !== generation) continue
              const now = status.executions?.find((e) => e.uid === old.uid)
              if (now !== undefined && now.digest === old.digest) expect(now.resolution).toEqual(old.resolution)
            }
          }
          // Idempotence: deciding again with no new actions changes nothing.
          expect(decideGate({ ...observation, gate: { ...observation.gate, status }, actions: [] }).status).toEqual(status)
        })
      }),
      { numRuns: 300 },
    )
  })
})
