import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pushFixture } from '@planspec/testing'
import { fetchRemote, GitAuthError, GitUnreachableError, readDesired, writeStatusCommit, type GitRepository } from '../src/index.js'
import { cleanup, goal, startRemote } from './helpers.js'

afterEach(cleanup)

const CANARY = 'canary-Zx9-s3cr3t-7Qp'

/** Every form a leaked secret could take in text (THREATS T13). */
function leaks(text: string): boolean {
  return [CANARY, Buffer.from(CANARY).toString('base64'), encodeURIComponent(CANARY)].some((form) => text.includes(form))
}

function everything(error: unknown): string {
  const e = error as Error & { toJSON?: () => unknown }
  return `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e.toJSON?.() ?? {})}\n${String((e as { cause?: unknown }).cause)}`
}

describe('remote failures', () => {
  it('maps an unreachable remote to a coded error, then works again when it is back', async () => {
    const remote = await startRemote({ own: true })
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': goal('g') } })
    const agent = await remote.agent()
    const first = await readDesired(agent)
    for (const mode of ['reset', 'refuse', 'unavailable'] as const) {
      await remote.server.down(mode)
      const error = await fetchRemote(agent).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(GitUnreachableError)
      expect(error).toMatchObject({ code: 'PLANSPEC_ERR_GIT_UNREACHABLE', data: { url: remote.url } })
      await remote.server.up()
    }
    await pushFixture({ remote: remote.bare, files: { 'h.yaml': goal('h') }, date: 1_700_000_100 })
    const next = await readDesired({ ...agent, previous: first })
    expect(next.changed.added).toEqual(['goal/default/h'])
  })

  it('gives up on a remote that accepts but never answers, after the timeout', async () => {
    const remote = await startRemote({ own: true })
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': goal('g') } })
    const agent = await remote.agent({ timeoutMs: 300 })
    await remote.server.down('hang')
    const started = Date.now()
    await expect(fetchRemote(agent)).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_UNREACHABLE', data: { reason: 'ETIMEDOUT' } })
    expect(Date.now() - started).toBeLessThan(5_000)
    await remote.server.up()
    expect((await fetchRemote(agent)).revision).toMatch(/^[0-9a-f]{40}$/)
  })

  it('maps refused credentials to a coded auth error that never contains the secret', async () => {
    const remote = await startRemote({ auth: { username: 'bot', password: 'right-password' } })
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': goal('g') } })
    const attempts: Partial<GitRepository>[] = [
      { auth: { username: 'bot', password: CANARY } },
      { auth: { token: CANARY } },
      { onAuth: () => ({ username: 'bot', password: CANARY }) },
      { url: remote.url.replace('http://', `http://bot:${CANARY}@`) },
      {},
    ]
    for (const extra of attempts) {
      const agent = await remote.agent(extra)
      const error = await readDesired(agent).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(GitAuthError)
      expect(error).toMatchObject({ code: 'PLANSPEC_ERR_GIT_AUTH', terminal: true })
      expect(leaks(everything(error))).toBe(false)
      expect(leaks(await readFile(join(agent.dir, 'config'), 'utf8'))).toBe(false)
      const push = await writeStatusCommit({ ...agent, base: null, sourceRevision: 'a'.repeat(40), changes: [{ kind: 'Goal', namespace: 'default', name: 'g', status: {} }] }).catch((e: unknown) => e)
      expect(push).toMatchObject({ code: 'PLANSPEC_ERR_GIT_AUTH' })
      expect(leaks(everything(push))).toBe(false)
    }
    const good = await readDesired(await remote.agent({ auth: { username: 'bot', password: 'right-password' } }))
    expect([...good.resources.keys()]).toEqual(['goal/default/g'])
  })

  it('maps a missing branch, a missing repository and an unusable URL to their codes', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': goal('g') } })
    await expect(readDesired({ ...(await remote.agent()), branch: 'release' })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_BRANCH_NOT_FOUND', data: { branch: 'release' } })
    await expect(fetchRemote(await remote.agent({ url: remote.server.url('missing.git') }))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_REPO_NOT_FOUND' })
    await expect(fetchRemote(await remote.agent({ url: `file://${remote.bare}` }))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_URL' })
    await expect(fetchRemote(await remote.agent({ url: 'not a url' }))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_URL' })
    await expect(fetchRemote({ ...(await remote.agent()), branch: '../etc' })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
  })
})
