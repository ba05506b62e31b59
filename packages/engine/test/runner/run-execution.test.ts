import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { normalizeGraph, type ExecutionStatus, type NodeBinding, type PlanGraphLike } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { createProviders } from '../../src/create-providers.js'
import { attemptDir } from '../../src/exec-provider.js'
import { isAlive } from '../helpers.js'
import { runAcceptanceCriteria } from '../../src/run-acceptance-criteria.js'
import { createCelEvaluator, observeExternals, runExecution, type ExecutionRunInput, type RunState } from '../../src/runner/index.js'

const NODE = process.execPath
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.min(ms, 50))
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })

/** A state file written the way `planspec run --state` writes it. */
function fileState(path: string): RunState & { saves: number } {
  const state = {
    saves: 0,
    async load() {
      return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ExecutionStatus) : undefined
    },
    async save(status: ExecutionStatus) {
      state.saves++
      writeFileSync(path, JSON.stringify(status))
    },
  }
  return state
}

function input(graph: PlanGraphLike, bindings: Record<string, NodeBinding>, outputs: Record<string, string[]> = {}): ExecutionRunInput {
  return {
    uid: 'exec-1',
    graph: normalizeGraph(graph),
    specHash: 'sha256:spec',
    parameters: { 'x-region': 'eu' },
    bindings: new Map(Object.entries(bindings)),
    declaredOutputs: new Map(Object.entries(outputs)),
    retryPolicy: { baseMs: 1, factor: 2, capMs: 5 },
  }
}

/** The deps every test shares: real providers allowing only node, the real CEL evaluator, the real clock. */
function baseDeps(workspace: string, policy = { allowCommands: [NODE], allowUrls: [] as string[] }) {
  return { providers: createProviders({ policy }), evaluate: createCelEvaluator(), now: Date.now, sleep, workspace }
}

const echoTag = (tag: string): NodeBinding => ({ outcome: 'bound', provider: 'exec://echo', claimable: false, config: { command: [NODE, '-e', `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const i=JSON.parse(s);console.log(JSON.stringify({tag:'${tag}-'+(i.from??'none')}))})`] } })

