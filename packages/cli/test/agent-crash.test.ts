import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBareRepo, ledgerRepository, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
import { cli, REPO } from './helpers.js'

// THREATS: a killed agent loses nothing and dispatches nothing twice. The real `planspec agent`
// binary runs against a real smart-HTTP git server and is SIGKILLed at several points; every
// restart resumes from the status branch alone.

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const NODE = process.execPath
let server: GitServer
let url: string
let ledger: string

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'planspec-agent-crash-'))
  ledger = join(root, 'ledger.txt')
  const bare = await createBareRepo(root, 'plans.git')
  await pushFixture({ remote: bare, files: ledgerRepository({ ledger, executions: 2, steps: 3, retries: 3, sleepMs: 300 }) })
  server = await startGitServer({ root })
  url = server.url('plans.git')
})
afterAll(async () => server?.close())

function startAgentProcess(cache: string, workspace: string, state: string, extra: string[] = []): ChildProcess {
  // The agents' key is generated on first start and kept in the state directory: every restart reads it back.
  return spawn(NODE, [BIN, 'agent', '--repo', url, '--cache-dir', cache, '--workspace', workspace, '--interval', '200ms', '--lease', '2s', '--allow-command', NODE, ...extra], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, XDG_STATE_HOME: state } })
}

describe('planspec agent under SIGKILL', () => {
  it('resumes after kills at several points: every Execution succeeds and no attempt is dispatched twice', async () => {
    const base = mkdtempSync(join(tmpdir(), 'planspec-agent-runs-'))
    const workspace = join(base, 'ws')
    const state = join(base, 'state')
    for (const [i, delay] of [700, 1300, 1900, 2600].entries()) {
      const child = startAgentProcess(join(base, `cache-${i % 2}`), workspace, state)
      await new Promise((resolve) => setTimeout(resolve, delay))
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
      // The dead agent's leases expire (2s) before the next one may take them over.
      await new Promise((resolve) => setTimeout(resolve, 2100))
    }
    const last = await cli(['agent', '--repo', url, '--cache-dir', join(base, 'cache-final'), '--workspace', workspace, '--interval', '200ms', '--lease', '2s', '--allow-command', NODE, '--once'], { env: { PLANSPEC_LOG_LEVEL: 'warn', XDG_STATE_HOME: state } })
    expect(last.code).toBe(0)
    const listed = await cli(['get', 'executions', '--repo', url, '--cache-dir', join(base, 'cache-final'), '-o', 'json'])
    const items = JSON.parse(listed.stdout).items as { metadata: { name: string; uid: string }; status: { phase: string; nodeStatuses: Record<string, { phase: string; attempt: number }> } }[]
    expect(items.map((e) => [e.metadata.name, e.status.phase])).toEqual([['e0', 'Succeeded'], ['e1', 'Succeeded']])
    const dispatched = existsSync(ledger) ? readFileSync(ledger, 'utf8').trim().split('\n') : []
    // No attempt twice: every run id (execution/node/attempt) appears once in the ledger.
    expect(new Set(dispatched).size).toBe(dispatched.length)
    expect(dispatched.length).toBeGreaterThanOrEqual(6)
    // Nothing lost: every dispatched attempt is at or below the attempt its node recorded.
    for (const runId of dispatched) {
      const [execution, node, attempt] = runId.split('/').slice(-3) as [string, string, string]
      // Run ids start with the Execution's uid (git mode: kind, name and the commit that added it).
      const recorded = items.find((e) => e.metadata.uid === execution)!.status.nodeStatuses[node]!
      expect(Number(attempt)).toBeLessThanOrEqual(recorded.attempt)
    }
  }, 180_000)
})
