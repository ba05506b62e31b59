import { afterEach, describe, expect, it } from 'vitest'
import type { ExecutionStatus, GateStatus } from '@planspec/core'
import { cleanup, startAgent, startRemote } from './helpers.js'

afterEach(cleanup)

// Workers (people and AI agents through `planspec mcp`) on claimable work, and an agent that tries
// to decide a Gate, against a real git server: the agent judges every request the same way.

const H = 'apiVersion: planspec.io/v1alpha1\n'
const AUTHOR = { name: 'Fixture Author', email: 'author@fixture.invalid' }
const BOT_A = { name: 'svc:writer-a', email: 'svc:writer-a' }
const BOT_B = { name: 'svc:writer-b', email: 'svc:writer-b' }
const EXECUTION = 'execution/default/d1'
const GATE = 'gate/default/docs-review'

const repository = (): Record<string, string> => ({
  'goal.yaml': `${H}kind: Goal\nmetadata: { name: docs }\nspec: { description: Docs get written }\n`,
  'capability.yaml': `${H}kind: Capability\nmetadata: { name: writing }\nspec: { description: Writing }\n`,
  'gate.yaml': `${H}kind: Gate\nmetadata: { name: docs-review }\nspec:\n  gateType: review\n  description: A person reads the draft\n  targetRef: { kind: Plan, name: write-docs, nodeId: review }\n  reviewers: [svc:writer-a, email:editor@example.com]\n`,
  'plan.yaml': `${H}kind: Plan\nmetadata: { name: write-docs }\nspec:\n  description: Agents write, a person reviews, then it ships\n  goalRef: { name: docs }\n  graph:\n    nodes:\n      - { id: write, kind: Task, capabilityRefs: [{ name: writing }], outputs: [url, pages] }\n      - { id: review, kind: Gate, dependsOn: [write], gateRef: { name: docs-review } }\n      - { id: ship, kind: Task, dependsOn: [review], capabilityRefs: [{ name: writing }] }\n`,
  'binding.yaml': `${H}kind: Binding\nmetadata: { name: agents }\nspec:\n  rules:\n    - selector: { planRef: { name: write-docs }, nodeId: write }\n      target: { provider: "agent://docs", config: { assignees: [svc:writer-a, svc:writer-b] } }\n    - selector: { planRef: { name: write-docs }, nodeId: ship }\n      target: { provider: "noop://ship", config: { outputs: { shipped: true } } }\n`,
  'execution.yaml': `${H}kind: Execution\nmetadata: { name: d1 }\nspec:\n  goalRef: { name: docs }\n  planRef: { name: write-docs }\n  bindingRef: { name: agents }\n`,
})
const node = { kind: 'Execution', namespace: 'default', name: 'd1', node: 'write' } as const
const via = 'mcp:test-client/1.0.0'

