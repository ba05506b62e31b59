import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSshKey, pushFixture, runGit } from '@planspec/testing'
import { findSignerPrincipals, proposeBranch, signPayload } from '../src/index.js'
import { cleanup, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

const PLAN = 'apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata: { name: release-v2 }\nspec: { description: Two steps, graph: { nodes: [{ id: a, kind: Task }] } }\n'

describe('proposeBranch', () => {
  it('pushes one signed commit on top of the tracked branch to a new branch, and never touches the tracked branch', async () => {
    const remote = await startRemote()
    const base = await pushFixture({ remote: remote.bare, files: { 'plans/release.yaml': 'x: 1\n' } })
    const keys = await tempDir()
    const bot = await createSshKey(keys, 'bot')
    const result = await proposeBranch({
      ...(await remote.agent()),
      branch: 'planspec/proposals/release-v2',
      files: new Map([['plans/release-v2.yaml', PLAN]]),
      message: 'Propose release-v2',
      author: { name: 'svc:bot', email: 'svc:bot' },
      sign: (payload) => signPayload(payload, { keyFile: bot.keyFile }),
    })
    expect(result.base).toBe(base)
    const show = await runGit(['show', `refs/heads/planspec/proposals/release-v2:plans/release-v2.yaml`], { cwd: remote.bare })
    expect(show.stdout).toBe(PLAN)
    expect((await runGit(['rev-parse', 'refs/heads/planspec/proposals/release-v2^'], { cwd: remote.bare })).stdout.trim()).toBe(base)
    expect((await runGit(['rev-parse', 'refs/heads/main'], { cwd: remote.bare })).stdout.trim()).toBe(base)
    expect((await runGit(['show', 'refs/heads/planspec/proposals/release-v2:plans/release.yaml'], { cwd: remote.bare })).stdout).toBe('x: 1\n')
    // git itself accepts the signature for the key's principal.
    const signers = join(keys, 'allowed_signers')
    await writeFile(signers, `${bot.allowedSigner('svc:bot')}\n`)
    const verified = await runGit(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signers}`, 'verify-commit', result.commit], { cwd: remote.bare })
    expect(verified.stderr).toContain('Good "git" signature for svc:bot')

    // The same branch again is refused (two proposals never overwrite each other), and nothing else moved.
    await expect(proposeBranch({ ...(await remote.agent()), branch: 'planspec/proposals/release-v2', files: new Map([['plans/other.yaml', PLAN]]), message: 'again', author: { name: 'svc:bot', email: 'svc:bot' } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT', message: expect.stringContaining('exists already') })
    expect((await runGit(['rev-parse', 'refs/heads/planspec/proposals/release-v2'], { cwd: remote.bare })).stdout.trim()).toBe(result.commit)
  })

  it('refuses the tracked branch, the status branch, unsafe paths and empty or no-op proposals before writing anything', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'plans/release.yaml': PLAN } })
    const repo = await remote.agent()
    const author = { name: 'svc:bot', email: 'svc:bot' }
    const attempt = (branch: string, files: Record<string, string>) => proposeBranch({ ...repo, branch, files: new Map(Object.entries(files)), message: 'x', author })
    for (const [branch, files, why] of [
      ['main', { 'a.yaml': PLAN }, 'new branch'],
      ['planspec/status', { 'a.yaml': PLAN }, 'new branch'],
      ['bad..name', { 'a.yaml': PLAN }, 'invalid branch'],
      ['p/1', { '../escape.yaml': PLAN }, 'refusing path'],
      ['p/2', { '.git/config': PLAN }, 'refusing path'],
      ['p/3', { '/etc/passwd': PLAN }, 'refusing path'],
      ['p/4', { 'a\\b.yaml': PLAN }, 'refusing path'],
      ['p/5', {}, 'at least one file'],
      ['p/6', { 'plans/release.yaml': PLAN }, 'changes nothing'],
    ] as const) {
      await expect(attempt(branch, files), branch).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT', message: expect.stringContaining(why) })
    }
    const branches = (await runGit(['for-each-ref', '--format=%(refname)', 'refs/heads'], { cwd: remote.bare })).stdout.trim().split('\n')
    expect(branches).toEqual(['refs/heads/main'])
  })
})

describe('findSignerPrincipals', () => {
  it('names the principals an allowed-signers file gives a signing key, and none for an unknown key', async () => {
    const keys = await tempDir()
    const bot = await createSshKey(keys, 'bot')
    const stranger = await createSshKey(keys, 'stranger')
    const signers = `"bot@example.org,svc:docs-writer" ${bot.publicKey}\n`
    expect((await findSignerPrincipals({ signature: await signPayload('probe', { keyFile: bot.keyFile }), allowedSigners: signers })).sort()).toEqual(['bot@example.org', 'svc:docs-writer'])
    expect(await findSignerPrincipals({ signature: await signPayload('probe', { keyFile: stranger.keyFile }), allowedSigners: signers })).toEqual([])
    expect(await findSignerPrincipals({ signature: 'not a signature', allowedSigners: signers })).toEqual([])
  })
})
