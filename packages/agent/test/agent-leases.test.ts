import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ledgerRepository, runGit } from '@planspec/testing'
import { acquireLease, createGitStoreCache, releaseLease, takeLease, type Lease } from '@planspec/git-store'
import { createStatusWriter, gitAgentRepo } from '../src/index.js'
import { cleanup, fs, http, startAgent, startRemote, tempDir, type Remote } from './helpers.js'

afterEach(cleanup)

const T0 = Date.parse('2030-01-01T00:00:00.000Z')
const LEASE_FILE = 'leases/default/executions/e0.yaml'
const at = (ms: number): string => new Date(ms).toISOString()

/** The lease file of e0 at each status commit that changed it, oldest first, with the commit time. */
async function leaseHistory(remote: Remote): Promise<{ lease: Record<string, unknown>; time: number }[]> {
  const log = (await runGit(['log', '--reverse', '--format=%H %at', 'planspec/status', '--', LEASE_FILE], { cwd: remote.bare })).stdout.trim().split('\n')
  const out: { lease: Record<string, unknown>; time: number }[] = []
  for (const line of log) {
    const [commit, time] = line.split(' ') as [string, string]
    const shown = await runGit(['show', `${commit}:${LEASE_FILE}`], { cwd: remote.bare })
    out.push({ lease: parse(shown.stdout) as Record<string, unknown>, time: Number(time) })
  }
  return out
}

/** A person's (or another agent's) view of the status branch, with the agents' key. */
async function statusOf(remote: Remote) {
  return (await remote.open({ agentKey: remote.agentKey })).readStatus()
}