describe('runExecution', () => {
  it('runs a plan end to end through real providers, a template, a gate and a when, saving every transition', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-run-'))
    const state = fileState(join(dir, 'state.json'))
    const graph: PlanGraphLike = {
      nodes: [
        { id: 'build', kind: 'Task' },
        { id: 'test', kind: 'Task', dependsOn: ['build'], ...({ inputs: { from: '${{ nodes.build.outputs.tag }}' } } as object) },
        { id: 'approve', kind: 'Gate', dependsOn: ['test'], gateRef: { name: 'release' } },
        { id: 'deploy', kind: 'Task', dependsOn: ['approve'], when: 'params["x-region"] == "eu"' },
        { id: 'skip-me', kind: 'Task', dependsOn: ['build'], when: 'params["x-region"] == "us"' },
      ],
    }
    const noop: NodeBinding = { outcome: 'bound', provider: 'noop://ok', claimable: false, config: { outputs: { tag: 'v1' } } }
    let gateChecks = 0
    const status = await runExecution(input(graph, { build: noop, test: echoTag('tested'), deploy: noop, 'skip-me': noop }, { build: ['tag'], test: ['tag'], deploy: ['tag'] }), {
      ...baseDeps(dir),
      state,
      gate: async () => (++gateChecks >= 2 ? { phase: 'Approved' } : { phase: 'Waiting' }),
      pollMs: 10,
    })
    expect(status.phase).toBe('Succeeded')
    expect(status.nodeStatuses?.test?.outputs).toEqual({ tag: 'tested-v1' })
    expect(status.nodeStatuses?.approve?.phase).toBe('Succeeded')
    expect(status.nodeStatuses?.['skip-me']).toMatchObject({ phase: 'Skipped', reason: 'ConditionFalse' })
    expect(state.saves).toBeGreaterThan(4)
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).phase).toBe('Succeeded')
  })

  it('fails the run with the node and reason when a command exits non-zero, and skips what depends on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-run-'))
    const fail: NodeBinding = { outcome: 'bound', provider: 'exec://fail', claimable: false, config: { command: [NODE, '-e', 'process.exit(3)'] } }
    const status = await runExecution(input({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }] }, { a: fail, b: fail }), {
      ...baseDeps(dir),
    })
    expect(status.phase).toBe('Failed')
    expect(status.nodeStatuses?.a).toMatchObject({ phase: 'Failed', reason: 'ExitCode' })
    expect(status.nodeStatuses?.b).toMatchObject({ phase: 'Skipped', reason: 'UpstreamFailed' })
  })

  it('dispatches again, under the same runId, an attempt whose supervisor never got to start it (nothing journaled)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-run-'))
    const ledger = join(dir, 'ledger.txt')
    const logRun: NodeBinding = { outcome: 'bound', provider: 'exec://log', claimable: false, config: { command: [NODE, '-e', `require('fs').appendFileSync(${JSON.stringify(ledger)}, process.env.PLANSPEC_RUN_ID + '\\n'); console.log('{}')`] } }
    const graph = { nodes: [{ id: 'a', kind: 'Task', ...({ retries: 1 } as object) }] }
    const state = fileState(join(dir, 'state.json'))
    // The state a killed runner leaves: attempt 1 recorded as dispatching, nothing journaled.
    await state.save({ phase: 'Running', runId: 'exec-1', specHash: 'sha256:spec', nodeStatuses: { a: { phase: 'Running', attempt: 1, startTime: new Date().toISOString(), extensions: { 'io.planspec.dispatch': { runId: 'exec-1/a/1', state: 'Dispatching' }, 'io.planspec.startMs': Date.now() } } } })
    const providers = createProviders({ policy: { allowCommands: [NODE], allowUrls: [] }, attemptsDir: join(dir, 'attempts') })
    const status = await runExecution(input(graph, { a: logRun }), { ...baseDeps(dir), providers, state })
    expect(status.phase).toBe('Succeeded')
    expect(status.nodeStatuses?.a?.attempt).toBe(1)
    expect(readFileSync(ledger, 'utf8').trim().split('\n')).toEqual(['exec-1/a/1'])
  })

  it('records an attempt that ended without a result while the runner was down as AgentRestarted, stopping what was left of it first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-run-'))
    const ledger = join(dir, 'ledger.txt')
    const attemptsDir = join(dir, 'attempts')
    const providers = createProviders({ policy: { allowCommands: [NODE], allowUrls: [] }, attemptsDir, graceMs: 200 })
    // A group whose leader (the supervisor) died and left a grandchild running: journaled, no result.
    const leftover = spawn(NODE, ['-e', `const c = require('child_process').spawn(${JSON.stringify(NODE)}, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('fs').writeFileSync(${JSON.stringify(join(dir, 'grandchild'))}, String(c.pid)); setTimeout(() => process.exit(0), 200)`], { detached: true, stdio: 'ignore' })
    const leaderPid = leftover.pid!
    const startTime = readFileSync(`/proc/${leaderPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]
    await new Promise((resolve) => leftover.once('exit', resolve))
    const grandchild = Number(readFileSync(join(dir, 'grandchild'), 'utf8'))
    const attempt = attemptDir({ policy: { allowCommands: [], allowUrls: [] }, attemptsDir }, 'exec-1/a/1')
    mkdirSync(attempt, { recursive: true })
    writeFileSync(join(attempt, 'journal.json'), JSON.stringify({ runId: 'exec-1/a/1', pid: leaderPid, pgid: leaderPid, startTime, deadline: Date.now() + 60_000 }))
    const logRun: NodeBinding = { outcome: 'bound', provider: 'exec://log', claimable: false, config: { command: [NODE, '-e', `require('fs').appendFileSync(${JSON.stringify(ledger)}, process.env.PLANSPEC_RUN_ID + '\\n'); console.log('{}')`] } }
    const state = fileState(join(dir, 'state.json'))
    await state.save({ phase: 'Running', runId: 'exec-1', specHash: 'sha256:spec', nodeStatuses: { a: { phase: 'Running', attempt: 1, startTime: new Date().toISOString(), extensions: { 'io.planspec.dispatch': { runId: 'exec-1/a/1', state: 'Dispatching' }, 'io.planspec.startMs': Date.now() } } } })
    const changes: ExecutionStatus[] = []
    const status = await runExecution(input({ nodes: [{ id: 'a', kind: 'Task', ...({ retries: 1 } as object) }] }, { a: logRun }), { ...baseDeps(dir), providers, state, onChange: (next) => changes.push(next) })
    expect(isAlive(grandchild)).toBe(false)
    expect(changes.map((c) => c.nodeStatuses?.a).find((a) => a?.reason === 'AgentRestarted')).toMatchObject({ phase: 'Failed', attempt: 1, message: expect.stringContaining('what was left of its process group was terminated') })
    expect(status).toMatchObject({ phase: 'Succeeded', nodeStatuses: { a: { attempt: 2 } } })
    expect(readFileSync(ledger, 'utf8').trim().split('\n')).toEqual(['exec-1/a/2'])
  })

  it('stops Blocked when only people can move the run on, and completes claimed work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-run-'))
    const human: NodeBinding = { outcome: 'bound', provider: 'human://review', claimable: true }
    const graph = { nodes: [{ id: 'review', kind: 'Task' }] }
    const providers = createProviders({ policy: { allowCommands: [], allowUrls: [] } })
    const blocked = await runExecution(input(graph, { review: human }), { providers, evaluate: createCelEvaluator(), now: Date.now, sleep, workspace: dir })
    expect(blocked.phase).toBe('Blocked')
    const done = await runExecution(input(graph, { review: human }, { review: ['verdict'] }), {
      providers,
      evaluate: createCelEvaluator(),
      now: Date.now,
      sleep,
      workspace: dir,
      waitForPeople: async () => [{ node: 'review', outcome: 'succeeded', outputs: { verdict: 'lgtm' } }],
    })
    expect(done.phase).toBe('Succeeded')
    expect(done.nodeStatuses?.review?.outputs).toEqual({ verdict: 'lgtm' })
  })

  it('cancels running attempts through their provider when the run is cancelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-run-'))
    const slow: NodeBinding = { outcome: 'bound', provider: 'exec://slow', claimable: false, config: { command: [NODE, '-e', 'setTimeout(() => {}, 60000)'] } }
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    const started = Date.now()
    const status = await runExecution(input({ nodes: [{ id: 'a', kind: 'Task' }] }, { a: slow }), {
      ...baseDeps(dir),
      signal: controller.signal,
    })
    expect(status.phase).toBe('Cancelled')
    expect(status.nodeStatuses?.a?.phase).toBe('Cancelled')
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('fails an attempt whose required acceptance criterion fails, retries it, and passes once the artifact exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-run-'))
    const writeOnSecondAttempt: NodeBinding = { outcome: 'bound', provider: 'exec://w', claimable: false, config: { command: [NODE, '-e', "const fs=require('fs'); if (process.env.PLANSPEC_ATTEMPT === '2') fs.writeFileSync('report.txt', 'all green'); console.log('{}')"] } }
    const graph = { nodes: [{ id: 'a', kind: 'Task', ...({ retries: 1 } as object) }] }
    const run = { ...input(graph, { a: writeOnSecondAttempt }), acceptanceCriteria: new Map([['a', [{ type: 'artifact_exists' as const, name: 'report written', path: 'report.txt', contentMatch: 'green' }]]]) }
    const policy = { allowCommands: [NODE], allowUrls: [] }
    const transitions: string[] = []
    const status = await runExecution(run, {
      providers: createProviders({ policy }),
      evaluate: createCelEvaluator(),
      now: Date.now,
      sleep,
      workspace: dir,
      checkAcceptance: (_node, criteria, signal) => runAcceptanceCriteria(criteria, { workspace: dir, policy, signal }),
      onChange: (next) => transitions.push(`${next.nodeStatuses?.a?.phase}:${next.nodeStatuses?.a?.reason ?? ''}`),
    })
    expect(transitions).toContain('Failed:AcceptanceFailed')
    expect(status.phase).toBe('Succeeded')
    expect(status.nodeStatuses?.a?.attempt).toBe(2)
    // What people read in the node panel: the results of the last check and the inputs of the attempt.
    expect(status.nodeStatuses?.a?.extensions?.['io.planspec.acceptance']).toEqual([{ name: 'report written', required: true, passed: true, message: expect.any(String) }])
    expect(status.nodeStatuses?.a?.extensions?.['io.planspec.inputs']).toEqual({})
  })

  it('polls an accepted (202) HTTP task and a webhook External node until they succeed', async () => {
    let polls = 0
    let watched = 0
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      if (req.method === 'POST') return res.writeHead(202).end(JSON.stringify({ statusUrl: '/status/1' }))
      if (req.url === '/status/1') return res.end(JSON.stringify(++polls < 3 ? { state: 'pending' } : { state: 'succeeded', outputs: { url: 'https://release/1' } }))
      if (req.url === '/warehouse') return res.end(JSON.stringify(++watched < 2 ? { state: 'pending' } : { state: 'succeeded' }))
      res.writeHead(404).end('{}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      const providers = createProviders({ policy: { allowCommands: [], allowUrls: [`http://127.0.0.1:${port}/*`], allowPrivateNetworks: true } })
      const graph = {
        nodes: [
          { id: 'deploy', kind: 'Task' },
          { id: 'warehouse', kind: 'External', ...({ externalRef: { type: 'webhook', webhookUrl: `http://127.0.0.1:${port}/warehouse` }, pollInterval: '10ms' } as object) },
          { id: 'done', kind: 'Task', dependsOn: ['deploy', 'warehouse'] },
        ],
      }
      const http: NodeBinding = { outcome: 'bound', provider: `http://127.0.0.1:${port}/tasks`, claimable: false }
      const noop: NodeBinding = { outcome: 'bound', provider: 'noop://x', claimable: false }
      const externals = observeExternals(new Map([['warehouse', { type: 'webhook' as const, webhookUrl: `http://127.0.0.1:${port}/warehouse` }]]), providers)
      const status = await runExecution(input(graph, { deploy: http, done: noop }, { deploy: ['url'] }), {
        providers,
        evaluate: createCelEvaluator(),
        now: Date.now,
        sleep,
        workspace: mkdtempSync(join(tmpdir(), 'planspec-run-')),
        external: externals,
        pollMs: 10,
      })
      expect(status.phase).toBe('Succeeded')
      expect(status.nodeStatuses?.deploy?.outputs).toEqual({ url: 'https://release/1' })
      expect(polls).toBe(3)
      expect(watched).toBeGreaterThanOrEqual(2)
    } finally {
      server.close()
    }
  })
})

