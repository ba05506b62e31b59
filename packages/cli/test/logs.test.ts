// `planspec logs` in every mode (issue 14): the same plan is run by `planspec run --state`, by the
// agent over real git smart HTTP and by `planspec serve` (SQLite), each the bundled binary; a task
// prints more than the per-stream cap with a secret in it. `planspec logs` then reads each place
// the output is kept (the state file's logs, the status branch's blobs, the server's store over
// the API) and must print the same capped, masked text; `-f` against the server prints what a
// task prints while it is still running.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBareRepo, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO, runBin, tempTree } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const NODE = process.execPath
const TOKEN = 'logs-test-deploy-token-8c1f2e'
const ADMIN = 'logs-test-admin-token'
const LINES = 5000
// Every mode keeps 64 KiB of each stream (the default is 256 KiB): the cap is one flag everywhere.
const allow = ['--allow-command', NODE, '--allow-env', 'DEPLOY_TOKEN', '--max-log-bytes', '64KiB']
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', DEPLOY_TOKEN: TOKEN, PLANSPEC_LOG_LEVEL: 'warn' }

let root: string
let git: GitServer

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-logs-'))
  git = await startGitServer({ root })
}, 60_000)
afterAll(async () => {
  await git?.close()
})

/**
 * The manifests: `build` prints LINES lines (about 300 KB, past the cap) with the token in
 * each, and two lines on stderr; `check` prints a line on each stream, then waits until the file
 * `release` exists (so a test can follow it while it runs).
 */
function manifests(release: string): Record<string, string> {
  const build = `for (let i = 1; i <= ${LINES}; i++) process.stdout.write('build line ' + i + ' token=' + process.env.DEPLOY_TOKEN + ' padding-padding-padding\\n'); process.stderr.write('compiling with ' + process.env.DEPLOY_TOKEN + '\\nwarning: slow disk\\n'); console.log('{}')`
  const check = `const fs = require('fs'); console.log('checked ok'); console.error('note: 0 problems'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(release)})) { clearInterval(t); console.log('{}') } }, 100)`
  const H = 'apiVersion: planspec.io/v1alpha1\n'
  const target = (node: string, script: string): string => `    - selector: { planRef: { name: p }, nodeId: ${node} }\n      target:\n        provider: exec://${node}\n        config:\n          command: ${JSON.stringify([NODE, '-e', script])}\n          env:\n            DEPLOY_TOKEN: { fromEnv: DEPLOY_TOKEN }\n`
  return {
    'plan.yaml': `${H}kind: Plan\nmetadata: { name: p }\nspec:\n  description: prints\n  graph:\n    nodes:\n      - { id: build, kind: Task, capabilityRefs: [{ name: work }] }\n      - { id: check, kind: Task, capabilityRefs: [{ name: work }], dependsOn: [build] }\n`,
    'capability.yaml': `${H}kind: Capability\nmetadata: { name: work }\nspec: { description: work }\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n${target('build', build)}${target('check', check)}`,
    'execution.yaml': `${H}kind: Execution\nmetadata: { name: e1 }\nspec: { planRef: { name: p }, bindingRef: { name: b } }\n`,
  }
}

/** Runs the bundled CLI; resolves with its exit code and output. */
function planspec(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBin(BIN, args, { cwd: options.cwd ?? root, env: { ...env, ...options.env } })
}

/** What every mode must print for `planspec logs e1`: four logs under headers, build's stdout capped and masked. */
function expectKeptOutput(text: string): void {
  expect(text).not.toContain(TOKEN)
  const parts = text.split(/^==> (\S+ attempt \d+ std(?:out|err)) <==\n/m)
  expect(parts[0]).toBe('')
  const logs = new Map<string, string>()
  for (let i = 1; i < parts.length; i += 2) logs.set(parts[i]!, parts[i + 1]!)
  expect([...logs.keys()]).toEqual(['build attempt 1 stdout', 'build attempt 1 stderr', 'check attempt 1 stdout', 'check attempt 1 stderr'])
  const stdout = logs.get('build attempt 1 stdout')!
  expect(stdout.startsWith('build line 1 token=[REDACTED] padding-padding-padding\n')).toBe(true)
  expect(stdout.endsWith(`build line ${LINES} token=[REDACTED] padding-padding-padding\n{}\n`)).toBe(true)
  const marker = /\n\[\.\.\. (\d+) bytes truncated \.\.\.\]\n/.exec(stdout)
  expect(marker).not.toBeNull()
  expect(Buffer.byteLength(stdout)).toBeLessThan(64 * 1024 + 200)
  expect(Buffer.byteLength(stdout)).toBeGreaterThan(60 * 1024)
  expect(logs.get('build attempt 1 stderr')).toBe('compiling with [REDACTED]\nwarning: slow disk\n')
  expect(logs.get('check attempt 1 stdout')).toBe('checked ok\n{}\n')
  expect(logs.get('check attempt 1 stderr')).toBe('note: 0 problems\n')
}

