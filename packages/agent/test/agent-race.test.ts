import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ledgerRepository } from '@planspec/testing'
import { cleanup, startAgent, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

describe('several agents on one repository', () => {
  it('three racing agents: every Execution runs to completion, each attempt dispatched exactly once, no status lost', async () => {
    const remote = await startRemote()
    const ledger = join(await tempDir(), 'ledger.txt')
    const executions = 4
    await remote.push(ledgerRepository({ ledger, executions, sleepMs: 50 }))
    const agents = await Promise.all([0, 1, 2].map(() => startAgent(remote, { maxNewLeases: 1 })))
    await Promise.all(agents.map(({ agent }) => agent.runOnce()))
    // A last round by each picks up anything a lost race left (leases released at the end).
    await Promise.all(agents.map(({ agent }) => agent.runOnce()))

    const status = await (await remote.open()).readStatus()
    for (let i = 0; i < executions; i++) expect(status.docs.get(`execution/default/e${i}`)?.status, `e${i}`).toMatchObject({ phase: 'Succeeded', nodeStatuses: { a: { phase: 'Succeeded', attempt: 1 }, b: { phase: 'Succeeded', attempt: 1 } } })
    const dispatched = existsSync(ledger) ? readFileSync(ledger, 'utf8').trim().split('\n') : []
    expect(new Set(dispatched).size).toBe(dispatched.length)
    expect(dispatched).toHaveLength(executions * 2)
  }, 120_000)
})
