import * as fs from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import git from 'isomorphic-git'
import http from 'isomorphic-git/http/node'
import { afterEach, describe, expect, it } from 'vitest'
import { createBareRepo, FIXTURE_EPOCH, pushFixture, runGit, startGitServer, startGitServerProcess, type GitServer } from '../src/index.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'planspec-testing-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function serve(options: { auth?: { username: string; password: string } } = {}): Promise<{ server: GitServer; root: string; bare: string }> {
  const root = await tempDir()
  const bare = await createBareRepo(root, 'plans.git')
  const server = await startGitServer({ root, ...options })
  cleanups.push(() => server.close())
  return { server, root, bare }
}

describe('startGitServer', () => {
  it('serves clone and push to native git over smart HTTP', async () => {
    const { server, bare } = await serve()
    const sha = await pushFixture({ remote: server.url('plans.git'), files: { 'a.yaml': 'a: 1\n' }, message: 'first' })
    expect((await runGit(['rev-parse', 'refs/heads/main'], { cwd: bare })).stdout.trim()).toBe(sha)
    const work = await tempDir()
    await runGit(['clone', '--quiet', server.url('plans.git'), join(work, 'clone')])
    expect(await readFile(join(work, 'clone', 'a.yaml'), 'utf8')).toBe('a: 1\n')
    expect(server.stats.pushes).toBe(1)
  })

  it('serves fetch and push to isomorphic-git, and the push lands in the bare repository', async () => {
    const { server, bare } = await serve()
    await pushFixture({ remote: bare, files: { 'a.yaml': 'a: 1\n' } })
    const dir = await tempDir()
    await git.clone({ fs, http, dir, url: server.url('plans.git'), ref: 'main', singleBranch: true })
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('a: 1\n')
    await fs.promises.writeFile(join(dir, 'b.yaml'), 'b: 2\n')
    await git.add({ fs, dir, filepath: 'b.yaml' })
    const author = { name: 'Iso', email: 'iso@example.invalid', timestamp: FIXTURE_EPOCH, timezoneOffset: 0 }
    const sha = await git.commit({ fs, dir, message: 'second', author })
    const result = await git.push({ fs, http, dir, remote: 'origin', ref: 'main' })
    expect(result.ok).toBe(true)
    expect((await runGit(['rev-parse', 'refs/heads/main'], { cwd: bare })).stdout.trim()).toBe(sha)
    expect((await runGit(['show', 'main:b.yaml'], { cwd: bare })).stdout).toBe('b: 2\n')
  })

  it('gives the same commit SHA for the same fixture inputs (pinned dates)', async () => {
    const root = await tempDir()
    const one = await createBareRepo(root, 'one.git')
    const two = await createBareRepo(root, 'two.git')
    const files = { 'plans/p.yaml': 'kind: Plan\n', 'link.yaml': { symlink: '/etc/hostname' } }
    expect(await pushFixture({ remote: one, files })).toBe(await pushFixture({ remote: two, files }))
    expect((await runGit(['ls-tree', 'main', 'link.yaml'], { cwd: one })).stdout).toMatch(/^120000 blob/)
  })

  it('rewrites history with an orphan fixture and refuses paths outside its work tree', async () => {
    const { bare } = await serve()
    const first = await pushFixture({ remote: bare, files: { 'a.yaml': 'a\n' } })
    const rewritten = await pushFixture({ remote: bare, files: { 'b.yaml': 'b\n' }, orphan: true, date: FIXTURE_EPOCH + 60 })
    await expect(runGit(['merge-base', '--is-ancestor', first, rewritten], { cwd: bare })).rejects.toMatchObject({ exitCode: 1 })
    expect((await runGit(['ls-tree', '--name-only', 'main'], { cwd: bare })).stdout).toBe('b.yaml\n')
    await expect(pushFixture({ remote: bare, files: { '../escape.yaml': 'x' } })).rejects.toThrow(/escapes/)
  })

  it('refuses requests without the configured basic-auth credentials (401)', async () => {
    const auth = { username: 'bot', password: 's3cret-password' }
    const { server, bare } = await serve({ auth })
    await pushFixture({ remote: bare, files: { 'a.yaml': 'a\n' } })
    const refs = await git.listServerRefs({ http, url: server.url('plans.git'), onAuth: () => auth })
    expect(refs.map((r) => r.ref)).toContain('refs/heads/main')
    await expect(git.listServerRefs({ http, url: server.url('plans.git') })).rejects.toMatchObject({ code: 'HttpError', data: { statusCode: 401 } })
    await expect(git.listServerRefs({ http, url: server.url('plans.git'), onAuth: () => ({ username: 'bot', password: 'wrong' }) })).rejects.toMatchObject({
      code: 'HttpError',
      data: { statusCode: 401 },
    })
    expect(server.stats.unauthorized).toBeGreaterThanOrEqual(2)
  })

  it.each(['reset', 'refuse', 'unavailable'] as const)('simulates an unreachable remote with down(%s) and recovers with up()', async (mode) => {
    const { server, bare } = await serve()
    await pushFixture({ remote: bare, files: { 'a.yaml': 'a\n' } })
    const list = () => git.listServerRefs({ http, url: server.url('plans.git') })
    expect((await list()).length).toBeGreaterThan(0)
    await server.down(mode)
    const failure = await list().then(
      () => undefined,
      (error: unknown) => error as { code?: string; data?: { statusCode?: number } },
    )
    if (mode === 'unavailable') expect(failure).toMatchObject({ code: 'HttpError', data: { statusCode: 503 } })
    else expect(failure?.code).toMatch(/^(ECONNRESET|ECONNREFUSED|EPIPE)$/)
    await server.up()
    expect((await list()).length).toBeGreaterThan(0)
  })

  it('holds connections without answering in hang mode until up()', async () => {
    const { server, bare } = await serve()
    await pushFixture({ remote: bare, files: { 'a.yaml': 'a\n' } })
    await server.down('hang')
    let settled = false
    const pending = git.listServerRefs({ http, url: server.url('plans.git') }).then(
      () => (settled = true),
      () => (settled = true),
    )
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(settled).toBe(false)
    await server.up()
    await pending
    expect(settled).toBe(true)
  })

  it('answers 404 for a repository that does not exist', async () => {
    const { server } = await serve()
    await expect(git.listServerRefs({ http, url: server.url('missing.git') })).rejects.toMatchObject({ code: 'HttpError', data: { statusCode: 404 } })
  })

  it('runs the same server in a child process, with outages, auth and counters', async () => {
    const root = await tempDir()
    const bare = await createBareRepo(root, 'plans.git')
    const auth = { username: 'bot', password: 'pw' }
    const server = await startGitServerProcess({ root, auth })
    cleanups.push(() => server.close())
    const sha = await pushFixture({ remote: server.url('plans.git').replace('http://', 'http://bot:pw@'), files: { 'a.yaml': 'a\n' } })
    expect((await runGit(['rev-parse', 'main'], { cwd: bare })).stdout.trim()).toBe(sha)
    const list = () => git.listServerRefs({ http, url: server.url('plans.git'), onAuth: () => auth })
    expect((await list()).map((r) => r.oid)).toContain(sha)
    await expect(git.listServerRefs({ http, url: server.url('plans.git') })).rejects.toMatchObject({ data: { statusCode: 401 } })
    await server.down('refuse')
    await expect(list()).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET)$/) })
    await server.up()
    expect((await list()).length).toBeGreaterThan(0)
    await server.sync()
    expect(server.stats).toMatchObject({ pushes: 1, unauthorized: expect.any(Number) })
    expect(server.stats.unauthorized).toBeGreaterThanOrEqual(1)
  })
})