/** The logs a followed stream printed, each log's pieces joined (a header starts each piece). */
function followedLogs(text: string): Map<string, string> {
  const parts = text.split(/^==> (\S+ attempt \d+ std(?:out|err)) <==\n/m)
  expect(parts[0]).toBe('')
  const logs = new Map<string, string>()
  for (let i = 1; i < parts.length; i += 2) logs.set(parts[i]!, (logs.get(parts[i]!) ?? '') + parts[i + 1]!)
  return logs
}

/** Waits until `read()` holds, polling with a deadline. */
async function until(what: string, read: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!read()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Starts `planspec serve` (SQLite, plain HTTP on loopback) that runs Executions; resolves with its URL. */
async function startServe(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const tokens = join(dir, 'tokens.csv')
  writeFileSync(tokens, `${ADMIN},admin,system:masters\n`)
  const child = spawn(NODE, [BIN, 'serve', '--insecure-http', '--db', join(dir, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', tokens, '--workspace', join(dir, 'runs'), ...allow], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, PLANSPEC_LOG_LEVEL: 'info' } })
  let log = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${log}`)), 60_000)
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
    child.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString()
      const found = /"url":"(http:\/\/[^"]+)"/.exec(log)
      if (found) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${log}`)))
  })
  return { url, child }
}

