import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acquireLease, createAgentKeyring } from '@planspec/git-store'
import { createSshKey, runGit, type SshKey } from '@planspec/testing'
import { runCli } from '../src/index.js'
import { cli, REPO } from './helpers.js'

// `planspec approve|reject|cancel|...` in git mode, end to end on a local repository: requests are
// commits signed with the person's SSH key (git config user.signingKey, gpg.format ssh), checked
// before anything is pushed, judged by a real agent, and verifiable by `git verify-commit`.

const AGENT_KEY = randomBytes(32).toString('base64')
let root: string
let dir: string
let keys: Record<'editor' | 'author' | 'mallory', SshKey>
let signers: string

/** The environment of a person: their own git config (identity and signing key), nothing else. */
function person(who: 'editor' | 'author' | 'mallory' | 'nobody'): Record<string, string> {
  const config = join(root, `${who}.gitconfig`)
  const email = { editor: 'editor@example.com', author: 'author@fixture.invalid', mallory: 'mallory@example.com', nobody: 'nobody@example.com' }[who]
  const signing = who === 'nobody' ? '' : `\tsigningKey = ${keys[who].keyFile}\n`
  writeFileSync(config, `[user]\n\tname = ${who}\n\temail = ${email}\n${signing}[gpg]\n\tformat = ssh\n`)
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1', XDG_STATE_HOME: join(root, 'state'), PLANSPEC_AGENT_KEY: AGENT_KEY, PLANSPEC_LOG_LEVEL: 'info' }
}

