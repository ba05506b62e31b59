import git from 'isomorphic-git'
import { afterEach, describe, expect, it } from 'vitest'
import { pushFixture, runGit } from '@planspec/testing'
import { readDesired, readStatus, StatusConflictError, writeStatusCommit, type StatusUpdate } from '../src/index.js'
import { cleanup, fs, goal, plan, sharedCache, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

const SOURCE = 'a'.repeat(40)
const OTHER_SOURCE = 'b'.repeat(40)

function update(name: string, status: Record<string, unknown>, extra: Partial<StatusUpdate> = {}): StatusUpdate {
  return { kind: 'Plan', namespace: 'default', name, observedGeneration: 1, status, ...extra }
}

async function remoteHead(bare: string, branch = 'planspec/status'): Promise<string> {
  return (await runGit(['rev-parse', `refs/heads/${branch}`], { cwd: bare })).stdout.trim()
}

describe('status branch', () => {
  it('writes one commit per call with plumbing and the PlanSpec-Source trailer, and reads it back', async () => {
    const remote = await startRemote()
    const main = await pushFixture({ remote: remote.bare, files: { 'p.yaml': plan('p'), 'g.yaml': goal('g') } })
    const agent = await remote.agent()
    const desired = await readDesired(agent)
    const empty = await readStatus(agent)
    expect(empty).toMatchObject({ exists: false, head: undefined })
    const identity = desired.resources.get('plan/default/p')!.identity
    const result = await writeStatusCommit({
      ...agent,
      base: empty.head ?? null,
      sourceRevision: desired.revision,
      now: () => 1_700_000_500_000,
      changes: [update('p', { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True' }] }, { identity }), { kind: 'Goal', namespace: 'default', name: 'g', status: { phase: 'Pending' } }],
    })
    expect(result.outcome).toBe('committed')
    expect([...result.paths].sort()).toEqual(['default/goals/g.yaml', 'default/plans/p.yaml'])
    expect(await remoteHead(remote.bare)).toBe(result.commit)
    const log = (await runGit(['log', '--format=%an%x00%P%x00%B', 'planspec/status'], { cwd: remote.bare })).stdout
    expect(log).toContain(`PlanSpec-Source: ${main}`)
    expect(log.split('\0')[1]).toBe('') // the first status commit is an orphan
    // The tracked branch was not touched.
    expect((await runGit(['rev-parse', 'refs/heads/main'], { cwd: remote.bare })).stdout.trim()).toBe(main)
    const status = await readStatus({ ...(await remote.agent()) })
    expect(status.head).toBe(result.commit)
    expect(status.docs.get('plan/default/p')).toMatchObject({ observedGeneration: 1, sourceRevision: main, identity, status: { phase: 'Ready' } })
    expect(status.identities.get('plan/default/p')).toEqual(identity)
    expect(status.diagnostics).toEqual([])
  })

  it('returns unchanged and writes nothing when no status changed, even for a new source revision', async () => {
    const remote = await startRemote({ own: true })
    const agent = await remote.agent()
    const first = await writeStatusCommit({ ...agent, base: null, sourceRevision: SOURCE, changes: [update('p', { phase: 'Ready', b: 1, a: 2 })] })
    await remote.server.sync()
    const pushes = remote.server.stats.pushes
    const again = await writeStatusCommit({ ...agent, sourceRevision: OTHER_SOURCE, changes: [update('p', { a: 2, phase: 'Ready', b: 1 })] })
    expect(again).toEqual({ outcome: 'unchanged', commit: first.commit, paths: [] })
    await remote.server.sync()
    expect(remote.server.stats.pushes).toBe(pushes)
    const removed = await writeStatusCommit({ ...agent, sourceRevision: OTHER_SOURCE, changes: [{ kind: 'Plan', namespace: 'default', name: 'p', delete: true }, { kind: 'Plan', namespace: 'default', name: 'absent', delete: true }] })
    expect(removed.paths).toEqual(['default/plans/p.yaml'])
    expect((await readStatus(agent)).docs.size).toBe(0)
  })

  it('makes the loser of two racing writers retry after a re-fetch, and loses nothing', async () => {
    const remote = await startRemote()
    const a = await remote.agent()
    const b = await remote.agent()
    await writeStatusCommit({ ...a, base: null, sourceRevision: SOURCE, changes: [update('seed', { phase: 'Ready' })] })
    const [statusA, statusB] = await Promise.all([readStatus(a), readStatus(b)])
    const outcomes = await Promise.allSettled([
      writeStatusCommit({ ...a, base: statusA.head ?? null, sourceRevision: SOURCE, changes: [update('from-a', { phase: 'Ready' })] }),
      writeStatusCommit({ ...b, base: statusB.head ?? null, sourceRevision: SOURCE, changes: [update('from-b', { phase: 'Ready' })] }),
    ])
    const rejected = outcomes.filter((o) => o.status === 'rejected')
    expect(rejected).toHaveLength(1)
    const error = (rejected[0] as PromiseRejectedResult).reason as StatusConflictError
    expect(error).toBeInstanceOf(StatusConflictError)
    expect(error.code).toBe('PLANSPEC_ERR_GIT_CONFLICT')
    const loser = outcomes[0]!.status === 'rejected' ? a : b
    const name = loser === a ? 'from-a' : 'from-b'
    const fresh = await readStatus(loser)
    await writeStatusCommit({ ...loser, base: fresh.head ?? null, sourceRevision: SOURCE, changes: [update(name, { phase: 'Ready' })] })
    const final = await readStatus(await remote.agent())
    expect([...final.docs.keys()].sort()).toEqual(['plan/default/from-a', 'plan/default/from-b', 'plan/default/seed'])
    // A stale base is refused even when this writer's own view was never refreshed.
    await expect(writeStatusCommit({ ...a, base: statusA.head ?? null, sourceRevision: SOURCE, changes: [update('late', {})] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_CONFLICT' })
  })

  it('reports garbage edited by hand in a status file, treats it as absent, and overwrites it', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    await writeStatusCommit({ ...agent, base: null, sourceRevision: SOURCE, changes: [update('p', { phase: 'Ready' }), update('q', { phase: 'Ready' })] })
    await pushFixture({
      remote: remote.bare,
      branch: 'planspec/status',
      files: { 'default/plans/p.yaml': 'status: [not: valid\n', 'default/plans/q.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: {namespace: default, name: q}\nstatus: {}\n', 'default/plans/r.yaml': { symlink: '/etc/passwd' }, 'notes.txt': 'hello' },
    })
    const status = await readStatus(agent)
    expect(status.docs.size).toBe(0)
    expect(status.diagnostics.map((d) => `${d.code} ${d.file}`)).toEqual(['PS7010 default/plans/p.yaml', 'PS7010 default/plans/q.yaml', 'PS7010 default/plans/r.yaml'])
    const written = await writeStatusCommit({ ...agent, base: status.head ?? null, sourceRevision: SOURCE, changes: [update('p', { phase: 'Ready' })] })
    expect(written.outcome).toBe('committed')
    const after = await readStatus({ ...agent, previous: status })
    expect(after.docs.get('plan/default/p')).toMatchObject({ status: { phase: 'Ready' } })
    expect(after.blobsRead).toBe(1)
  })

  it('recreates a deleted status branch with an orphan commit', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    await writeStatusCommit({ ...agent, base: null, sourceRevision: SOURCE, changes: [update('p', { phase: 'Ready' })] })
    await runGit(['update-ref', '-d', 'refs/heads/planspec/status'], { cwd: remote.bare })
    const status = await readStatus(agent)
    expect(status).toMatchObject({ exists: false, head: undefined })
    expect(status.docs.size).toBe(0)
    const result = await writeStatusCommit({ ...agent, base: null, sourceRevision: SOURCE, changes: [update('p', { phase: 'Ready' })] })
    expect(result.outcome).toBe('committed')
    expect(await remoteHead(remote.bare)).toBe(result.commit)
    expect((await runGit(['rev-list', '--count', 'planspec/status'], { cwd: remote.bare })).stdout.trim()).toBe('1')
  })

  it('writes leases in the same commit as statuses, and removes them with null', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    const lease = { namespace: 'default', name: 'run-1', holder: 'agent-a', epoch: 1, acquiredAt: '2024-01-01T00:00:00.000Z', renewedAt: '2024-01-01T00:00:00.000Z', expiresAt: '2024-01-01T00:01:00.000Z' }
    const first = await writeStatusCommit({ ...agent, base: null, sourceRevision: SOURCE, changes: [{ kind: 'Execution', namespace: 'default', name: 'run-1', status: { phase: 'Running' } }], leases: [{ namespace: 'default', name: 'run-1', lease }] })
    expect([...first.paths].sort()).toEqual(['default/executions/run-1.yaml', 'leases/default/executions/run-1.yaml'])
    expect((await readStatus(agent)).leases.get('execution/default/run-1')).toEqual(lease)
    expect((await writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [], leases: [{ namespace: 'default', name: 'run-1', lease }] })).outcome).toBe('unchanged')
    await writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [], leases: [{ namespace: 'default', name: 'run-1', lease: null }] })
    expect((await readStatus(agent)).leases.size).toBe(0)
    await expect(writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [], leases: [{ namespace: 'default', name: 'run-2', lease }] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
  })

  it('writes the status branch of a local repository in place, compare-and-swap on the local ref', async () => {
    const dir = await tempDir()
    await runGit(['init', '--quiet', '--initial-branch=main', dir])
    const local = { fs, dir, cache: sharedCache() }
    const first = await writeStatusCommit({ ...local, base: null, sourceRevision: SOURCE, changes: [update('p', { phase: 'Ready' })] })
    expect(first.outcome).toBe('committed')
    expect(await git.resolveRef({ fs, dir, ref: 'refs/heads/planspec/status' })).toBe(first.commit)
    await expect(writeStatusCommit({ ...local, base: null, sourceRevision: SOURCE, changes: [update('q', {})] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_CONFLICT' })
    const status = await readStatus(local)
    expect([...status.docs.keys()]).toEqual(['plan/default/p'])
  })

  it('refuses malformed changes and the tracked branch with a coded error', async () => {
    const remote = await startRemote({ own: true })
    const agent = await remote.agent()
    await expect(writeStatusCommit({ ...agent, sourceRevision: 'nope', changes: [] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await expect(writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [update('../x', {})] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await expect(writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [{ ...update('x', {}), kind: 'Widget' }] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await expect(writeStatusCommit({ ...agent, sourceRevision: SOURCE, changes: [update('x', {}), update('x', {})] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    // The tracked branch is never written, whatever the caller asks.
    await expect(writeStatusCommit({ ...agent, branch: 'main', sourceRevision: SOURCE, changes: [update('x', {})] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await expect(writeStatusCommit({ ...agent, branch: 'release', trackedBranch: 'release', sourceRevision: SOURCE, changes: [update('x', {})] })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    await remote.server.sync()
    expect(remote.server.stats.pushes).toBe(0)
  })
})
