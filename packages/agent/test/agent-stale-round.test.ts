import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ledgerRepository } from '@planspec/testing'
import type { AgentTrust } from '../src/index.js'
import { cleanup, startAgent, startRemote, tempDir, until } from './helpers.js'

afterEach(cleanup)

const ledgerLines = (ledger: string): string[] => (existsSync(ledger) ? readFileSync(ledger, 'utf8').trim().split('\n').filter(Boolean) : [])

describe('a round that read the status before a run finished', () => {
  it('does not start the finished run again from the status it read (each attempt dispatched exactly once)', async () => {
    const remote = await startRemote()
    const ledger = join(await tempDir(), 'ledger.txt')
    await remote.push(ledgerRepository({ ledger, executions: 1, sleepMs: 300 }))
    const repo = await remote.open({ agentKey: remote.agentKey })
    // One handle, one cache directory: its reads keep incremental state and fetch into the cache,
    // so the test's uses of it (the polls below, and the calls from inside the agent's rounds)
    // take turns, as the git resource client's do.
    let queue: Promise<unknown> = Promise.resolve()
    const serial = <T>(work: () => Promise<T>): Promise<T> => {
      const turn = queue.then(work, work)
      queue = turn.catch(() => undefined)
      return turn
    }
    const phase = (): Promise<string | undefined> => serial(async () => ((await repo.readStatus()).docs.get('execution/default/e0')?.status as { phase?: string } | undefined)?.phase)
    // The second round goes on only once the run it read as Running has finished: the widest form
    // of a race that a loaded machine makes likely.
    let rounds = 0
    let raced = false
    const trust: AgentTrust = {
      changeAuthor: (item) => serial(() => repo.changeAuthor(item)),
      reachable: (revision) => serial(() => repo.reachable(revision)),
      // Asked once per round, right after the round read the status branch.
      async signers() {
        rounds++
        if (rounds === 2) {
          raced = (await phase()) !== 'Succeeded'
          await until(async () => (await phase()) === 'Succeeded')
          // The run's promise settles just after its last push lands.
          await new Promise((resolve) => setTimeout(resolve, 300))
        }
        return serial(() => repo.signers())
      },
    }
    const { agent } = await startAgent(remote, { trust, intervalMs: 100 })
    const running = agent.run()
    await until(async () => (await phase()) === 'Succeeded' && rounds >= 3, 60_000)
    // Long enough for a run started again to dispatch its nodes.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    agent.stop()
    await running
    expect(raced).toBe(true)
    const dispatched = ledgerLines(ledger)
    expect(new Set(dispatched).size).toBe(dispatched.length)
    expect(dispatched).toHaveLength(2)
    expect(await phase()).toBe('Succeeded')
  }, 120_000)
})
