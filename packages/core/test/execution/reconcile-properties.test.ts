import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Action, ExecutionObservation, ExternalObservation, GateNodeObservation } from '../../src/execution/execution-types.js'
import { recordAttemptResult } from '../../src/execution/record-attempt-result.js'
import { reconcileExecution } from '../../src/execution/reconcile-execution.js'
import type { ExecutionStatus } from '../../src/model/generated.js'
import { bound, iso, observe, T0, type TestNode } from './fixtures.js'

type Outcome = 'ok' | 'fail' | 'hang'
interface Spec {
  readonly nodes: TestNode[]
  readonly edges: { from: string; to: string; type: 'hard' | 'soft' }[]
  readonly claimable: boolean[]
  /** Gate decision or External result per node (Tasks ignore it). */
  readonly verdicts: ('approve' | 'reject' | 'pending')[]
  /** Outcome per node and attempt (attempts beyond the list succeed). */
  readonly outcomes: Outcome[][]
  readonly jitter: number
}

const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 5, max: 30 }).chain((n) =>
  fc.record({
    nodes: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc
              .record({ retries: fc.integer({ min: 0, max: 2 }), when: fc.constantFrom(undefined, 'true', 'false'), timeout: fc.constantFrom(undefined, '30s') })
              .map(
                ({ retries, when, timeout }): TestNode => ({
                  id: `n${i}`,
                  kind: 'Task',
                  retries,
                  ...(when === undefined ? {} : { when }),
                  ...(timeout === undefined ? {} : { timeout }),
                }),
              ),
          },
          { weight: 1, arbitrary: fc.constant<TestNode>({ id: `n${i}`, kind: 'Gate', gateRef: { name: `gate-${i}` } }) },
          {
            weight: 1,
            arbitrary: fc.constant<TestNode>({ id: `n${i}`, kind: 'External', externalRef: { type: 'webhook', webhookUrl: 'https://e' }, timeout: '5m', pollInterval: '1m' }),
          },
        ),
      ),
    ),
    edges: fc
      .array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.constantFrom<'hard' | 'soft'>('hard', 'hard', 'soft')), { maxLength: n * 2 })
      .map((pairs) =>
        pairs.filter(([a, b]) => a < b).map(([a, b, type]) => ({ from: `n${a}`, to: `n${b}`, type })),
      ),
    claimable: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    verdicts: fc.array(fc.constantFrom<'approve' | 'reject' | 'pending'>('approve', 'approve', 'reject', 'pending'), { minLength: n, maxLength: n }),
    outcomes: fc.array(fc.array(fc.constantFrom<Outcome>('ok', 'ok', 'fail', 'hang'), { maxLength: 4 }), { minLength: n, maxLength: n }),
    jitter: fc.double({ min: 0, max: 0.999, noNaN: true }),
  }),
)

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])

