import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectNoDoubleSideEffects, ledgerCommand, readLedger } from './attempt-ledger.js'
import { REPO, tempTree } from './helpers.js'

// THREATS T1, crash-point enumeration: `planspec run --state` SIGKILLs itself after its n-th
// durable write (PLANSPEC_CRASH_AT=n); a second run resumes from the state file. For every n the
// resumed run must end like an uninterrupted one, and no attempt may ever be dispatched twice.
const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const H = 'apiVersion: planspec.io/v1alpha1\n'

function repository(ledger: string, script = `const fs=require('fs');fs.appendFileSync(${JSON.stringify(ledger)},process.env.PLANSPEC_RUN_ID+'\\n');if(process.env.PLANSPEC_NODE==='e'&&process.env.PLANSPEC_ATTEMPT==='1')process.exit(1);console.log(JSON.stringify({done:process.env.PLANSPEC_NODE}))`): string {
  // Each attempt appends its runId to the ledger; node "e" fails its first attempt on purpose.
  return tempTree({
    'plan.yaml': `${H}kind: Plan\nmetadata: {name: p}\nspec:\n  description: fan-out, fan-in, a gate and a retrying node\n  graph:\n    nodes:\n      - {id: a, kind: Task, capabilityRefs: [{name: work}], outputs: [done], retries: 1}\n      - {id: b, kind: Task, capabilityRefs: [{name: work}], outputs: [done], retries: 1, dependsOn: [a]}\n      - {id: c, kind: Task, capabilityRefs: [{name: work}], outputs: [done], retries: 1, dependsOn: [a]}\n      - {id: d, kind: Task, capabilityRefs: [{name: work}], outputs: [done], retries: 1, dependsOn: [b, c]}\n      - {id: g, kind: Gate, gateRef: {name: ok}, dependsOn: [d]}\n      - {id: e, kind: Task, capabilityRefs: [{name: work}], outputs: [done], retries: 2, dependsOn: [g]}\n`,
    'cap.yaml': `${H}kind: Capability\nmetadata: {name: work}\nspec: {description: d}\n`,
    'gate.yaml': `${H}kind: Gate\nmetadata: {name: ok}\nspec: {gateType: approval, targetRef: {kind: Execution, name: e1}}\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: {name: b}\nspec:\n  rules:\n    - selector: {capabilityRef: {name: work}}\n      target:\n        provider: exec://work\n        config:\n          command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(script)}]\n`,
    'exec.yaml': `${H}kind: Execution\nmetadata: {name: e1}\nspec: {planRef: {name: p}, bindingRef: {name: b}}\n`,
  })
}

function run(dir: string, crashAt?: number) {
  return spawnSync(process.execPath, [BIN, 'run', '.', '--execution', 'e1', '--state', 'state.json', '--approve', 'ok', '--allow-command', process.execPath, '-o', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PLANSPEC_CRASH_AT: crashAt === undefined ? '' : String(crashAt) },
    timeout: 60_000,
  })
}

const phases = (status: { nodeStatuses: Record<string, { phase: string; outputs?: unknown }> }) =>
  Object.fromEntries(Object.entries(status.nodeStatuses).map(([id, n]) => [id, `${n.phase} ${JSON.stringify(n.outputs ?? null)}`]))

describe('crash-point enumeration (THREATS T1)', () => {
  it('resumes after a SIGKILL at every durable write: same outcome, no attempt dispatched twice', () => {
    const cleanLedger = join(tempTree({}), 'ledger')
    const clean = run(repository(cleanLedger))
    expect(clean.status).toBe(0)
    const expected = JSON.parse(clean.stdout).status
    expect(expected.phase).toBe('Succeeded')
    let crashPoints = 0
    for (let n = 1; n < 100; n++) {
      const ledger = join(tempTree({}), 'ledger')
      const dir = repository(ledger)
      const first = run(dir, n)
      if (first.status === 0) break // the run finished before its n-th write: every point is covered
      expect(first.signal, `crash point ${n}`).toBe('SIGKILL')
      crashPoints++
      const resumed = run(dir)
      expect(resumed.status, `resume after crash point ${n}: ${resumed.stderr}`).toBe(0)
      const status = JSON.parse(resumed.stdout).status
      expect(phases(status), `crash point ${n}`).toEqual(phases(expected))
      const runIds = existsSync(ledger) ? readFileSync(ledger, 'utf8').trim().split('\n') : []
      expect(new Set(runIds).size, `crash point ${n}: ${runIds.join(' ')}`).toBe(runIds.length)
    }
    expect(crashPoints).toBeGreaterThan(5)
  }, 300_000)

  // DECISIONS §9 "no side effect twice": the runner is SIGKILLed while an attempt's command runs
  // (after the k-th attempt began, for every k); the command lives on in its own process group,
  // and the resumed run re-attaches to it instead of starting the attempt again.
  it('resumes after a SIGKILL while an attempt is in flight: re-attached, never run twice, never overlapping', async () => {
    const cleanLedger = join(tempTree({}), 'ledger')
    const clean = run(repository(cleanLedger, ledgerCommand(cleanLedger, 400, 'e')))
    expect(clean.status, clean.stderr).toBe(0)
    const expected = JSON.parse(clean.stdout).status
    const attempts = readLedger(cleanLedger).map((e) => e.runId.split('/').slice(-2).join('/')).sort()
    expect(attempts).toEqual(['a/1', 'b/1', 'c/1', 'd/1', 'e/1', 'e/2'])
    for (let k = 1; k <= attempts.length; k++) {
      const ledger = join(tempTree({}), 'ledger')
      const dir = repository(ledger, ledgerCommand(ledger, 400, 'e'))
      const child = spawn(process.execPath, [BIN, 'run', '.', '--execution', 'e1', '--state', 'state.json', '--approve', 'ok', '--allow-command', process.execPath, '-o', 'json'], { cwd: dir, stdio: 'ignore' })
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      let finished = false
      void exited.then(() => (finished = true))
      while (!finished && readLedger(ledger).length < k) await new Promise((r) => setTimeout(r, 10))
      if (finished) throw new Error(`the run finished before attempt ${k} began`)
      child.kill('SIGKILL')
      await exited
      const started = readLedger(ledger).at(-1)!
      expect(started.end, `kill ${k}: the attempt was still running when the runner died`).toBeUndefined()
      const resumed = run(dir)
      expect(resumed.status, `resume after kill ${k}: ${resumed.stderr}`).toBe(0)
      expect(phases(JSON.parse(resumed.stdout).status), `kill ${k}`).toEqual(phases(expected))
      const entries = readLedger(ledger)
      expectNoDoubleSideEffects(entries, `kill ${k}`)
      // The very attempts of a run never killed: nothing was started again (no AgentRestarted).
      expect(entries.map((e) => `${e.node}/${e.attempt}`).sort(), `kill ${k}`).toEqual(attempts)
    }
  }, 300_000)
})
