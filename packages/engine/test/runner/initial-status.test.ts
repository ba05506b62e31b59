// Every mode's run starts from the one status the server sets on create (core's initialStatus):
// a run with no stored status (git mode's first run, `planspec run` without --state) starts from
// it, dated by the Execution's creationTimestamp and at its generation; a stored status is kept.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { initialStatus, type ExecutionStatus } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { createProviders } from '../../src/create-providers.js'
import { createCelEvaluator, prepareRun, runExecution, type ResourceLike, type RunState } from '../../src/runner/index.js'

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  const timer = setTimeout(resolve, Math.min(ms, 20))
  signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
})
const CREATED = '2026-01-02T03:04:05.000Z'
const res = (kind: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): ResourceLike => ({ kind, name, namespace: 'default', value: { apiVersion: 'planspec.io/v1alpha1', kind, metadata: { name, namespace: 'default', ...metadata }, spec } })
const PLAN = res('Plan', 'p', { graph: { nodes: [{ id: 'a', kind: 'Task', name: 'A', capabilityRefs: [{ name: 'cap' }] }] } })
const BINDING = res('Binding', 'b', { rules: [{ selector: { capabilityRef: { name: 'cap', namespace: 'default' } }, target: { provider: 'noop://x' } }] })
const EXECUTION = (metadata: Record<string, unknown>): ResourceLike => res('Execution', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'b' } }, metadata)

/** A state kept in memory the way a state file keeps it (a JSON round trip), recording every save. */
function memoryState(initial?: ExecutionStatus): RunState & { saved: ExecutionStatus[] } {
  const saved: ExecutionStatus[] = []
  return {
    saved,
    load: async () => (saved.length ? saved[saved.length - 1] : initial),
    save: async (status: ExecutionStatus) => void saved.push(JSON.parse(JSON.stringify(status)) as ExecutionStatus),
  }
}

const run = (execution: ResourceLike, state: RunState, others: readonly ResourceLike[] = [PLAN, BINDING], now = Date.parse('2026-02-01T00:00:00Z')) =>
  runExecution(prepareRun([...others, execution], { name: 'e', namespace: 'default' }).input, { providers: createProviders({ policy: { allowCommands: [], allowUrls: [] } }), evaluate: createCelEvaluator(), now: () => now, sleep, workspace: mkdtempSync(join(tmpdir(), 'planspec-initial-')), state })

describe('the status a run starts from', () => {
  it('is core initialStatus at the Execution generation, dated by its creationTimestamp, when nothing is stored', async () => {
    // Its Binding is missing: the run waits before reconciling, so the first save shows the start as is.
    const state = memoryState()
    const blocked = await run(EXECUTION({ generation: 3, creationTimestamp: CREATED }), state, [PLAN])
    expect(blocked).toMatchObject({ phase: 'Blocked', reason: 'BindingNotFound', observedGeneration: 3 })
    expect(state.saved[0]!.conditions![0]).toEqual(initialStatus('Execution', 3, CREATED).conditions![0])
  })

  it('is dated by the run start when the files carry no metadata (planspec run), at generation 1, and kept by the run', async () => {
    const state = memoryState()
    const done = await run(EXECUTION({}), state, [PLAN, BINDING], Date.parse('2026-03-01T00:00:00Z'))
    expect(done.phase).toBe('Succeeded')
    expect(done.observedGeneration).toBe(1)
    // The run's reconcile moves Accepted on (its own reason) without a transition: the date stays the start's.
    expect(done.conditions?.find((c) => c.type === 'Accepted')).toMatchObject({ status: 'True', lastTransitionTime: '2026-03-01T00:00:00.000Z' })
  })

  it('is the stored status when there is one: nothing is added to a run that already started', async () => {
    const stored: ExecutionStatus = { phase: 'Succeeded', startTime: CREATED, completionTime: CREATED, nodeStatuses: { a: { phase: 'Succeeded', attempt: 1 } }, conditions: [] }
    const state = memoryState(stored)
    const done = await run(EXECUTION({ generation: 2, creationTimestamp: CREATED }), state)
    expect(done.conditions?.find((c) => c.type === 'Accepted')).toBeUndefined()
    expect(done.observedGeneration).toBeUndefined()
  })
})