/** Runs an execution to its end on a virtual clock, checking invariants at every step. */
function run(spec: Spec, cancelAt = Infinity): { status: ExecutionStatus; ledger: Map<string, number> } {
  const o: ExecutionObservation = observe(spec.nodes, {
    edges: spec.edges,
    bindings: new Map(spec.nodes.flatMap((node, i) => (node.kind === 'Task' ? [[node.id, bound('exec://x', spec.claimable[i] === true)] as const] : []))),
    jitter: () => spec.jitter,
  })
  const hardPreds = (id: string): string[] => spec.edges.filter((e) => e.type === 'hard' && e.to === id).map((e) => e.from)
  const ledger = new Map<string, number>()
  const inFlight: Extract<Action, { type: 'dispatch' }>[] = []
  const gates = new Map<string, GateNodeObservation>()
  const externals = new Map<string, ExternalObservation>()
  const verdictOf = (id: string) => spec.verdicts[spec.nodes.findIndex((n) => n.id === id)]
  const checkPreds = (id: string, s: ExecutionStatus): void => {
    for (const pred of hardPreds(id)) {
      const p = s.nodeStatuses?.[pred]
      expect(p?.phase === 'Succeeded' || (p?.phase === 'Skipped' && p.reason === 'ConditionFalse')).toBe(true)
    }
  }
  let status: ExecutionStatus | undefined
  let clock = 0
  for (let step = 0; step < 2_000; step += 1) {
    const cancelRequested = step >= cancelAt
    const observation = { ...o, status, now: iso(T0 + clock), nowMs: T0 + clock, gates: new Map(gates), externals: new Map(externals), cancelRequested }
    const intents = Object.values(status?.nodeStatuses ?? {}).flatMap((n) => {
      const intent = n?.extensions?.['io.planspec.dispatch'] as { runId: string } | undefined
      return intent === undefined ? [] : [intent.runId]
    })
    const result = reconcileExecution(observation)
    if (cancelRequested && status?.phase !== 'Succeeded' && status?.phase !== 'Failed') {
      // Cancel: every attempt in flight gets exactly one cancel-attempt, and nothing else happens.
      expect(result.actions.map((a) => (a.type === 'cancel-attempt' ? a.runId : a.type)).sort()).toEqual(intents.sort())
      expect(result.status.phase).toBe('Cancelled')
    }
    status = result.status
    for (const action of result.actions) {
      if (action.type === 'activate-gate') {
        checkPreds(action.node, status)
        gates.set(action.node, { phase: verdictOf(action.node) === 'reject' ? 'Rejected' : 'Approved' })
      }
      if (action.type === 'poll-external') {
        checkPreds(action.node, status)
        const verdict = verdictOf(action.node)
        externals.set(action.node, { state: verdict === 'approve' ? 'succeeded' : verdict === 'reject' ? 'failed' : 'pending' })
      }
      if (action.type !== 'dispatch') continue
      ledger.set(action.runId, (ledger.get(action.runId) ?? 0) + 1)
      const node = spec.nodes.find((n) => n.id === action.node) as TestNode
      expect(action.attempt).toBeLessThanOrEqual(((node.retries as number | undefined) ?? 0) + 1)
      checkPreds(action.node, status)
      inFlight.push(action)
    }
    // Idempotence: the same observation with the returned status dispatches nothing more.
    const again = reconcileExecution({ ...observation, status })
    expect(again.actions.filter((a) => a.type === 'dispatch')).toEqual([])
    expect(again.status).toEqual(status)
    if (TERMINAL.has(status.phase as string)) return { status, ledger }
    // Feed back every in-flight attempt's result (hanging ones only time out), plus a stale duplicate.
    for (const action of inFlight.splice(0)) {
      const index = spec.nodes.findIndex((n) => n.id === action.node)
      const node = spec.nodes[index] as TestNode
      const outcome = spec.outcomes[index]?.[action.attempt - 1] ?? 'ok'
      if (outcome === 'hang' && node.timeout !== undefined) continue
      const result = { node: action.node, attempt: action.attempt, now: iso(T0 + clock + 1), nowMs: T0 + clock + 1 }
      status = recordAttemptResult(status, { ...result, outcome: outcome === 'ok' ? 'succeeded' : 'failed', outputs: { 'x-a': action.attempt } })
      expect(recordAttemptResult(status, { ...result, outcome: 'failed' })).toBe(status)
    }
    clock += Math.max(1, result.requeueAfterMs ?? 1)
  }
  throw new Error('execution did not finish within 2000 reconciles')
}

describe('reconcileExecution properties', () => {
  it('drives random DAGs of Tasks, Gates and External nodes to a terminal phase, dispatching each attempt once, after hard predecessors, within retries', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const { status, ledger } = run(spec)
        for (const node of spec.nodes) {
          const ns = status.nodeStatuses?.[node.id]
          expect(['Succeeded', 'Skipped', 'Failed', 'Cancelled']).toContain(ns?.phase)
          expect(ns?.extensions?.['io.planspec.dispatch']).toBeUndefined()
          const attempts = [...ledger.keys()].filter((runId) => runId.startsWith(`u1/${node.id}/`))
          // Attempts are numbered 1..k without gaps and never exceed retries + 1.
          expect(attempts.map((runId) => Number(runId.split('/')[2])).sort((a, b) => a - b)).toEqual(attempts.map((_, i) => i + 1))
          expect(attempts.length).toBeLessThanOrEqual(((node.retries as number | undefined) ?? 0) + 1)
        }
        expect([...ledger.values()].every((count) => count === 1)).toBe(true)
        const failed = spec.nodes.some((node) => status.nodeStatuses?.[node.id]?.phase === 'Failed')
        expect(status.phase).toBe(failed ? 'Failed' : 'Succeeded')
      }),
      { numRuns: 150, verbose: true },
    )
  })

  it('cancels random DAGs at a random step: one cancel-attempt per attempt in flight, every node terminal', () => {
    fc.assert(
      fc.property(specArb, fc.integer({ min: 0, max: 8 }), (spec, cancelAt) => {
        const { status } = run(spec, cancelAt)
        for (const node of spec.nodes) expect(['Succeeded', 'Skipped', 'Failed', 'Cancelled']).toContain(status.nodeStatuses?.[node.id]?.phase)
        expect(['Succeeded', 'Failed', 'Cancelled']).toContain(status.phase)
      }),
      { numRuns: 100 },
    )
  })
})
