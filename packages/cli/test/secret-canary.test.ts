// THREATS T13, DECISIONS §9 "no secret leaves": a unique canary secret reaches a command through a
// Binding's env, the command echoes it (raw, base64, URL-encoded) in its outputs and in the stderr
// of a failure, and then every sink of every mode is searched for it: `planspec run`'s text and
// JSON output and state file; the agent's logs, every object of the repository (status branch)
// and every PR comment and commit status sent to the fake GitHub; the server's logs, API responses
// (get, list, watch) and SQLite rows and files. Each sink gets its own assertion.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createBareRepo, pushFixture, runGit, startGitServer } from '@planspec/testing'
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startFakeGitHub, TEST_TOKEN } from '../../github/test/support/fake-github.js'
import { runCli } from '../src/index.js'
import { REPO, tempTree } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const NODE = process.execPath
// A secret-looking name, and a value only the Binding marks secret.
const TOKEN = `canary-token-${randomUUID()}`
const VALUE = `canary-value-${randomUUID()}`
const ADMIN = 'admin-canary-test-token'
const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** Every form a sink must never hold: raw, base64 (both alphabets) and URL-encoded, of both secrets. */
const FORMS = [TOKEN, VALUE].flatMap((s) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), encodeURIComponent(s)])
function expectNoCanary(sink: string, text: string): void {
  const found = FORMS.filter((form) => text.includes(form))
  expect(found, `${sink} holds the canary`).toEqual([])
}

/** The manifests: `leak` echoes the secrets as outputs; `fail` exits 1 with them on stderr. */
function manifests(seen: string): Record<string, string> {
  const script = [
    `const fs = require('fs'); const t = process.env.DEPLOY_TOKEN, v = process.env.CANARY_VALUE`,
    `fs.appendFileSync(${JSON.stringify(seen)}, t + ' ' + v + '\\n')`,
    `const b = Buffer.from(t).toString('base64')`,
    `if (process.env.PLANSPEC_NODE === 'fail') { process.stderr.write('boom ' + t + ' ' + b + ' ' + encodeURIComponent(v) + '\\n'); process.exit(1) }`,
    `console.log(JSON.stringify({ leak: t, b64: b, url: encodeURIComponent(t), v }))`,
  ].join('; ')
  const H = 'apiVersion: planspec.io/v1alpha1\n'
  return {
    'plan.yaml': `${H}kind: Plan\nmetadata: { name: p }\nspec:\n  description: leaks\n  graph:\n    nodes:\n      - { id: leak, kind: Task, capabilityRefs: [{ name: work }], outputs: [leak, b64, url, v] }\n      - { id: fail, kind: Task, capabilityRefs: [{ name: work }], dependsOn: [leak] }\n`,
    'capability.yaml': `${H}kind: Capability\nmetadata: { name: work }\nspec: { description: work }\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: work } }\n      target:\n        provider: exec://leaky\n        config:\n          command: ${JSON.stringify([NODE, '-e', script])}\n          env:\n            DEPLOY_TOKEN: { fromEnv: DEPLOY_TOKEN }\n            CANARY_VALUE: { fromEnv: CANARY_VALUE, secret: true }\n`,
    'execution.yaml': `${H}kind: Execution\nmetadata: { name: e1 }\nspec: { planRef: { name: p }, bindingRef: { name: b } }\n`,
  }
}

const secretEnv = { DEPLOY_TOKEN: TOKEN, CANARY_VALUE: VALUE, PLANSPEC_LOG_LEVEL: 'debug' }
const allow = ['--allow-command', NODE, '--allow-env', 'DEPLOY_TOKEN', '--allow-env', 'CANARY_VALUE']

function expectSeen(seen: string): void {
  // The command did get both values: what the sinks lack was masked, not missing.
  expect(readFileSync(seen, 'utf8')).toContain(`${TOKEN} ${VALUE}`)
}

