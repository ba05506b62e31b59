import { createRedactor } from '@planspec/core'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, filesOf, startAgent, startRemote } from './helpers.js'

afterEach(cleanup)

const EDITOR = { name: 'Eddie Editor', email: 'editor@example.com' }
const AUTHOR = { name: 'Fixture Author', email: 'author@fixture.invalid' }
const teams = new Map([['team:acme/editors', ['email:editor@example.com', 'email:author@fixture.invalid']]])
const EXECUTION = 'execution/default/changelog-2025-w10'

describe('agent end to end over a real git server', () => {
  it('runs the minimal example: blocked on its gate, approved through a request file, then Succeeded, all recorded on the status branch', async () => {
    const remote = await startRemote()
    await remote.push(filesOf('examples/minimal'), { author: AUTHOR, message: 'add the changelog plan' })
    const { agent } = await startAgent(remote, { teams })

    await agent.runOnce()
    const person = await remote.open()
    let status = await person.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { collect: { phase: 'Succeeded' }, draft: { phase: 'Succeeded' }, 'editor-approval': { phase: 'Blocked', reason: 'AwaitingApproval' } } })
    expect(status.docs.get('plan/default/publish-changelog')?.status).toMatchObject({ phase: 'Ready' })
    expect(status.docs.get('gate/default/changelog-approval')?.status).toMatchObject({ phase: 'Waiting' })

    await person.appendRequest({ action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, comment: 'reads well', targetGeneration: 1 }, EDITOR)
    await agent.runOnce()
    status = await person.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Succeeded', nodeStatuses: { publish: { phase: 'Succeeded', outputs: { post_url: 'https://engineering.example.com/changelog/2025-w10' } } } })
    expect(status.docs.get('gate/default/changelog-approval')?.status).toMatchObject({ phase: 'Approved', resolution: { outcome: 'approved', actors: ['email:editor@example.com'] } })
    expect(status.docs.get('goal/default/weekly-changelog')?.status).toMatchObject({ phase: 'Succeeded' })
    // The lease of a finished run is released.
    expect(status.leases.has(EXECUTION)).toBe(false)
  })

  it('refuses an approval by the author of the change that created the Execution, and by a non-reviewer', async () => {
    const remote = await startRemote()
    await remote.push(filesOf('examples/minimal'), { author: AUTHOR })
    const { agent, logs } = await startAgent(remote, { teams })
    await agent.runOnce()
    const person = await remote.open()
    await person.appendRequest({ action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, targetGeneration: 1 }, AUTHOR)
    await person.appendRequest({ action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, targetGeneration: 1 }, { name: 'Mallory', email: 'mallory@example.com' })
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
    await remote.push(filesOf('examples/minimal'), { author: AUTHOR })
    const { agent } = await startAgent(remote, { teams, redactor: createRedactor([canary]) })
    await agent.runOnce()
    const person = await remote.open()
    // A reviewer's comment is copied into the Gate's reviewHistory: not through any run.
    await person.appendRequest({ action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, comment: `token ${canary} and ${Buffer.from(canary).toString('base64')}`, targetGeneration: 1 }, EDITOR)
    await agent.runOnce()
    const status = await person.readStatus()
    const gate = status.docs.get('gate/default/changelog-approval')?.status as { phase: string; reviewHistory: { comment?: string }[] }
    expect(gate.phase).toBe('Approved')
    expect(gate.reviewHistory.at(-1)?.comment).toBe('token [REDACTED] and [REDACTED]')
    expect(JSON.stringify([...status.docs.values()])).not.toContain(canary)
  })
})