const agentOnce = () => cli(['agent', '--repo', dir, '--once', '--interval', '200ms', '--teams', join(root, 'teams.yaml')], { env: person('nobody') })
const statusCommits = async () => (await runGit(['rev-list', '--count', 'planspec/status'], { cwd: dir })).stdout.trim()

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-cli-requests-'))
  keys = { editor: await createSshKey(root, 'editor'), author: await createSshKey(root, 'author'), mallory: await createSshKey(root, 'mallory') }
  signers = `${keys.editor.allowedSigner('editor@example.com')}\n${keys.author.allowedSigner('author@fixture.invalid')}\n`
  dir = join(root, 'repo')
  await runGit(['init', '--quiet', '--initial-branch=main', dir])
  const source = join(REPO, 'examples/minimal')
  const walk = (at: string): string[] => readdirSync(at, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(at, e.name)) : [join(at, e.name)]))
  for (const file of walk(source).filter((f) => f.endsWith('.yaml'))) {
    const target = join(dir, relative(source, file))
    fs.mkdirSync(dirname(target), { recursive: true })
    fs.copyFileSync(file, target)
  }
  fs.mkdirSync(join(dir, '.planspec'), { recursive: true })
  writeFileSync(join(dir, '.planspec/allowed-signers'), signers)
  writeFileSync(join(root, 'allowed_signers'), signers)
  writeFileSync(join(root, 'teams.yaml'), 'team:acme/editors: [email:editor@example.com, email:author@fixture.invalid]\n')
  await runGit(['add', '--all'], { cwd: dir })
  await runGit(['commit', '--quiet', '-m', 'Add the weekly changelog plan'], { cwd: dir })
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('git-mode requests', () => {
  it('checks the signing key, the allowed signers and separation of duties before pushing; signs what it records; --wait reports the verdict', async () => {
    const first = await agentOnce()
    expect(first.code).toBe(0)
    const before = await statusCommits()

    const unsigned = await cli(['approve', 'changelog-approval', '--repo', dir], { env: person('nobody') })
    expect(unsigned.code).toBe(1)
    expect(unsigned.stderr).toContain('no signing key')
    expect((await cli(['approve', 'changelog-approval', '--repo', dir, '--author', 'Eddie <editor@example.com>'], { env: person('editor') })).code).toBe(2)
    const self = await cli(['approve', 'changelog-approval', '--repo', dir], { env: person('author') })
    expect(self.code).toBe(1)
    expect(self.stderr).toContain('SelfApproval')
    const unknown = await cli(['approve', 'changelog-approval', '--repo', dir], { env: person('mallory') })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('UnknownSigner')
    // Nothing was recorded by the refused commands.
    expect(await statusCommits()).toBe(before)

    // The editor approves and waits while an agent runs.
    const stop = new AbortController()
    const stdout = new PassThrough()
    stdout.resume()
    const agent = runCli(['agent', '--repo', dir, '--interval', '300ms', '--teams', join(root, 'teams.yaml')], { stdout, stderr: new PassThrough(), stdin: Readable.from(['']), cwd: root, env: person('nobody'), signal: stop.signal })
    let approved: Awaited<ReturnType<typeof cli>>
    try {
      approved = await cli(['approve', 'changelog-approval', '--repo', dir, '--comment', 'reads well', '--wait', '60s'], { env: person('editor') })
      // The verdict comes with the agent's round that counted it; the run goes on in later rounds: keep the agent until it ends.
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
        const phase = (JSON.parse((await cli(['get', 'execution', 'changelog-2025-w10', '--repo', dir, '-o', 'json'], { env: person('nobody') })).stdout) as { status?: { phase?: string } }).status?.phase
        if (phase === 'Succeeded' || phase === 'Failed') break
      }
    } finally {
      stop.abort()
      expect(await agent).toBe(0)
    }
    expect(approved.code).toBe(0)
    expect(approved.stdout).toMatch(/gate\/changelog-approval: approval for changelog-2025-w10 recorded \(request \S+\); the agent decides/)
    expect(approved.stdout).toContain('approve counted for changelog-2025-w10')

    // The request commit verifies with git's own verify-commit under the same allowed signers.
    const request = (await runGit(['rev-list', '-1', 'planspec/status', '--', 'requests'], { cwd: dir })).stdout.trim()
    const verified = await runGit(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${join(root, 'allowed_signers')}`, 'verify-commit', request], { cwd: dir })
    expect(verified.stderr).toContain('Good "git" signature for editor@example.com')

    const described = await cli(['describe', 'gate', 'changelog-approval', '--repo', dir], { env: person('nobody') })
    expect(described.stdout).toMatch(/email:editor@example\.com\s+approve\s+changelog-2025-w10\s+yes/)
    const wide = await cli(['get', 'gates', '--repo', dir, '-o', 'wide'], { env: person('nobody') })
    expect(wide.stdout).toMatch(/changelog-approval\s+Approved\s+1\/1/)
    expect(wide.stdout).toContain('email:editor@example.com approve@changelog-2025-w10 counted')
    const run = JSON.parse((await cli(['get', 'execution', 'changelog-2025-w10', '--repo', dir, '-o', 'json'], { env: person('nobody') })).stdout)
    expect(run.status.phase).toBe('Succeeded')
  }, 180_000)

  it('removes a stale status-branch lock left by a killed writer, with a log line, and exits 1 from --once while another agent holds a lease', async () => {
    const lock = join(dir, '.git/refs/heads/planspec/status.lock')
    writeFileSync(lock, '999999999@nowhere-host\n')
    const old = new Date(Date.now() - 11 * 60_000)
    utimesSync(lock, old, old)
    // A new Execution, so the agent has something to write.
    const execution = readFileSync(join(dir, 'planspec/executions/changelog-2025-w10.yaml'), 'utf8').replace('name: changelog-2025-w10', 'name: changelog-2025-w11')
    writeFileSync(join(dir, 'planspec/executions/changelog-2025-w11.yaml'), execution)
    await runGit(['add', '--all'], { cwd: dir })
    await runGit(['commit', '--quiet', '-m', 'Another week'], { cwd: dir })
    const cleared = await agentOnce()
    expect(cleared.code).toBe(0)
    expect(cleared.stdout).toContain(`removed the stale ref lock ${lock}`)
    expect(fs.existsSync(lock)).toBe(false)

    await acquireLease({ fs, dir, agentKey: createAgentKeyring([Buffer.from(AGENT_KEY, 'base64')]), execution: { namespace: 'default', name: 'changelog-2025-w11' }, holder: 'another-agent', durationMs: 600_000 })
    const held = await agentOnce()
    expect(held.code).toBe(1)
    expect(held.stderr).toContain('leased by another agent and were not run: execution/default/changelog-2025-w11')
  }, 120_000)
})