describe('no secret leaves (canary)', () => {
  it('planspec run: text output, JSON output and the state file', () => {
    for (const output of ['text', 'json']) {
      const seen = join(mkdtempSync(join(tmpdir(), 'planspec-canary-')), 'seen')
      const dir = tempTree(manifests(seen))
      dirs.push(dir)
      const res = spawnSync(NODE, [BIN, 'run', '.', '--execution', 'e1', '--state', 'state.json', ...allow, '-o', output], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, ...secretEnv }, timeout: 60_000 })
      expect(res.status, res.stderr).toBe(1)
      expectSeen(seen)
      expectNoCanary(`run -o ${output} stdout`, res.stdout)
      expectNoCanary(`run -o ${output} stderr`, res.stderr)
      expectNoCanary('the state file', readFileSync(join(dir, 'state.json'), 'utf8'))
      if (output === 'json') {
        const status = JSON.parse(res.stdout).status
        expect(status.nodeStatuses.leak.outputs).toEqual({ leak: '[REDACTED]', b64: '[REDACTED]', url: '[REDACTED]', v: '[REDACTED]' })
        expect(status.nodeStatuses.fail).toMatchObject({ phase: 'Failed', reason: 'ExitCode', message: expect.stringContaining('boom [REDACTED] [REDACTED] [REDACTED]') })
      }
    }
  }, 120_000)

  it('planspec agent: logs, every object of the repository (status branch) and every PR comment and commit status', async () => {
    const root = mkdtempSync(join(tmpdir(), 'planspec-canary-agent-'))
    dirs.push(root)
    const seen = join(root, 'seen')
    const bare = await createBareRepo(root, 'plans.git')
    const commit = await pushFixture({ remote: bare, files: manifests(seen), author: { name: 'amy', email: 'amy@users.noreply.github.com' } })
    const git = await startGitServer({ root })
    const github = await startFakeGitHub()
    github.addPullRequest({ owner: 'acme', repo: 'plans', number: 3, author: 'amy', headSha: commit })
    const stdout = new PassThrough()
    let logs = ''
    stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()))
    try {
      const argv = ['agent', '--repo', git.url('plans.git'), '--cache-dir', join(root, 'cache'), '--workspace', join(root, 'ws'), '--interval', '200ms', '--once', ...allow, '--github-repo', 'acme/plans', '--github-api-url', github.url, '--github-progress-interval', '100ms']
      const code = await runCli(argv, { stdout, stderr: new PassThrough(), stdin: Readable.from(['']), cwd: root, env: { ...secretEnv, GITHUB_TOKEN: TEST_TOKEN, PATH: process.env.PATH ?? '' } })
      expect(code).toBe(0)
      await vi.waitFor(() => expect(github.commentsOn('acme', 'plans', 3).some((c) => c.body.includes('Failed'))).toBe(true), { timeout: 10_000, interval: 100 })
    } finally {
      await git.close()
      await github.close()
    }
    expectSeen(seen)
    expect(logs).toContain('"node":"fail"')
    expectNoCanary('the agent log', logs)
    const { stdout: objects } = await runGit(['cat-file', '--batch-all-objects', '--batch'], { cwd: bare })
    expect(objects).toContain('ExitCode')
    expectNoCanary('the objects of the repository (status branch)', objects)
    const bodies = github.commentsOn('acme', 'plans', 3).map((c) => c.body).join('\n')
    expect(bodies).toContain('boom')
    expectNoCanary('the PR comment bodies', bodies)
    expectNoCanary('the commit statuses', JSON.stringify(github.statuses))
  }, 120_000)

  it('planspec serve: logs, API responses (get, list, watch), SQLite rows and files', async () => {
    const work = mkdtempSync(join(tmpdir(), 'planspec-canary-serve-'))
    dirs.push(work)
    const seen = join(work, 'seen')
    writeFileSync(join(work, 'tokens.csv'), `${ADMIN},admin,system:masters\n`)
    const db = join(work, 'planspec.db')
    let log = ''
    const child: ChildProcess = spawn(NODE, [BIN, 'serve', '--insecure-http', '--db', db, '--listen', '127.0.0.1:0', '--tokens', join(work, 'tokens.csv'), '--workspace', join(work, 'runs'), ...allow], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...secretEnv } })
    try {
      child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
      child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
      await vi.waitFor(() => expect(log).toMatch(/"url":"http/), { timeout: 20_000, interval: 50 })
      const url = /"url":"(http:\/\/[^"]+)"/.exec(log)![1]!
      const files = tempTree(manifests(seen))
      dirs.push(files)
      const applied = spawnSync(NODE, [BIN, 'apply', '-f', files, '--server', url], { encoding: 'utf8', env: { PATH: process.env.PATH, PLANSPEC_TOKEN: ADMIN } })
      expect(applied.status, applied.stderr).toBe(0)
      const get = (path: string) => fetch(`${url}/apis/planspec.io/v1alpha1${path}`, { headers: { authorization: `Bearer ${ADMIN}` } }).then((r) => r.text())
      await vi.waitFor(async () => expect(JSON.parse(await get('/namespaces/default/executions/e1')).status.phase).toBe('Failed'), { timeout: 30_000, interval: 100 })
      expectSeen(seen)
      const responses = [await get('/namespaces/default/executions/e1'), await get('/executions'), await get('/namespaces/default/executions?watch=true&timeoutSeconds=1&resourceVersion=0')]
      expect(responses[0]).toContain('boom')
      for (const [index, text] of responses.entries()) expectNoCanary(`API response ${index}`, text)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    expectNoCanary('the server log', log)
    const sqlite = new Database(db, { readonly: true })
    const tables = sqlite.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all()
    const rows = tables.map(({ name }) => JSON.stringify(sqlite.prepare(`SELECT * FROM "${name}"`).all())).join('\n')
    sqlite.close()
    expect(rows).toContain('ExitCode')
    expectNoCanary('the SQLite rows', rows)
    for (const file of readdirSync(work).filter((name) => name.startsWith('planspec.db'))) {
      expectNoCanary(`the database file ${file}`, readFileSync(join(work, file)).toString('latin1'))
    }
    expect(existsSync(db)).toBe(true)
  }, 120_000)
})
