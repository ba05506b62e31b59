// An Execution whose bindingRef names a Binding that does not exist waits for it, the same in
// every mode (issue 14): the agent over real git smart HTTP, `planspec serve` over SQLite and
// `planspec run` on the files, all the bundled binary. Each reports it `Blocked`, reason
// `BindingNotFound`, with the same message naming the Binding; once the Binding exists the run
// proceeds (agent: next sync; server: its controller; run: resumed from --state). `planspec wait`
// is driven here too, in both modes: it returns 0 once the run actually gets there (phase=Succeeded:
// it was Blocked when wait started; condition=Accepted holds from the start in every mode, the
// status the server sets on create), and times out with a clear message otherwise.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createBareRepo, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { stringify } from 'yaml'
import { REPO, runBin } from './helpers.js'
import { startServe, type ServeProcess } from './serve-process.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const api = 'planspec.io/v1alpha1'
const doc = (kind: string, name: string, spec: unknown): string => stringify({ apiVersion: api, kind, metadata: { name, namespace: 'default' }, spec })

const MANIFESTS: Record<string, string> = {
  '.planspec.yaml': 'namespace: default\n',
  'planspec/goal.yaml': doc('Goal', 'ship', { description: 'Ship it' }),
  'planspec/capability.yaml': doc('Capability', 'shipping', { description: 'Ships things' }),
  'planspec/plan.yaml': doc('Plan', 'ship-plan', { description: 'Two steps', goalRef: { name: 'ship' }, graph: { nodes: [{ id: 'build', kind: 'Task', name: 'Build', capabilityRefs: [{ name: 'shipping' }] }, { id: 'release', kind: 'Task', name: 'Release', dependsOn: ['build'], capabilityRefs: [{ name: 'shipping' }] }] } }),
  'planspec/execution.yaml': doc('Execution', 'ship-1', { goalRef: { name: 'ship' }, planRef: { name: 'ship-plan' }, bindingRef: { name: 'late-bindings' } }),
}
const BINDING = { 'planspec/binding.yaml': doc('Binding', 'late-bindings', { rules: [{ selector: { capabilityRef: { name: 'shipping' } }, target: { provider: 'noop://ship' } }] }) }
const MESSAGE = 'waiting for Binding "default/late-bindings" (spec.bindingRef): it does not exist; apply it and the run starts'

interface ExecutionStatusView {
  phase?: string
  reason?: string
  message?: string
  conditions?: { type: string; status: string; reason?: string; message?: string }[]
  nodeStatuses?: Record<string, { phase?: string }>
}

let root: string
let git: GitServer
let serve: ServeProcess
const env: Record<string, string> = {}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-missing-binding-'))
  // Hermetic: the agent's key, caches and the user config live under the test's directory.
  Object.assign(env, { HOME: join(root, 'home'), XDG_STATE_HOME: join(root, 'state'), XDG_CACHE_HOME: join(root, 'cache'), PLANSPEC_CONFIG: join(root, 'home/.planspec/config'), PLANSPEC_LOG_LEVEL: 'warn' })
  mkdirSync(env.HOME!, { recursive: true })
  git = await startGitServer({ root })
  serve = await startServe(BIN, root, { executions: true, accessLog: join(root, 'access.log') })
}, 120_000)
afterAll(async () => {
  await serve?.stop()
  await git?.close()
})

/** Runs the bundled CLI; resolves with its exit code and output (never throws on a non-zero exit). */
function planspec(args: readonly string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBin(BIN, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...env, ...extra } })
}

/** Starts a long-running CLI command (wait) and resolves with its outcome when it exits. */
function background(args: readonly string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env, ...extra }, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}

/** The Execution's status as `planspec get -o json` prints it (parsed). */
async function executionStatus(target: readonly string[], extra: Record<string, string> = {}): Promise<ExecutionStatusView> {
  const got = await planspec(['get', 'execution', 'ship-1', '-n', 'default', '-o', 'json', ...target], extra)
  expect(got.code, got.stderr).toBe(0)
  return ((JSON.parse(got.stdout) as { status?: ExecutionStatusView }).status ?? {})
}

/** What every mode must agree on for a run waiting for its Binding. */
function blockedView(status: ExecutionStatusView): unknown {
  const progressing = status.conditions?.find((c) => c.type === 'Progressing')
  return { phase: status.phase, reason: status.reason, message: status.message, progressing: progressing && { status: progressing.status, reason: progressing.reason, message: progressing.message }, startedNodes: Object.values(status.nodeStatuses ?? {}).filter((n) => n.phase !== undefined && n.phase !== 'Pending').length }
}