describe("the agent's leases are git-store's leases", () => {
  it('a fixed clock gives the same lease times in every status commit, and the commits carry that time', async () => {
    const remote = await startRemote()
    const ledger = join(await tempDir(), 'ledger.txt')
    await remote.push(ledgerRepository({ ledger, executions: 1 }))
    const now = (): number => T0
    const repo = gitAgentRepo({ fs, http, dir: await tempDir('planspec-clone-'), url: remote.url, cache: createGitStoreCache(), timeoutMs: 5_000, agentKey: remote.agentKey, now })
    const { agent } = await startAgent(remote, { repo, trust: repo, desiredAt: (rev) => repo.desiredAt(rev), now, leaseMs: 45_000 })
    await agent.runOnce()

    expect(readFileSync(ledger, 'utf8').trim().split('\n')).toHaveLength(2)
    const history = await leaseHistory(remote)
    // Taken in the round's status commit, then released when the run finished (runOnce's end).
    expect(history.map((h) => h.lease)).toEqual([
      { apiVersion: 'planspec.io/v1alpha1', kind: 'Lease', target: { kind: 'Execution', namespace: 'default', name: 'e0' }, holder: agent.holder, epoch: 1, acquiredAt: at(T0), renewedAt: at(T0), expiresAt: at(T0 + 45_000) },
      { apiVersion: 'planspec.io/v1alpha1', kind: 'Lease', target: { kind: 'Execution', namespace: 'default', name: 'e0' }, holder: agent.holder, epoch: 1, acquiredAt: at(T0), renewedAt: at(T0), expiresAt: at(T0) },
    ])
    for (const h of history) expect(h.time).toBe(T0 / 1000)
    const status = await statusOf(remote)
    expect(status.docs.get('execution/default/e0')?.status).toMatchObject({ phase: 'Succeeded' })
    expect(status.leases.get('execution/default/e0')).toMatchObject({ holder: agent.holder, epoch: 1, expiresAt: at(T0) })
  }, 120_000)

  it("keeps off a live lease another holder took with git-store's acquireLease, and takes it over with the next epoch once it expired", async () => {
    const remote = await startRemote()
    const ledger = join(await tempDir(), 'ledger.txt')
    await remote.push(ledgerRepository({ ledger, executions: 1 }))
    const foreign = { fs, http, dir: await tempDir('planspec-foreign-'), url: remote.url, agentKey: remote.agentKey }
    const taken = await acquireLease({ ...foreign, execution: { namespace: 'default', name: 'e0' }, holder: 'other-agent', durationMs: 60_000, now: () => T0 })
    expect(taken.lease).toMatchObject({ epoch: 1, expiresAt: at(T0 + 60_000) })

    let clock = T0 + 1_000
    const { agent } = await startAgent(remote, { now: () => clock, leaseMs: 30_000 })
    const held = await agent.runOnce()
    expect(held.leasedElsewhere).toEqual(['execution/default/e0'])
    expect(() => readFileSync(ledger, 'utf8')).toThrow()
    expect((await statusOf(remote)).leases.get('execution/default/e0')).toMatchObject({ holder: 'other-agent', epoch: 1 })

    clock = T0 + 60_000
    const after = await agent.runOnce()
    expect(after.leasedElsewhere).toEqual([])
    expect(readFileSync(ledger, 'utf8').trim().split('\n')).toHaveLength(2)
    const status = await statusOf(remote)
    expect(status.docs.get('execution/default/e0')?.status).toMatchObject({ phase: 'Succeeded' })
    expect(status.leases.get('execution/default/e0')).toMatchObject({ holder: agent.holder, epoch: 2, acquiredAt: at(T0 + 60_000) })
  }, 120_000)

  it('a run that lost its lease to a take-over cannot save its status: LeaseLostError, and nothing of it is written', async () => {
    const remote = await startRemote()
    const revision = await remote.push(ledgerRepository({ ledger: join(await tempDir(), 'ledger.txt'), executions: 1 }))
    let clock = T0
    const repo = await remote.open({ agentKey: remote.agentKey })
    await repo.readDesired()
    const writer = createStatusWriter({ repo, holder: 'agent-a', now: () => clock, pause: async () => undefined })
    writer.adopt(await repo.readStatus())
    const subject = 'execution/default/e0'
    const mine: Lease = takeLease(undefined, { namespace: 'default', name: 'e0', holder: 'agent-a' }, clock, 10_000)
    await writer.write({ leases: new Map([[subject, mine]]), partial: true }, revision, 'take')
    expect([...writer.held()]).toEqual([subject])

    // agent-a stalls past its lease; another agent takes the lease over through git-store.
    clock = T0 + 20_000
    const over = await acquireLease({ fs, http, dir: await tempDir('planspec-foreign-'), url: remote.url, agentKey: remote.agentKey, execution: { namespace: 'default', name: 'e0' }, holder: 'agent-b', now: () => clock })
    expect(over.lease).toMatchObject({ holder: 'agent-b', epoch: 2 })

    const save = writer.write({ docs: new Map([[subject, { kind: 'Execution', namespace: 'default', name: 'e0', status: { phase: 'Running' } }]]) }, revision, 'save')
    await expect(save).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_LEASE_LOST', data: { subject, holder: 'agent-b' } })
    expect(writer.held().has(subject)).toBe(false)
    const status = await statusOf(remote)
    expect(status.docs.has(subject)).toBe(false)
    expect(status.leases.get(subject)).toMatchObject({ holder: 'agent-b', epoch: 2 })
  }, 120_000)

  it('decides a lease again on the head it is pushed on after a lost race, so its epoch never goes back', async () => {
    const remote = await startRemote()
    const revision = await remote.push(ledgerRepository({ ledger: join(await tempDir(), 'ledger.txt'), executions: 1 }))
    const clock = T0
    const repo = await remote.open({ agentKey: remote.agentKey })
    await repo.readDesired()
    const writer = createStatusWriter({ repo, holder: 'agent-a', now: () => clock, pause: async () => undefined })
    writer.adopt(await repo.readStatus())
    // Meanwhile another agent takes the lease and releases it (epoch 1, expired): agent-a's view is stale.
    const foreign = { fs, http, dir: await tempDir('planspec-foreign-'), url: remote.url, agentKey: remote.agentKey, execution: { namespace: 'default', name: 'e0' }, holder: 'agent-b', now: () => clock }
    await acquireLease(foreign)
    expect(await releaseLease(foreign)).toMatchObject({ released: true })

    const subject = 'execution/default/e0'
    const decided = takeLease(undefined, { namespace: 'default', name: 'e0', holder: 'agent-a' }, clock, 30_000)
    expect(decided.epoch).toBe(1)
    await writer.write({ leases: new Map([[subject, decided]]), partial: true }, revision, 'take')
    const status = await statusOf(remote)
    expect(status.leases.get(subject)).toEqual({ namespace: 'default', name: 'e0', holder: 'agent-a', epoch: 2, acquiredAt: at(T0), renewedAt: at(T0), expiresAt: at(T0 + 30_000) })
    expect([...writer.held()]).toEqual([subject])
  }, 120_000)

  it("retries a lost race on the engine's work queue after core's backoff; writes that come during the backoff go in the next commit; a race lost too often rejects its writers", async () => {
    const remote = await startRemote()
    const revision = await remote.push(ledgerRepository({ ledger: join(await tempDir(), 'ledger.txt'), executions: 2 }))
    const clock = T0
    const repo = await remote.open({ agentKey: remote.agentKey })
    await repo.readDesired()
    const foreign = (name: string) => ({ fs, http, dir: join(tempRoot, name), url: remote.url, agentKey: remote.agentKey, execution: { namespace: 'default', name: 'e1' }, holder: 'agent-b', now: () => clock })
    const tempRoot = await tempDir('planspec-foreign-')
    const pauses: number[] = []
    let late: Promise<void> | undefined
    const doc = (phase: string) => new Map([['execution/default/e0', { kind: 'Execution', namespace: 'default', name: 'e0', status: { phase } }]])
    const writer = createStatusWriter({
      repo,
      holder: 'agent-a',
      now: () => clock,
      pause: async (ms) => {
        pauses.push(ms)
        // A write that arrives while the lost race backs off waits for the next commit.
        late ??= writer.write({ docs: doc('Succeeded') }, revision, 'second')
      },
    })
    writer.adopt(await repo.readStatus())
    // Another agent moves the branch: agent-a's next push starts from a stale head and loses the race.
    await acquireLease(foreign('b1'))
    await writer.write({ docs: doc('Running') }, revision, 'first')
    await late
    // One backoff after the lost race (at most the first step of PUSH_BACKOFF), then the next batch at once.
    expect(pauses).toHaveLength(2)
    expect(pauses[0]).toBeLessThanOrEqual(100)
    expect(pauses[1]).toBe(0)
    const messages = (await runGit(['log', '--format=%s', 'planspec/status'], { cwd: remote.bare })).stdout.trim().split('\n')
    expect(messages.slice(0, 2).map((m) => m.split('\n')[0])).toEqual(['second', 'first'])
    expect((await statusOf(remote)).docs.get('execution/default/e0')).toMatchObject({ status: { phase: 'Succeeded' } })

    // With one attempt allowed, a lost race is final: the writer is rejected with the conflict.
    const once = createStatusWriter({ repo, holder: 'agent-a', now: () => clock, maxAttempts: 1, pause: async () => undefined })
    once.adopt(await repo.readStatus())
    await releaseLease(foreign('b2'))
    await expect(once.write({ docs: doc('Failed') }, revision, 'third')).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_CONFLICT' })
  }, 120_000)
})
