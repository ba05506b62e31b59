import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ledgerRepository } from '@planspec/testing'
import { cleanup, filesOf, startAgent, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('agent faults', () => {
  it('says so when the tracked branch is force-pushed, and keeps going from the new history', async () => {
    const remote = await startRemote()
    const files = filesOf('examples/minimal')
    await remote.push(files)
    const { agent, logs } = await startAgent(remote)
    await agent.runOnce()
    await remote.push({ ...files, 'planspec/extra.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: { name: rewritten }\nspec: { description: After the force-push }\n' }, { orphan: true, message: 'rewrite history' })
    await agent.runOnce()
    expect(logs.some((l) => String(l.msg).startsWith('the tracked branch was rewritten'))).toBe(true)
    const status = await (await remote.open()).readStatus()
    expect(status.docs.get('goal/default/rewritten')).toBeDefined()
    expect((status.docs.get('execution/default/changelog-2025-w10')?.status as { phase?: string }).phase).toBe('Blocked')
  }, 60_000)

  it('backs off while the remote is down, reports not ready, and converges when it returns', async () => {
    const remote = await startRemote()
    const ledger = join(await tempDir(), 'ledger.txt')
    await remote.push(ledgerRepository({ ledger, executions: 1 }))
    const { agent, logs } = await startAgent(remote)
    await remote.server.down('refuse')
    const running = agent.run()
    await until(() => logs.filter((l) => String(l.msg).startsWith('sync round failed')).length >= 2)
    expect(agent.ready().ready).toBe(false)
    expect(agent.ready().reason).toMatch(/unreachable|ECONNREFUSED|connect/i)
    const failedRounds = logs.filter((l) => String(l.msg).startsWith('sync round failed')).length
    await remote.server.up()
    const person = await remote.open()
    await until(async () => ((await person.readStatus()).docs.get('execution/default/e0')?.status as { phase?: string } | undefined)?.phase === 'Succeeded')
    expect(agent.ready().ready).toBe(true)
    // Backoff: far fewer failed rounds than one per 200 ms interval would give.
    expect(failedRounds).toBeLessThan(20)
    agent.stop()
    await running
  }, 90_000)

  it('keeps running the spec an Execution started with when its file is edited, and says so', async () => {
    const remote = await startRemote()
    const files = filesOf('examples/minimal')
    await remote.push({ ...files, '.planspec/allowed-signers': await remote.signers({ 'editor@example.com': 'editor' }) })
    const { agent } = await startAgent(remote, { teams: new Map([['team:acme/editors', ['email:editor@example.com']]]) })
    await agent.runOnce()
    const executionFile = Object.keys(files).find((f) => f.includes('executions/'))!
    await remote.push({ [executionFile]: files[executionFile]!.replace('name: changelog-providers', 'name: changelog-providers\n  parameters:\n    x-extra: changed') })
    const person = await remote.open()
    await remote.request({ name: 'Ed', email: 'editor@example.com' }, 'editor', { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, targetGeneration: 1 })
    await agent.runOnce()
    const status = (await person.readStatus()).docs.get('execution/default/changelog-2025-w10')?.status as { phase: string; conditions: { type: string; status: string; reason: string }[] }
    expect(status.phase).toBe('Succeeded')
    expect(status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'SpecChanged', status: 'True', reason: 'ImmutableSpec' })]))
  }, 90_000)
})
