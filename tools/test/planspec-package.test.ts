// The published-shape package `planspec` (tools/package/build-package.mjs): packed with npm, then
// installed from the tarball into an empty directory with a fresh npm cache (its one dependency,
// better-sqlite3, comes from the registry at the lockfile's version), it runs validate, run,
// agent --once and serve from there, outside this repository. Its `engines` agree with its real
// dependencies, read from the lockfile.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'planspec-package-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const npm = (args: readonly string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 900_000, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } })

describe('the planspec package', () => {
  it('packs, installs into an empty directory with a fresh cache, and runs validate, run, agent --once and serve there', async () => {
    const built = spawnSync(process.execPath, [join(ROOT, 'tools/package/build-package.mjs')], { encoding: 'utf8' })
    expect(built.status, built.stderr).toBe(0)
    const pkg = JSON.parse(readFileSync(join(ROOT, 'dist/planspec/package.json'), 'utf8')) as { name: string; bin: Record<string, string>; license: string; repository: { url: string }; engines: { node: string }; files: string[]; dependencies: Record<string, string> }
    expect(pkg).toMatchObject({ name: 'planspec', bin: { planspec: 'bin/planspec.js' }, license: 'Apache-2.0 OR MIT' })
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//)
    // Only what cannot be bundled is a dependency, at the lockfile's version.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; engines?: { node?: string } }> }
    expect(pkg.dependencies).toEqual({ 'better-sqlite3': lock.packages['node_modules/better-sqlite3']!.version })
    // engines: every Node it admits is one each dependency admits, and it admits the Node running here.
    for (const name of Object.keys(pkg.dependencies)) expect(semver.subset(pkg.engines.node, lock.packages[`node_modules/${name}`]!.engines!.node!), name).toBe(true)
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true)

    const packed = npm(['pack', '--json', '--pack-destination', work], join(ROOT, 'dist/planspec'))
    expect(packed.status, packed.stderr).toBe(0)
    const [tarball] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    const shipped = tarball!.files.map((f) => f.path)
    for (const file of ['package.json', 'README.md', 'LICENSE-APACHE', 'LICENSE-MIT', 'bin/planspec.js', 'dist/bundle/main.mjs', 'dist/bundle/validate-worker.mjs', 'dist/bundle/validation-worker.js', 'dist/dist-app/index.html', 'schema/planspec.schema.json']) expect(shipped).toContain(file)

    const app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{ "name": "a-project", "private": true }\n')
    const installed = npm(['install', join(work, tarball!.filename), '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund'], app)
    expect(installed.status, installed.stderr).toBe(0)
    // The installed package holds no workspace package: everything of ours is in the bundle.
    expect(existsSync(join(app, 'node_modules/@planspec'))).toBe(false)
    const bin = join(app, 'node_modules/.bin/planspec')
    const env = { PATH: process.env.PATH ?? '', HOME: join(work, 'home') }
    const planspec = (args: readonly string[]) => spawnSync(bin, args, { cwd: app, encoding: 'utf8', env, timeout: 120_000 })

    expect(planspec(['--version']).stdout).toContain('0.1.0')
    cpSync(join(ROOT, 'examples/minimal'), join(app, 'minimal'), { recursive: true })
    const validated = planspec(['validate', 'minimal'])
    expect(validated.status, validated.stdout + validated.stderr).toBe(0)
    const ran = planspec(['run', 'minimal', '--execution', 'changelog-2025-w10', '--approve', 'changelog-approval', '-o', 'json'])
    expect(ran.status, ran.stderr).toBe(0)
    expect((JSON.parse(ran.stdout) as { status: { phase: string } }).status.phase).toBe('Succeeded')

    // agent --once over a git repository of the example (git, argv only).
    const repo = join(work, 'repo')
    cpSync(join(ROOT, 'examples/minimal'), repo, { recursive: true })
    const git = (args: readonly string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Ann', GIT_AUTHOR_EMAIL: 'ann@example.com', GIT_COMMITTER_NAME: 'Ann', GIT_COMMITTER_EMAIL: 'ann@example.com' } })
    expect(git(['init', '-q', '-b', 'main']).status).toBe(0)
    expect(git(['add', '.']).status).toBe(0)
    expect(git(['commit', '-q', '-m', 'plans']).status).toBe(0)
    const agent = spawnSync(bin, ['agent', '--repo', repo, '--once', '--allow-unsigned-requests'], { cwd: app, encoding: 'utf8', env: { ...env, PLANSPEC_AGENT_KEY: Buffer.alloc(32, 7).toString('base64') }, timeout: 180_000 })
    expect(agent.status, agent.stdout + agent.stderr).toBe(0)
    const got = planspec(['get', 'execution', 'changelog-2025-w10', '--repo', repo, '-o', 'json'])
    expect(got.status, got.stderr).toBe(0)
    expect(['Running', 'Blocked', 'Succeeded']).toContain((JSON.parse(got.stdout) as { status: { phase: string } }).status.phase)

    // serve (first start) from the installed package: the dashboard's app and the worker ship with it.
    const server = spawn(bin, ['serve', '--db', join(work, 'planspec.db'), '--listen', '127.0.0.1:0'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      let said = ''
      server.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()))
      server.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()))
      await vi.waitFor(() => expect(said).toMatch(/^Admin token/m), { timeout: 60_000, interval: 100 })
      const applied = spawnSync(bin, ['apply', '-f', 'minimal'], { cwd: app, encoding: 'utf8', env, timeout: 120_000 })
      expect(applied.status, applied.stderr).toBe(0)
      expect(applied.stdout).toContain('plan/publish-changelog created')
      const config = parse(readFileSync(join(env.HOME, '.planspec/config'), 'utf8')) as { contexts: { local: { server: string; certificateAuthority: string } } }
      const page = await fetchTrusted(`${config.contexts.local.server}/`, readFileSync(config.contexts.local.certificateAuthority, 'utf8'))
      expect(page).toContain('<div id="app"')
    } finally {
      server.kill('SIGTERM')
    }
  }, 900_000)
})

/** Fetches a page over TLS trusting only the given CA (Node's https client). */
async function fetchTrusted(url: string, ca: string): Promise<string> {
  const { get } = await import('node:https')
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve(body))
    }).on('error', reject)
  })
}
