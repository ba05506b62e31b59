import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExecutionStatus } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { createProviders } from '../../src/create-providers.js'
import { createCelEvaluator, prepareRun, runExecution, type ResourceLike, type RunState } from '../../src/runner/index.js'
import { isBlockedOnBindings, missingBindingsMessage, releaseBindingBlock } from '../../src/runner/missing-bindings.js'

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  const timer = setTimeout(resolve, Math.min(ms, 20))
  signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
})
const res = (kind: string, name: string, spec: Record<string, unknown>): ResourceLike => ({ kind, name, namespace: 'default', value: { apiVersion: 'planspec.io/v1alpha1', kind, metadata: { name, namespace: 'default' }, spec } })
const PLAN = res('Plan', 'p', { graph: { nodes: [{ id: 'a', kind: 'Task', name: 'A', capabilityRefs: [{ name: 'cap' }] }, { id: 'b', kind: 'Task', name: 'B', dependsOn: ['a'], capabilityRefs: [{ name: 'cap' }] }] } })
const EXECUTION = res('Execution', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'later' }, nodeBindings: { b: { name: 'other', namespace: 'team' } } })
const BINDING = (name: string, namespace = 'default'): ResourceLike => ({ ...res('Binding', name, { rules: [{ selector: { capabilityRef: { name: 'cap', namespace: 'default' } }, target: { provider: 'noop://x' } }] }), namespace })

/** A state kept in memory the way a state file keeps it (a JSON round trip). */
function memoryState(): RunState & { current(): ExecutionStatus | undefined; saves: number } {
  let text: string | undefined
  const state = {
    saves: 0,
    current: () => (text === undefined ? undefined : (JSON.parse(text) as ExecutionStatus)),
    load: async () => state.current(),
    save: async (status: ExecutionStatus) => {
      state.saves++
      text = JSON.stringify(status)
    },
  }
  return state
}

const deps = (state: RunState) => ({ providers: createProviders({ policy: { allowCommands: [], allowUrls: [] } }), evaluate: createCelEvaluator(), now: Date.now, sleep, workspace: mkdtempSync(join(tmpdir(), 'planspec-missing-')), state })

describe('a missing Binding', () => {
  it('is listed by prepareRun with the field that names it, once per Binding', () => {
    const prepared = prepareRun([PLAN, EXECUTION], { name: 'e', namespace: 'default' })
    expect(prepared.input.missingBindings).toEqual(['Binding "default/later" (spec.bindingRef)', 'Binding "team/other" (spec.nodeBindings.b)'])
    expect(prepareRun([PLAN, EXECUTION, BINDING('later'), BINDING('other', 'team')], { name: 'e', namespace: 'default' }).input.missingBindings).toBeUndefined()
  })

  it('keeps a run that has not started Blocked/BindingNotFound, dispatching nothing, and starts it once the Binding exists', async () => {
    const state = memoryState()
    const blocked = await runExecution(prepareRun([PLAN, EXECUTION], { name: 'e', namespace: 'default' }).input, deps(state))
    const message = missingBindingsMessage(['Binding "default/later" (spec.bindingRef)', 'Binding "team/other" (spec.nodeBindings.b)'])
    expect(blocked).toMatchObject({ phase: 'Blocked', reason: 'BindingNotFound', message })
    expect(message).toBe('waiting for Binding "default/later" (spec.bindingRef), Binding "team/other" (spec.nodeBindings.b): they do not exist; apply them and the run starts')
    // It started from the status the server sets on create (Accepted/ExecutionCreated), as in every mode.
    expect(blocked.observedGeneration).toBe(1)
    expect(blocked.conditions).toEqual([expect.objectContaining({ type: 'Accepted', status: 'True', reason: 'ExecutionCreated' }), expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'BindingNotFound', message })])
    expect(blocked.nodeStatuses).toBeUndefined()
    expect(state.current()).toEqual(blocked)
    // Idempotent: another round with the Binding still missing writes nothing.
    const saves = state.saves
    expect(await runExecution(prepareRun([PLAN, EXECUTION], { name: 'e', namespace: 'default' }).input, deps(state))).toEqual(blocked)
    expect(state.saves).toBe(saves)
    // One Binding appears: still waiting, for the other one only.
    const half = await runExecution(prepareRun([PLAN, EXECUTION, BINDING('later')], { name: 'e', namespace: 'default' }).input, deps(state))
    expect(half.message).toBe(missingBindingsMessage(['Binding "team/other" (spec.nodeBindings.b)']))
    const done = await runExecution(prepareRun([PLAN, EXECUTION, BINDING('later'), BINDING('other', 'team')], { name: 'e', namespace: 'default' }).input, deps(state))
    expect(done.phase, JSON.stringify(done)).toBe("Succeeded")
    expect(Object.values(done.nodeStatuses ?? {}).map((n) => n?.phase)).toEqual(['Succeeded', 'Succeeded'])
    expect(done.conditions?.find((c) => c.type === 'Progressing')?.reason).not.toBe('BindingNotFound')
  })

  it('cancels, rather than blocks, a run cancelled while its Binding is missing', async () => {
    const controller = new AbortController()
    controller.abort()
    const status = await runExecution(prepareRun([PLAN, EXECUTION], { name: 'e', namespace: 'default' }).input, { ...deps(memoryState()), signal: controller.signal })
    expect(status.phase).toBe('Cancelled')
  })

  it('releases a waiting status into a fresh one, keeping what is not about the wait', () => {
    const started: ExecutionStatus = { phase: 'Blocked', reason: 'BindingNotFound', message: 'm', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', lastTransitionTime: 't' }, { type: 'Progressing', status: 'False', reason: 'BindingNotFound', message: 'm', lastTransitionTime: 't' }] }
    expect(isBlockedOnBindings(started)).toBe(true)
    expect(releaseBindingBlock(started)).toEqual({ conditions: [started.conditions![0]] })
    expect(isBlockedOnBindings({ phase: 'Blocked', reason: 'AwaitingClaim' })).toBe(false)
  })
})