describe('runExecution: retry', () => {
  it('re-opens a Failed run from its failed node when retry is requested, keeping succeeded work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-retry-'))
    const state = fileState(join(dir, 'state.json'))
    const flag = join(dir, 'fixed')
    // Fails until the flag file exists: the first run fails, the retried one succeeds.
    const flaky: NodeBinding = { outcome: 'bound', provider: 'exec://flaky', claimable: false, config: { command: [NODE, '-e', `process.exit(require('fs').existsSync(${JSON.stringify(flag)}) ? 0 : 4)`] } }
    const run = input({ nodes: [{ id: 'first', kind: 'Task' }, { id: 'flaky', kind: 'Task', dependsOn: ['first'] }] }, { first: echoTag('a'), flaky })
    const failed = await runExecution(run, { ...baseDeps(dir), state })
    expect(failed).toMatchObject({ phase: 'Failed', reason: 'NodeFailed' })
    // Without a retry request a terminal run stays as it is.
    expect(await runExecution(run, { ...baseDeps(dir), state })).toMatchObject({ phase: 'Failed' })
    writeFileSync(flag, '')
    const retried = await runExecution(run, { ...baseDeps(dir), state, retryRequested: {} })
    expect(retried.phase).toBe('Succeeded')
    expect(retried.nodeStatuses?.first).toMatchObject({ phase: 'Succeeded', attempt: 1 })
    expect(retried.nodeStatuses?.flaky).toMatchObject({ phase: 'Succeeded', attempt: 2 })
  })
})
