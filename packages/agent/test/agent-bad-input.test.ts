import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { pushFixture } from '@planspec/testing'
import { cleanup, filesOf, startAgent, startRemote } from './helpers.js'

afterEach(cleanup)

const EXECUTION = 'execution/default/changelog-2025-w10'
type Phase = { phase?: string; nodeStatuses?: Record<string, { phase?: string; attempt?: number }> }

describe('agent bad input', () => {
  it('writes back the last known statuses when the status branch is deleted, and when a status file is garbage: nothing re-runs', async () => {
    const remote = await startRemote()
    await remote.push(filesOf('examples/minimal'))
    const { agent, logs } = await startAgent(remote)
    await agent.runOnce()
    const person = await remote.open()
    const before = (await person.readStatus()).docs.get(EXECUTION)?.status as Phase
    expect(before.phase).toBe('Blocked')

    expect(spawnSync('git', ['--git-dir', remote.bare, 'branch', '-D', 'planspec/status']).status).toBe(0)
    await agent.runOnce()
    let after = (await person.readStatus()).docs.get(EXECUTION)?.status as Phase
    expect(after).toMatchObject({ phase: 'Blocked', nodeStatuses: { collect: { phase: 'Succeeded', attempt: 1 }, draft: { phase: 'Succeeded', attempt: 1 } } })
    expect(logs.some((l) => String(l.msg).includes('restored the last known statuses'))).toBe(true)

    // A person edits the Execution's status file on the status branch into garbage.
    await pushFixture({ remote: remote.bare, branch: 'planspec/status', files: { 'default/executions/changelog-2025-w10.yaml': 'this: [is not, a status\n' }, message: 'edit by hand' })
    await agent.runOnce()
    after = (await person.readStatus()).docs.get(EXECUTION)?.status as Phase
    expect(after).toMatchObject({ phase: 'Blocked', nodeStatuses: { collect: { attempt: 1 }, draft: { attempt: 1 } } })
    // A hand edit carries no agent proof: it is ignored, reported with its commit, and written back.
    expect(logs.some((l) => String(l.msg).startsWith('status file default/executions/changelog-2025-w10.yaml was changed by commit'))).toBe(true)
  }, 90_000)

  it('takes a burst of Executions in bounded rounds and says how many wait for a lease', async () => {
    const remote = await startRemote()
    const files = filesOf('examples/minimal')
    const execution = Object.entries(files).find(([path]) => path.includes('executions/'))!
    // 120 Executions in one commit, each stopping at the gate.
    const burst: Record<string, string> = { ...files }
    for (let i = 0; i < 120; i++) burst[execution[0].replace(/[^/]+$/, `burst-${i}.yaml`)] = execution[1].replace('name: changelog-2025-w10', `name: burst-${i}`)
    await remote.push(burst)
    const { agent, logs } = await startAgent(remote, { maxNewLeases: 25 })
    const running = agent.run()
    const deadline = Date.now() + 60_000
    while (!logs.some((l) => String(l.msg).includes('waiting for a lease')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    agent.stop()
    await running
    const round = logs.find((l) => String(l.msg).includes('waiting for a lease'))!
    expect(round.leased).toBeLessThanOrEqual(25)
    expect(round.backlog).toBeGreaterThanOrEqual(121 - 25)
  }, 120_000)
})

describe('refused tree entries', () => {
  it('logs every refused entry once (link, oversize file, alias bomb) and keeps the last good version of a resource with SourceValid=False', async () => {
    const remote = await startRemote()
    const files = filesOf('examples/minimal')
    await remote.push(files)
    const { agent, repo, logs } = await startAgent(remote)
    await agent.runOnce()
    const goalFile = Object.keys(files).find((f) => f.includes('goals/'))!
    const bomb = `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: { name: bomb }\nspec:\n  description: &a [x, x]\n  context: { a: *a, b: *a }\n`
    await remote.push({ [goalFile]: { symlink: '/etc/passwd' } as never, 'planspec/huge.yaml': `apiVersion: planspec.io/v1alpha1\n${'#'.repeat(1024 * 1024 + 10)}\n`, 'planspec/bomb.yaml': bomb })
    await agent.runOnce()
    const refused = logs.filter((l) => String(l.msg).startsWith('refused ')).map((l) => `${l.file} ${l.code}`).sort()
    expect(refused).toEqual(['planspec/bomb.yaml PS1004', `${goalFile} PS7001`, 'planspec/huge.yaml PS1006'])
    const status = await repo.readStatus()
    expect((status.docs.get('goal/default/weekly-changelog')?.status as { conditions?: unknown[] }).conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'SourceValid', status: 'False', reason: 'LastKnownGood' })]))
  }, 90_000)
})
