import { createRedactor } from '@planspec/core'
import { afterEach, describe, expect, it } from 'vitest'
import { isLeaseLive } from '@planspec/git-store'
import { cleanup, filesOf, NODE, startAgent, startRemote } from './helpers.js'

afterEach(cleanup)

const EDITOR = { name: 'Eddie Editor', email: 'editor@example.com' }
const AUTHOR = { name: 'Fixture Author', email: 'author@fixture.invalid' }
const teams = new Map([['team:acme/editors', ['email:editor@example.com', 'email:author@fixture.invalid']]])
const EXECUTION = 'execution/default/changelog-2025-w10'

describe('agent end to end over a real git server', () => {
  it('runs the minimal example: blocked on its gate, approved through a request file, then Succeeded, all recorded on the status branch', async () => {
    const remote = await startRemote()
    await remote.push({ ...filesOf('examples/minimal'), '.planspec/allowed-signers': await remote.signers({ 'editor@example.com': 'editor', 'author@fixture.invalid': 'author' }) }, { author: AUTHOR, message: 'add the changelog plan' })
    const { agent } = await startAgent(remote, { teams })

    await agent.runOnce()
    const person = await remote.open()
    let status = await person.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { collect: { phase: 'Succeeded' }, draft: { phase: 'Succeeded' }, 'editor-approval': { phase: 'Blocked', reason: 'AwaitingApproval' } } })
    expect(status.docs.get('plan/default/publish-changelog')?.status).toMatchObject({ phase: 'Ready' })
    expect(status.docs.get('gate/default/changelog-approval')?.status).toMatchObject({ phase: 'Waiting' })

    await remote.request(EDITOR, 'editor', { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, comment: 'reads well', targetGeneration: 1 })
    await agent.runOnce()
    status = await person.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Succeeded', nodeStatuses: { publish: { phase: 'Succeeded', outputs: { post_url: 'https://engineering.example.com/changelog/2025-w10' } } } })
    expect(status.docs.get('gate/default/changelog-approval')?.status).toMatchObject({ phase: 'Approved', resolution: { outcome: 'approved', actors: ['email:editor@example.com'] } })
    expect(status.docs.get('goal/default/weekly-changelog')?.status).toMatchObject({ phase: 'Succeeded' })
    // The lease of a finished run is released: marked expired (the file stays, so epochs keep growing).
    const lease = status.leases.get(EXECUTION)
    // Two tenures: the first --once round released it while the run waited on the Gate.
    expect(lease).toMatchObject({ holder: agent.holder, epoch: 2 })
    expect(lease?.expiresAt).toBe(lease?.renewedAt)
    expect(isLeaseLive(lease!, Date.now())).toBe(false)
  })

  it('refuses an approval by the author of the change that created the Execution, and by a non-reviewer', async () => {
    const remote = await startRemote()
    await remote.push({ ...filesOf('examples/minimal'), '.planspec/allowed-signers': await remote.signers({ 'editor@example.com': 'editor', 'author@fixture.invalid': 'author', 'mallory@example.com': 'mallory' }) }, { author: AUTHOR })
    const { agent, logs } = await startAgent(remote, { teams })
    await agent.runOnce()
    const person = await remote.open()
    await remote.request(AUTHOR, 'author', { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, targetGeneration: 1 })
    await remote.request({ name: 'Mallory', email: 'mallory@example.com' }, 'mallory', { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, targetGeneration: 1 })
    await agent.runOnce()
    const status = await person.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Blocked' })
    expect(status.docs.get('gate/default/changelog-approval')?.status).toMatchObject({ phase: 'Waiting' })
    const refusals = logs.filter((l) => typeof l.msg === 'string' && (l.msg as string).includes('refused')).map((l) => `${l.reviewer} ${l.reason}`)
    expect(refusals).toEqual(expect.arrayContaining(['email:author@fixture.invalid SelfApproval', 'email:mallory@example.com NotEligible']))
  })

  it('masks known secrets in every status document it commits (the status branch is a sink), whatever brought them', async () => {
    const canary = 'canary-secret-6f1d2c8e9a'
    const remote = await startRemote()
    await remote.push({ ...filesOf('examples/minimal'), '.planspec/allowed-signers': await remote.signers({ 'editor@example.com': 'editor', 'author@fixture.invalid': 'author' }) }, { author: AUTHOR })
    const { agent } = await startAgent(remote, { teams, redactor: createRedactor([canary]) })
    await agent.runOnce()
    const person = await remote.open()
    // A reviewer's comment is copied into the Gate's reviewHistory: not through any run.
    await remote.request(EDITOR, 'editor', { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, comment: `token ${canary} and ${Buffer.from(canary).toString('base64')}`, targetGeneration: 1 })
    await agent.runOnce()
    const status = await person.readStatus()
    const gate = status.docs.get('gate/default/changelog-approval')?.status as { phase: string; reviewHistory: { comment?: string }[] }
    expect(gate.phase).toBe('Approved')
    expect(gate.reviewHistory.at(-1)?.comment).toBe('token [REDACTED] and [REDACTED]')
    expect(JSON.stringify([...status.docs.values()])).not.toContain(canary)
  })
})

describe('workspaces', () => {
  it('runs each Execution in its own fresh, randomly named, owner-only directory', async () => {
    const remote = await startRemote()
    const H = 'apiVersion: planspec.io/v1alpha1\n'
    const script = "const fs = require('fs'); console.log(JSON.stringify({ cwd: process.cwd(), mode: (fs.statSync('.').mode & 0o777).toString(8) }))"
    const files: Record<string, string> = {
      'goal.yaml': `${H}kind: Goal\nmetadata: { name: g }\nspec: { description: A goal }\n`,
      'capability.yaml': `${H}kind: Capability\nmetadata: { name: work }\nspec: { description: Work }\n`,
      'plan.yaml': `${H}kind: Plan\nmetadata: { name: p }\nspec:\n  description: one step\n  goalRef: { name: g }\n  graph:\n    nodes:\n      - { id: a, kind: Task, capabilityRefs: [{ name: work }], outputs: [cwd, mode] }\n`,
      'binding.yaml': `${H}kind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: work } }\n      target:\n        provider: exec://where\n        config: { command: ${JSON.stringify([NODE, '-e', script])} }\n`,
      'e1.yaml': `${H}kind: Execution\nmetadata: { name: e1 }\nspec: { goalRef: { name: g }, planRef: { name: p }, bindingRef: { name: b } }\n`,
      'e2.yaml': `${H}kind: Execution\nmetadata: { name: e2 }\nspec: { goalRef: { name: g }, planRef: { name: p }, bindingRef: { name: b } }\n`,
    }
    await remote.push(files)
    const { agent, repo } = await startAgent(remote)
    await agent.runOnce()
    const status = await repo.readStatus()
    const outputs = ['e1', 'e2'].map((name) => (status.docs.get(`execution/default/${name}`)?.status as { nodeStatuses: { a: { outputs: { cwd: string; mode: string } } } }).nodeStatuses.a.outputs)
    expect(outputs.map((o) => o.mode)).toEqual(['700', '700'])
    expect(outputs[0]!.cwd).not.toBe(outputs[1]!.cwd)
    expect(outputs.map((o) => /\/default-e[12]-[A-Za-z0-9]{6}$/.test(o.cwd))).toEqual([true, true])
  }, 60_000)
})