/** The whole blocked status of each mode, compared at the end (times and uids dropped, as the reconcile parity test does). */
const blockedIn: Record<string, unknown> = {}
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).filter(([k]) => !/(Time|Timestamp)$/.test(k) && k !== 'uid').map(([k, v]) => [k, normalise(v)]))
}

const BLOCKED = { phase: 'Blocked', reason: 'BindingNotFound', message: MESSAGE, progressing: { status: 'False', reason: 'BindingNotFound', message: MESSAGE }, startedNodes: 0 }

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
}

describe('a missing Binding, in every mode', () => {
  it('git mode: the agent keeps the Execution Blocked/BindingNotFound, then runs it at the next sync once the Binding is pushed; wait follows it', async () => {
    const bare = await createBareRepo(root, 'missing-binding.git')
    await pushFixture({ remote: bare, files: MANIFESTS, date: Math.floor(Date.now() / 1000) })
    const url = git.url('missing-binding.git')
    const agent = ['agent', '--repo', url, '--once', '--interval', '100ms', '--cache-dir', join(root, 'agent-cache'), '--workspace', join(root, 'agent-ws')]
    const read = ['--repo', url, '--cache-dir', join(root, 'get-cache')]

    const first = await planspec(agent)
    expect(first.code, first.stderr + first.stdout).toBe(0)
    blockedIn.git = await executionStatus(read)
    expect(blockedView(blockedIn.git as ExecutionStatusView)).toEqual(BLOCKED)
    // Another sync changes nothing: it still waits, nothing ran.
    expect((await planspec(agent)).code).toBe(0)
    expect(blockedView(await executionStatus(read))).toEqual(BLOCKED)

    // wait: a timeout while it is Blocked exits 1 and says where it is.
    const timedOut = await planspec(['wait', 'execution', 'ship-1', '--for=phase=Succeeded', '--timeout', '3s', '--repo', url])
    expect(timedOut.code).toBe(1)
    expect(timedOut.stderr).toContain(`error: timed out after 3s waiting for execution/ship-1 (phase=Succeeded); it is Blocked: ${MESSAGE}`)

    // wait started while the run is Blocked, then the Binding arrives and the agent syncs.
    // Each process its own clone: two processes fetching into one cache directory race.
    const waiting = background(['wait', 'execution', 'ship-1', '--for=phase=Succeeded', '--timeout', '5m', '--repo', url, '--cache-dir', join(root, 'wait-phase')])
    const waitingCondition = background(['wait', 'execution', 'ship-1', '--for=condition=Accepted', '--timeout', '5m', '--repo', url, '--cache-dir', join(root, 'wait-condition')])
    // Both have read the status branch (fetched, and their turn on the cache over) while the run is
    // still Blocked, before the Binding arrives: they see it change, not a run already done.
    for (const cache of ['wait-phase', 'wait-condition']) {
      await vi.waitFor(() => expect(existsSync(join(root, cache, 'refs/remotes/origin/planspec/status')) && !existsSync(join(root, `${cache}.lock`))).toBe(true), { timeout: 120_000, interval: 50 })
    }
    await pushFixture({ remote: bare, files: BINDING, date: Math.floor(Date.now() / 1000), message: 'add the Binding' })
    const second = await planspec(agent)
    expect(second.code, second.stderr + second.stdout).toBe(0)
    const done = await executionStatus(read)
    expect(done.phase).toBe('Succeeded')
    expect(Object.values(done.nodeStatuses ?? {}).map((n) => n.phase)).toEqual(['Succeeded', 'Succeeded'])
    const [byPhase, byCondition] = await Promise.all([waiting, waitingCondition])
    expect(byPhase.code, byPhase.stderr).toBe(0)
    expect(byPhase.stdout).toBe('execution/ship-1 condition met (phase=Succeeded)\n')
    expect(byCondition.code, byCondition.stderr).toBe(0)
    expect(byCondition.stdout).toBe('execution/ship-1 condition met (condition=Accepted=True)\n')
  }, 600_000)

  it('server mode: the controller keeps it Blocked/BindingNotFound and runs it once the Binding is applied; wait follows it', async () => {
    const dir = mkdtempSync(join(root, 'apply-'))
    writeTree(dir, MANIFESTS)
    const target = ['--server', serve.url]
    const applied = await planspec(['apply', '-f', join(dir, 'planspec'), ...target], serve.env)
    expect(applied.code, applied.stderr).toBe(0)
    await vi.waitFor(async () => expect(blockedView(await executionStatus(target, serve.env))).toEqual(BLOCKED), { timeout: 120_000, interval: 500 })
    blockedIn.server = await executionStatus(target, serve.env)

    const timedOut = await planspec(['wait', 'execution', 'ship-1', '--for=phase=Succeeded', '--timeout', '2s', ...target], serve.env)
    expect(timedOut.code).toBe(1)
    expect(timedOut.stderr).toContain(`error: timed out after 2s waiting for execution/ship-1 (phase=Succeeded); it is Blocked: ${MESSAGE}`)

    const reads = (): number => (existsSync(join(root, 'access.log')) ? readFileSync(join(root, 'access.log'), 'utf8').split('\n').filter((line) => line.includes('/executions') && line.includes('ship-1')).length : 0)
    const before = reads()
    const waiting = background(['wait', 'execution', 'ship-1', '--for=phase=Succeeded', '--timeout', '5m', ...target], serve.env)
    const waitingCondition = background(['wait', 'execution', 'ship-1', '--for=condition=Accepted', '--timeout', '5m', ...target], serve.env)
    // Both have read the Execution while it is Blocked (the server's access log), before the Binding arrives.
    await vi.waitFor(() => expect(reads()).toBeGreaterThanOrEqual(before + 2), { timeout: 120_000, interval: 50 })
    writeTree(dir, BINDING)
    const binding = await planspec(['apply', '-f', join(dir, BINDING_PATH), ...target], serve.env)
    expect(binding.code, binding.stderr).toBe(0)
    const [byPhase, byCondition] = await Promise.all([waiting, waitingCondition])
    expect(byPhase.code, byPhase.stderr).toBe(0)
    expect(byPhase.stdout).toBe('execution/ship-1 condition met (phase=Succeeded)\n')
    expect(byCondition.code, byCondition.stderr).toBe(0)
    expect(byCondition.stdout).toBe('execution/ship-1 condition met (condition=Accepted=True)\n')
    const done = await executionStatus(target, serve.env)
    expect(Object.values(done.nodeStatuses ?? {}).map((n) => n.phase)).toEqual(['Succeeded', 'Succeeded'])
  }, 600_000)

  it('planspec run: stops Blocked/BindingNotFound with the same status, and a resumed run (--state) proceeds once the Binding is in the files', async () => {
    const dir = mkdtempSync(join(root, 'run-'))
    writeTree(dir, MANIFESTS)
    const state = join(dir, 'run-state.json')
    const blocked = await planspec(['run', dir, '--execution', 'ship-1', '--state', state, '-o', 'json'])
    expect(blocked.code, blocked.stderr).toBe(1)
    blockedIn.run = (JSON.parse(blocked.stdout) as { status: ExecutionStatusView }).status
    expect(blockedView(blockedIn.run as ExecutionStatusView)).toEqual(BLOCKED)
    writeTree(dir, BINDING)
    const resumed = await planspec(['run', dir, '--execution', 'ship-1', '--state', state, '-o', 'json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    const status = (JSON.parse(resumed.stdout) as { status: ExecutionStatusView }).status
    expect(status.phase).toBe('Succeeded')
    expect(status.conditions?.find((c) => c.type === 'Progressing')?.reason).not.toBe('BindingNotFound')
  }, 300_000)
})

describe('the three modes side by side', () => {
  it('wrote the same whole status for the waiting Execution (times and uids aside)', () => {
    expect(Object.keys(blockedIn).sort()).toEqual(['git', 'run', 'server'])
    // Every mode starts from the status the server sets on create (RESOURCES 0.7, core's initialStatus).
    expect(normalise(blockedIn.git)).toMatchObject({ observedGeneration: 1, conditions: [{ type: 'Accepted', status: 'True', reason: 'ExecutionCreated', message: 'The execution was accepted', observedGeneration: 1 }, { type: 'Progressing' }] })
    expect(normalise(blockedIn.run)).toEqual(normalise(blockedIn.git))
    expect(normalise(blockedIn.server)).toEqual(normalise(blockedIn.git))
  })
})

const BINDING_PATH = Object.keys(BINDING)[0]!
