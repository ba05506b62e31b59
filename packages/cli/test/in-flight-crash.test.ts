// DECISIONS §9 "no side effect twice", in the long-running modes: `planspec agent` and
// `planspec serve` (the bundle, real processes) are SIGKILLed while an attempt's command runs;
// the restarted process re-attaches to the attempt (or collects its result) instead of running it
// again, and the ledger of side effects shows every attempt once, never two of a node at a time.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { createBareRepo, pushFixture, startGitServer } from '@planspec/testing'
import { expectNoDoubleSideEffects, ledgerCommand, readLedger } from './attempt-ledger.js'
import { cli, REPO } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const NODE = process.execPath
const H = 'apiVersion: planspec.io/v1alpha1\n'

/** Three chained Tasks whose command records start and end in the ledger and works `sleepMs`. */
function manifests(ledger: string, sleepMs: number): Record<string, string> {
  return {
    'capability.yaml': `${H}kind: Capability\nmetadata: { name: work }\nspec: { description: work }\n`,
    'plan.yaml': `${H}kind: Plan\nmetadata: { name: p }\nspec:\n  description: a chain\n  graph:\n    nodes:\n      - { id: a, kind: Task, capabilityRefs: [{ name: work }], outputs: [done], retries: 2 }\n      - { id: b, kind: Task, capabilityRefs: [{ name: work }], outputs: [done], retries: 2, dependsOn: [a] }\n      - { id: c, kind: Task, capabilityRefs: [{ name: work }], outputs: [done], retries: 2, dependsOn: [b] }\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: work } }\n      target:\n        provider: exec://ledger\n        config: { command: ${JSON.stringify([NODE, '-e', ledgerCommand(ledger, sleepMs)])} }\n`,
    'execution.yaml': `${H}kind: Execution\nmetadata: { name: e1 }\nspec: { planRef: { name: p }, bindingRef: { name: b } }\n`,
  }
}

async function killWhenStarted(child: ChildProcess, ledger: string, k: number): Promise<void> {
  await vi.waitFor(() => expect(readLedger(ledger).length).toBeGreaterThanOrEqual(k), { timeout: 30_000, interval: 20 })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
  expect(readLedger(ledger).at(-1)!.end, 'the attempt was still running when the process died').toBeUndefined()
}

function expectOneRun(ledger: string, label: string): void {
  const entries = readLedger(ledger)
  expectNoDoubleSideEffects(entries, label)
  expect(entries.map((e) => `${e.node}/${e.attempt}`).sort(), label).toEqual(['a/1', 'b/1', 'c/1'])
}

describe('SIGKILL while an attempt is in flight', () => {
  it('planspec agent: a restarted agent re-attaches to the attempt the killed one started', async () => {
    const root = mkdtempSync(join(tmpdir(), 'planspec-inflight-agent-'))
    const ledger = join(root, 'ledger')
    const bare = await createBareRepo(root, 'plans.git')
    await pushFixture({ remote: bare, files: manifests(ledger, 3_000) })
    const git = await startGitServer({ root })
    const url = git.url('plans.git')
    const workspace = join(root, 'ws')
    const agentArgs = (cache: string) => ['agent', '--repo', url, '--cache-dir', join(root, cache), '--workspace', workspace, '--interval', '200ms', '--lease', '2s', '--allow-command', NODE]
    try {
      for (const k of [1, 2]) {
        const child = spawn(NODE, [BIN, ...agentArgs(`cache-${k}`)], { stdio: 'ignore', env: { PATH: process.env.PATH, PLANSPEC_LOG_LEVEL: 'warn' } })
        await killWhenStarted(child, ledger, k)
        // The dead agent's lease expires (2 s) before another agent may take the run over.
        await new Promise((resolve) => setTimeout(resolve, 2_100))
      }
      const last = await cli([...agentArgs('cache-final'), '--once'], { env: { PLANSPEC_LOG_LEVEL: 'warn' } })
      expect(last.code, last.stderr).toBe(0)
      const listed = await cli(['get', 'executions', '--repo', url, '--cache-dir', join(root, 'cache-final'), '-o', 'json'])
      const execution = (JSON.parse(listed.stdout) as { items: { status: { phase: string; nodeStatuses: Record<string, { attempt: number }> } }[] }).items[0]!
      expect(execution.status.phase).toBe('Succeeded')
      expect(Object.values(execution.status.nodeStatuses).map((n) => n.attempt)).toEqual([1, 1, 1])
    } finally {
      await git.close()
    }
    expectOneRun(ledger, 'agent')
  }, 180_000)

  it('planspec serve: a restarted server re-attaches to the attempt the killed one started', async () => {
    const work = mkdtempSync(join(tmpdir(), 'planspec-inflight-serve-'))
    const ledger = join(work, 'ledger')
    const files = join(work, 'manifests')
    mkdirSync(files)
    for (const [name, text] of Object.entries(manifests(ledger, 2_000))) writeFileSync(join(files, name), text)
    writeFileSync(join(work, 'tokens.csv'), 'admin-inflight-token,admin,system:masters\n')
    const start = async (): Promise<{ child: ChildProcess; url: string }> => {
      const child = spawn(NODE, [BIN, 'serve', '--insecure-http', '--db', join(work, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', join(work, 'tokens.csv'), '--workspace', join(work, 'runs'), '--allow-command', NODE], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, PLANSPEC_LOG_LEVEL: 'info' } })
      let log = ''
      child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
      child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
      await vi.waitFor(() => expect(log).toMatch(/"url":"http/), { timeout: 20_000, interval: 50 })
      return { child, url: /"url":"(http:\/\/[^"]+)"/.exec(log)![1]! }
    }
    let server = await start()
    const applied = await cli(['apply', '-f', files, '--server', server.url], { env: { PLANSPEC_TOKEN: 'admin-inflight-token' } })
    expect(applied.code, applied.stderr).toBe(0)
    for (const k of [1, 2]) {
      await killWhenStarted(server.child, ledger, k)
      server = await start()
    }
    try {
      const get = async () => (await (await fetch(`${server.url}/apis/planspec.io/v1alpha1/namespaces/default/executions/e1`, { headers: { authorization: 'Bearer admin-inflight-token' } })).json()) as { status: { phase: string; nodeStatuses: Record<string, { attempt: number }> } }
      await vi.waitFor(async () => expect((await get()).status.phase).toBe('Succeeded'), { timeout: 60_000, interval: 200 })
      expect(Object.values((await get()).status.nodeStatuses).map((n) => n.attempt)).toEqual([1, 1, 1])
    } finally {
      server.child.kill('SIGTERM')
    }
    expectOneRun(ledger, 'serve')
  }, 180_000)
})
