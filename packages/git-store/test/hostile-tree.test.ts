import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import git, { type PromiseFsClient } from 'isomorphic-git'
import { afterEach, describe, expect, it } from 'vitest'
import { runGit } from '@planspec/testing'
import { readDesired, type DesiredState } from '../src/index.js'
import { cleanup, fs, goal, sharedCache, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

/** An fs that records every path it is asked to touch (THREATS T10: 0 opens outside the repo). */
function recordingFs(): { fs: PromiseFsClient; paths: string[] } {
  const paths: string[] = []
  const promises = new Proxy(fs.promises, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (typeof args[0] === 'string') paths.push(resolve(args[0]))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { fs: { promises } as unknown as PromiseFsClient, paths }
}

function entry(mode: string, name: string, oid: string): Buffer {
  return Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')])
}

/** Writes a tree object byte by byte, so that names isomorphic-git's writeTree refuses get in. */
async function rawTree(gitdir: string, entries: Buffer[]): Promise<string> {
  return git.writeObject({ fs, gitdir, type: 'tree', object: Buffer.concat(entries), format: 'content' })
}

async function commit(gitdir: string, tree: string, parent: string[], seconds: number): Promise<string> {
  const who = { name: 'Mallory', email: 'mallory@example.invalid', timestamp: seconds, timezoneOffset: 0 }
  const oid = await git.writeCommit({ fs, gitdir, commit: { message: 'hostile\n', tree, parent, author: who, committer: who } })
  await git.writeRef({ fs, gitdir, ref: 'refs/heads/main', value: oid, force: true })
  return oid
}

/**
 * A repository built with isomorphic-git plumbing that holds every escape THREATS T10 lists: links
 * to an absolute path and to a sibling repository, `a/../../x`, an absolute name, `.GIT/config`,
 * `..\x`, a control character (a NUL cannot be in a tree name: it ends the name), `..` as a
 * directory, a drive letter, a submodule, and a file that becomes a link in the next commit.
 */
async function hostileRepository(root: string): Promise<{ gitdir: string; commits: string[] }> {
  const gitdir = join(root, 'hostile.git')
  await git.init({ fs, dir: gitdir, bare: true, defaultBranch: 'main' })
  const blob = (text: string) => git.writeBlob({ fs, gitdir, blob: Buffer.from(text) })
  const manifest = await blob(goal('inside'))
  const decoy = await blob(goal('outside'))
  const gitConfig = await rawTree(gitdir, [entry('100644', 'config', await blob('[core]\n\tworktree = /\n'))])
  const dotdot = await rawTree(gitdir, [entry('100644', 'escape.yaml', decoy)])
  const common = [
    entry('120000', 'abs-link.yaml', await blob('/etc/passwd')),
    entry('120000', 'sibling-link.yaml', await blob('../other-repo/secret.yaml')),
    entry('100644', 'a/../../x.yaml', decoy),
    entry('100644', '/etc/passwd.yaml', decoy),
    entry('40000', '.GIT', gitConfig),
    entry('100644', '..\\x.yaml', decoy),
    entry('100644', 'ctl\u0001.yaml', decoy),
    entry('40000', '..', dotdot),
    entry('100644', 'C:evil.yaml', decoy),
    entry('160000', 'sub.yaml', '0123456789abcdef0123456789abcdef01234567'),
    entry('100644', 'ok.yaml', manifest),
  ]
  const first = await commit(gitdir, await rawTree(gitdir, [...common, entry('100644', 'becomes-link.yaml', await blob(goal('linked')))]), [], 1_700_000_000)
  const second = await commit(gitdir, await rawTree(gitdir, [...common, entry('120000', 'becomes-link.yaml', await blob('/etc/hostname'))]), [first], 1_700_000_060)
  return { gitdir, commits: [first, second] }
}

function findings(state: DesiredState): string[] {
  return state.diagnostics.map((d) => `${d.code} ${d.file}`).sort()
}

const REFUSED = [
  'PS7001 abs-link.yaml',
  'PS7001 sibling-link.yaml',
  'PS7002 ..',
  'PS7002 ..\\x.yaml',
  'PS7002 .GIT',
  'PS7002 /etc/passwd.yaml',
  'PS7002 C:evil.yaml',
  'PS7002 a/../../x.yaml',
  'PS7002 ctl\\x01.yaml',
  'PS7003 sub.yaml',
]

describe('hostile trees (THREATS T10)', () => {
  it('refuses links and unsafe names with a code, reads nothing outside the repository, and keeps the last good version of a file turned into a link', async () => {
    const root = await tempDir()
    await mkdir(join(root, 'other-repo'))
    await writeFile(join(root, 'other-repo', 'secret.yaml'), goal('secret'))
    const { gitdir, commits } = await hostileRepository(root)
    const recorder = recordingFs()
    const first = await readDesired({ fs: recorder.fs, dir: gitdir, cache: sharedCache(), revision: commits[0] })
    expect([...first.resources.keys()].sort()).toEqual(['goal/default/inside', 'goal/default/linked'])
    expect(findings(first)).toEqual(REFUSED)
    const second = await readDesired({ fs: recorder.fs, dir: gitdir, cache: sharedCache(), previous: first })
    expect(second.revision).toBe(commits[1])
    expect(second.resources.get('goal/default/linked')).toMatchObject({ lastKnownGood: true, condition: { status: 'False', reason: 'SourceRefused' } })
    expect(findings(second)).toEqual([...REFUSED, 'PS7001 becomes-link.yaml', 'PS7006 becomes-link.yaml'].sort())
    expect(recorder.paths.length).toBeGreaterThan(0)
    expect(recorder.paths.filter((p) => p !== gitdir && !p.startsWith(`${gitdir}/`))).toEqual([])
  })

  it('does the same for a hostile repository fetched from a remote, opening nothing outside the cache', async () => {
    const root = await tempDir()
    const { gitdir, commits } = await hostileRepository(root)
    const remote = await startRemote()
    await runGit(['push', '--quiet', remote.url, `${commits[1]}:refs/heads/main`], { cwd: gitdir })
    const recorder = recordingFs()
    const agent = await remote.agent({ fs: recorder.fs })
    const state = await readDesired(agent)
    expect([...state.resources.keys()]).toEqual(['goal/default/inside'])
    expect(findings(state)).toEqual([...REFUSED, 'PS7001 becomes-link.yaml'].sort())
    expect(recorder.paths.filter((p) => p !== agent.dir && !p.startsWith(`${agent.dir}/`))).toEqual([])
  })
})