describe('planspec logs', () => {
  const printed: Record<string, string> = {}

  it('planspec run --state, then logs from the state file: capped, masked, each stream of each node', async () => {
    const release = join(root, 'release-run')
    writeFileSync(release, '')
    const dir = tempTree(manifests(release))
    const ran = await planspec(['run', '.', '--execution', 'e1', '--state', 'state.json', ...allow], { cwd: dir })
    expect(ran.code, ran.stderr).toBe(0)
    const logs = await planspec(['logs', 'e1', '--state', 'state.json'], { cwd: dir })
    expect(logs.code, logs.stderr).toBe(0)
    expectKeptOutput(logs.stdout)
    printed.run = logs.stdout
    // One node, one stream, the last lines: the log alone, no header.
    const tail = await planspec(['logs', 'e1', 'build', '--stream', 'stdout', '--tail', '2', '--state', 'state.json'], { cwd: dir })
    expect(tail.stdout).toBe(`build line ${LINES} token=[REDACTED] padding-padding-padding\n{}\n`)
    const missing = await planspec(['logs', 'e1', 'deploy', '--state', 'state.json'], { cwd: dir })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('has no node "deploy" (nodes: build, check)')
    const bad = await planspec(['logs', 'e1', '--stream', 'both', '--state', 'state.json'], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--stream must be stdout or stderr')
  }, 300_000)

  it('the agent over git smart HTTP, then logs from the status branch', async () => {
    const release = join(root, 'release-git')
    writeFileSync(release, '')
    const bare = await createBareRepo(root, 'plans.git')
    await pushFixture({ remote: bare, files: { ...manifests(release), '.planspec.yaml': 'namespace: default\n' } })
    const url = git.url('plans.git')
    const work = mkdtempSync(join(root, 'agent-'))
    const state = { XDG_STATE_HOME: join(work, 'state') }
    const agent = await planspec(['agent', '--repo', url, '--once', '--interval', '200ms', '--cache-dir', join(work, 'cache'), '--workspace', join(work, 'ws'), ...allow], { env: state })
    expect(agent.code, agent.stderr).toBe(0)
    const logs = await planspec(['logs', 'e1', '--repo', url, '--cache-dir', join(work, 'cache-logs')], { env: state })
    expect(logs.code, logs.stderr).toBe(0)
    expectKeptOutput(logs.stdout)
    printed.git = logs.stdout
  }, 300_000)

  it('planspec serve, then logs over the API, -f following the run while a task still runs', async () => {
    const dir = mkdtempSync(join(root, 'serve-'))
    const release = join(dir, 'release')
    const { url, child } = await startServe(dir)
    try {
      const files = tempTree(manifests(release))
      const admin = { PLANSPEC_TOKEN: ADMIN }
      const applied = await planspec(['apply', '-f', files, '--server', url], { env: admin })
      expect(applied.code, applied.stderr).toBe(0)
      const follow = spawn(NODE, [BIN, 'logs', 'e1', '-f', '--server', url], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...admin } })
      let followed = ''
      let followErr = ''
      follow.stdout!.on('data', (chunk: Buffer) => (followed += chunk.toString()))
      follow.stderr!.on('data', (chunk: Buffer) => (followErr += chunk.toString()))
      const exited = new Promise<number | null>((resolve) => follow.once('exit', (code) => resolve(code)))
      // `check` is still waiting for the release file: what -f printed so far came while the run went on.
      // `check` printed its lines and now waits for the release file: -f shows them while it runs.
      await until("-f to print check's output while it runs", () => followed.includes('==> check attempt 1 stdout <==\nchecked ok\n') && followed.includes('==> check attempt 1 stderr <==\nnote: 0 problems\n'))
      expect(existsSync(release)).toBe(false)
      writeFileSync(release, '')
      expect(await exited, followErr).toBe(0)
      expect(followed).not.toContain(TOKEN)
      const pieces = followedLogs(followed)
      expect([...pieces.keys()].sort()).toEqual(['build attempt 1 stderr', 'build attempt 1 stdout', 'check attempt 1 stderr', 'check attempt 1 stdout'])
      expect(pieces.get('build attempt 1 stdout')!.startsWith('build line 1 token=[REDACTED] padding-padding-padding\n')).toBe(true)
      expect(pieces.get('build attempt 1 stdout')!.endsWith(`build line ${LINES} token=[REDACTED] padding-padding-padding\n{}\n`)).toBe(true)
      expect(pieces.get('build attempt 1 stderr')).toBe('compiling with [REDACTED]\nwarning: slow disk\n')
      expect(pieces.get('check attempt 1 stdout')).toBe('checked ok\n{}\n')
      expect(pieces.get('check attempt 1 stderr')).toBe('note: 0 problems\n')
      const logs = await planspec(['logs', 'e1', '--server', url], { env: admin })
      expect(logs.code, logs.stderr).toBe(0)
      expectKeptOutput(logs.stdout)
      printed.server = logs.stdout
      // The subresource itself: text for plain clients, RBAC-checked.
      const text = await fetch(`${url}/apis/planspec.io/v1alpha1/namespaces/default/executions/e1/log?node=check&stream=stdout`, { headers: { authorization: `Bearer ${ADMIN}`, accept: 'text/plain' } })
      expect(text.status).toBe(200)
      expect(await text.text()).toBe('checked ok\n{}\n')
      const anonymous = await fetch(`${url}/apis/planspec.io/v1alpha1/namespaces/default/executions/e1/log`)
      expect(anonymous.status).toBe(401)
    } finally {
      child.kill('SIGTERM')
    }
  }, 300_000)

  it('the agent running, logs -f against the repository prints a running task\'s output from the status branch', async () => {
    const release = join(root, 'release-git-follow')
    const bare = await createBareRepo(root, 'follow.git')
    await pushFixture({ remote: bare, files: { ...manifests(release), '.planspec.yaml': 'namespace: default\n' } })
    const url = git.url('follow.git')
    const work = mkdtempSync(join(root, 'agent-follow-'))
    const state = { XDG_STATE_HOME: join(work, 'state') }
    const agent = spawn(NODE, [BIN, 'agent', '--repo', url, '--interval', '200ms', '--cache-dir', join(work, 'cache'), '--workspace', join(work, 'ws'), ...allow], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, ...state } })
    let agentErr = ''
    agent.stderr!.on('data', (chunk: Buffer) => (agentErr += chunk.toString()))
    try {
      // The Execution exists once the agent wrote its first status: until then logs says it is not found.
      let followed = ''
      let code: number | null = null
      const deadline = Date.now() + 120_000
      for (;;) {
        const follow = spawn(NODE, [BIN, 'logs', 'e1', 'check', '--stream', 'stdout', '-f', '--repo', url, '--cache-dir', join(work, 'cache-logs')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...state } })
        followed = ''
        follow.stdout!.on('data', (chunk: Buffer) => (followed += chunk.toString()))
        const exited = new Promise<number | null>((resolve) => follow.once('exit', (c) => resolve(c)))
        await until('-f to print check\'s output or end', () => followed.includes('checked ok\n') || follow.exitCode !== null, 120_000)
        if (followed.includes('checked ok\n')) {
          // Printed while `check` still waits for the release file.
          expect(existsSync(release)).toBe(false)
          writeFileSync(release, '')
          code = await exited
          break
        }
        if (Date.now() > deadline) throw new Error(`logs -f never saw the run: ${agentErr}`)
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
      expect(code).toBe(0)
      expect(followed).toBe('==> check attempt 1 stdout <==\nchecked ok\n{}\n')
    } finally {
      agent.kill('SIGTERM')
    }
  }, 300_000)

  it('prints the same text in every mode (parity)', () => {
    expect(Object.keys(printed).sort()).toEqual(['git', 'run', 'server'])
    expect(printed.git).toBe(printed.run)
    expect(printed.server).toBe(printed.run)
  })
})
