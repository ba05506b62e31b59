import { afterEach, describe, expect, it } from 'vitest'
import { pushFixture, runGit } from '@planspec/testing'
import { appendRequest, readRequests, readStatus, writeStatusCommit, type PlanSpecRequest } from '../src/index.js'
import { cleanup, fs, sharedCache, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

function approve(by: string, name = 'release'): PlanSpecRequest {
  return { action: 'approve', target: { kind: 'Gate', namespace: 'default', name }, by, generation: 1, comment: `ok from ${by}` }
}

describe('requests', () => {
  it('lands every request of three concurrent writers, each in its own commit, in commit order with its author', async () => {
    const remote = await startRemote()
    const writers = await Promise.all(['alice', 'bob', 'carol'].map(async (who) => ({ who, agent: await remote.agent() })))
    const results = await Promise.all(
      writers.map(({ who, agent }) => appendRequest({ ...agent, request: approve(`user:${who}`), author: { name: who, email: `${who}@example.org` } })),
    )
    expect(new Set(results.map((r) => r.path)).size).toBe(3)
    const log = await readRequests(await remote.agent())
    expect(log.requests.map((r) => r.request.by).sort()).toEqual(['user:alice', 'user:bob', 'user:carol'])
    for (const record of log.requests) {
      expect(record.author.email).toBe(`${record.request.by.slice(5)}@example.org`)
      expect(results.find((r) => r.id === record.id)!.commit).toBe(record.commit)
    }
    // Commit order is the order of the first-parent history.
    const commits = (await runGit(['rev-list', '--reverse', '--first-parent', 'planspec/status'], { cwd: remote.bare })).stdout.trim().split('\n')
    expect(log.requests.map((r) => r.commit)).toEqual(commits)
    expect(log.diagnostics).toEqual([])
    const status = await readStatus(await remote.agent())
    expect(status.requestPaths).toHaveLength(3)
  })

  it('returns only the requests added after `since`, and keeps them through status commits', async () => {
    const remote = await startRemote()
    const person = await remote.agent()
    const agent = await remote.agent()
    let clock = 1_700_000_000_000
    const now = () => (clock += 1000)
    await appendRequest({ ...person, request: approve('user:alice'), now })
    const first = await readRequests(agent)
    expect(first.requests).toHaveLength(1)
    // The agent writes status on a base that the next request makes stale: it must re-read.
    const status = await readStatus(agent)
    await appendRequest({ ...person, request: { action: 'complete', target: { kind: 'Execution', namespace: 'default', name: 'run-1' }, node: 'build', by: 'user:bob', outputs: { url: 'https://x.example/1', count: 2 } }, now })
    await expect(writeStatusCommit({ ...agent, base: status.head ?? null, sourceRevision: 'c'.repeat(40), changes: [{ kind: 'Gate', namespace: 'default', name: 'release', status: { phase: 'Waiting' } }] })).rejects.toMatchObject({
      code: 'PLANSPEC_ERR_GIT_CONFLICT',
    })
    const fresh = await readStatus(agent)
    await writeStatusCommit({ ...agent, base: fresh.head ?? null, sourceRevision: 'c'.repeat(40), changes: [{ kind: 'Gate', namespace: 'default', name: 'release', status: { phase: 'Waiting' } }] })
    const next = await readRequests({ ...agent, since: first.revision })
    expect(next.requests.map((r) => r.request)).toEqual([
      { action: 'complete', target: { kind: 'Execution', namespace: 'default', name: 'run-1' }, node: 'build', by: 'user:bob', outputs: { url: 'https://x.example/1', count: 2 }, createdAt: new Date(1_700_000_003_000).toISOString() },
    ])
    const all = await readRequests(agent)
    expect(all.requests).toHaveLength(2)
    expect((await readStatus(agent)).requestPaths).toHaveLength(2)
  })

  it('refuses a malformed request with a coded error and reports garbage request files', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    await expect(appendRequest({ ...agent, request: { ...approve('user:a'), action: 'merge' as 'approve' } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await expect(appendRequest({ ...agent, request: { ...approve('user:a'), target: { kind: 'Plan', namespace: 'default', name: 'p' } } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await expect(appendRequest({ ...agent, request: { action: 'claim', target: { kind: 'Execution', namespace: 'default', name: 'r' }, by: 'user:a' } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await appendRequest({ ...agent, request: approve('user:a') })
    await pushFixture({ remote: remote.bare, branch: 'planspec/status', files: { 'requests/20990101T000000000Z-forged.yaml': 'action: approve-all\n', 'requests/bad name.yaml': 'x: 1\n' } })
    const log = await readRequests(agent)
    expect(log.requests).toHaveLength(1)
    expect(log.diagnostics.map((d) => d.code)).toEqual(['PS7011', 'PS7011'])
  })

  it('appends requests to a local repository without a remote', async () => {
    const dir = await tempDir()
    await runGit(['init', '--quiet', '--bare', '--initial-branch=main', dir])
    const local = { fs, dir, cache: sharedCache() }
    await appendRequest({ ...local, request: approve('user:a') })
    await appendRequest({ ...local, request: { action: 'cancel', target: { kind: 'Execution', namespace: 'default', name: 'r' }, by: 'user:b' } })
    expect((await readRequests(local)).requests.map((r) => r.request.action)).toEqual(['approve', 'cancel'])
  })
})