describe('claimable work between workers', () => {
  it('gives a node to the first claim that counts, refuses the other claim and its completion, refuses a completion missing a declared output, and lets an agent decide a Gate only as a named svc: reviewer', async () => {
    const remote = await startRemote()
    await remote.push({ ...repository(), '.planspec/allowed-signers': await remote.signers({ 'author@fixture.invalid': 'author', 'svc:writer-a': 'a', 'svc:writer-b': 'b', 'editor@example.com': 'editor' }) }, { author: AUTHOR })
    const { agent, repo } = await startAgent(remote)
    await agent.runOnce()
    expect((await repo.readStatus()).docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { write: { phase: 'Blocked', reason: 'AwaitingClaim' } } })

    // Two agents claim the node: the first claim on the branch wins, the second is refused.
    const first = await remote.request(BOT_B, 'b', { action: 'claim', target: node, via })
    const second = await remote.request(BOT_A, 'a', { action: 'claim', target: node, via })
    const stolen = await remote.request(BOT_A, 'a', { action: 'complete', target: node, outputs: { url: 'https://evil', pages: 1 }, via })
    const incomplete = await remote.request(BOT_B, 'b', { action: 'complete', target: node, outputs: { url: 'https://docs.example/d1' }, via })
    await agent.runOnce()
    let status = await repo.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { write: { phase: 'Blocked' } } })
    expect(status.docs.get(EXECUTION)?.refusedRequests).toEqual([
      { id: second, reason: 'AlreadyClaimed' },
      { id: stolen, reason: 'ClaimedByOther' },
      { id: incomplete, reason: 'MissingOutputs' },
    ])
    expect(status.docs.get(EXECUTION)?.refusedRequests?.some((r) => r.id === first)).toBe(false)

    // The holder completes it with every declared output; the run moves on to the Gate.
    await remote.request(BOT_B, 'b', { action: 'complete', target: node, outputs: { url: 'https://docs.example/d1', pages: 3 }, via })
    await agent.runOnce()
    await agent.runOnce()
    status = await repo.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { write: { phase: 'Succeeded', outputs: { url: 'https://docs.example/d1', pages: 3 } }, review: { phase: 'Blocked' } } })

    // Writer B (not named by the Gate) and the editor's key through an agent's client are refused
    // AgentCannotDecide; writer A, named svc:writer-a, decides.
    const gate = { kind: 'Gate', namespace: 'default', name: 'docs-review' } as const
    const byB = await remote.request(BOT_B, 'b', { action: 'approve', target: gate, targetGeneration: 1, via })
    const byEditorAgent = await remote.request({ name: 'Editor', email: 'editor@example.com' }, 'editor', { action: 'approve', target: gate, targetGeneration: 1, via })
    await remote.request(BOT_B, 'b', { action: 'comment', target: gate, comment: 'Draft is ready for review', via })
    await agent.runOnce()
    status = await repo.readStatus()
    const history = (status.docs.get(GATE)?.status as GateStatus).reviewHistory ?? []
    expect(history.map((h) => [h.reviewer, h.action, h.counted ?? null, h.reason ?? null, h.source])).toEqual([
      ['svc:writer-b', 'approve', false, 'AgentCannotDecide', `request:${byB} via ${via}`],
      ['email:editor@example.com', 'approve', false, 'AgentCannotDecide', `request:${byEditorAgent} via ${via}`],
      ['svc:writer-b', 'comment', null, null, expect.stringMatching(/^request:\S+ via mcp:test-client\/1\.0\.0$/)],
    ])
    expect((status.docs.get(GATE)?.status as GateStatus).phase).toBe('Waiting')
    await remote.request(BOT_A, 'a', { action: 'approve', target: gate, targetGeneration: 1, via })
    await agent.runOnce()
    await agent.runOnce()
    status = await repo.readStatus()
    expect((status.docs.get(EXECUTION)?.status as ExecutionStatus).phase).toBe('Succeeded')
  }, 120_000)
})

describe('failed work', () => {
  it('fails a node whose holder reports the work failed, with the message, and ends the run Failed', async () => {
    const remote = await startRemote()
    await remote.push({ ...repository(), '.planspec/allowed-signers': await remote.signers({ 'author@fixture.invalid': 'author', 'svc:writer-a': 'a' }) }, { author: AUTHOR })
    const { agent, repo } = await startAgent(remote)
    await agent.runOnce()
    await remote.request(BOT_A, 'a', { action: 'claim', target: node, via })
    await remote.request(BOT_A, 'a', { action: 'complete', target: node, failed: true, comment: 'the OpenAPI description does not parse', via })
    await agent.runOnce()
    await agent.runOnce()
    const run = (await repo.readStatus()).docs.get(EXECUTION)?.status as ExecutionStatus
    expect(run).toMatchObject({ phase: 'Failed', nodeStatuses: { write: { phase: 'Failed', message: 'the OpenAPI description does not parse' } } })
  }, 120_000)
})
