import { writeFile, stat, utimes } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pushFixture, runGit } from '@planspec/testing'
import { findIntroducingCommit, readStatus, writeStatusCommit, type StaleLock } from '../src/index.js'
import { cleanup, fs, sharedCache, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

const execution = (name: string, extra = ''): string => `apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata:\n  name: ${name}\nspec:\n  goalRef: { name: g }\n  planRef: { name: p }${extra}\n`
const who = (name: string) => ({ name, email: `${name.toLowerCase()}@example.org` })

describe('history of the tracked branch', () => {
  it('finds the commit that added each Execution: through a merge to the merged side, unchanged by later commits, and per resource in a shared file', async () => {
    const remote = await startRemote()
    const c1 = await pushFixture({ remote: remote.bare, files: { 'executions/e1.yaml': execution('e1'), 'README.md': 'plans\n' }, author: who('Alice'), date: 1_700_000_000 })
    await runGit(['branch', 'feature', 'main'], { cwd: remote.bare })
    const side = await pushFixture({ remote: remote.bare, branch: 'feature', files: { 'executions/e2.yaml': execution('e2') }, author: who('Mallory'), date: 1_700_000_100 })
    await pushFixture({ remote: remote.bare, files: { 'README.md': 'plans, again\n' }, author: who('Bob'), date: 1_700_000_200 })
    const merge = await pushFixture({ remote: remote.bare, files: { 'executions/e2.yaml': execution('e2') }, mergeWith: [side], author: who('Carol'), message: 'Merge feature', date: 1_700_000_300 })
    const c4 = await pushFixture({ remote: remote.bare, files: { 'executions/e1.yaml': `${execution('e1', '\n  parameters: { x-note: edited }')}---\n${execution('e3')}` }, author: who('Dave'), date: 1_700_000_400 })
    await pushFixture({ remote: remote.bare, files: { 'README.md': 'plans, later\n' }, author: who('Erin'), date: 1_700_000_500 })
    const head = (await runGit(['rev-parse', 'main'], { cwd: remote.bare })).stdout.trim()
    expect((await runGit(['rev-list', '--parents', '-n', '1', merge], { cwd: remote.bare })).stdout.trim().split(' ')).toHaveLength(3)
    const local = { fs, dir: remote.bare, cache: sharedCache() }
    const find = (name: string, file: string) => findIntroducingCommit({ ...local, revision: head, resource: { kind: 'Execution', namespace: 'default', name, file } })
    expect(await find('e1', 'executions/e1.yaml')).toMatchObject({ commit: c1, author: { email: 'alice@example.org' }, truncated: false })
    expect(await find('e2', 'executions/e2.yaml')).toMatchObject({ commit: side, author: { email: 'mallory@example.org' } })
    expect(await find('e3', 'executions/e1.yaml')).toMatchObject({ commit: c4, author: { email: 'dave@example.org' } })
  })
})

describe('stale ref locks', () => {
  it('removes a lock left by a writer that is gone, says so, and writes; a fresh lock is a conflict', async () => {
    const dir = await tempDir()
    await runGit(['init', '--quiet', '--bare', '--initial-branch=main', dir])
    const seen: StaleLock[] = []
    const local = { fs, dir, cache: sharedCache(), onStaleLock: (lock: StaleLock) => seen.push(lock) }
    const lock = join(dir, 'refs/heads/planspec/status.lock')
    await fs.promises.mkdir(join(dir, 'refs/heads/planspec'), { recursive: true })
    const write = async () => writeStatusCommit({ ...local, base: (await readStatus(local)).head ?? null, sourceRevision: 'a'.repeat(40), changes: [{ kind: 'Goal', namespace: 'default', name: `g${seen.length}`, status: { phase: 'Ready' } }] })
    // A live lock (this process holds it) is respected.
    await writeFile(lock, `${process.pid}@${hostname()}\n`)
    await expect(write()).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_CONFLICT' })
    // The same lock, two minutes old, from a process that no longer exists.
    await writeFile(lock, `999999999@${hostname()}\n`)
    const old = new Date(Date.now() - 120_000)
    await utimes(lock, old, old)
    await expect(write()).resolves.toMatchObject({ outcome: 'committed' })
    expect(seen).toEqual([expect.objectContaining({ path: lock, holder: `999999999@${hostname()}`, reason: 'WriterGone' })])
    // A native git lock (it holds a commit id, not a holder) is stale after ten minutes.
    await writeFile(lock, `${'b'.repeat(40)}\n`)
    const ancient = new Date(Date.now() - 11 * 60_000)
    await utimes(lock, ancient, ancient)
    await expect(write()).resolves.toMatchObject({ outcome: 'committed' })
    expect(seen[1]).toMatchObject({ reason: 'TooOld' })
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
