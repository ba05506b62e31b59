// Benchmark: what keeping an attempt's output costs. A command that prints 900 KB on stdout and
// 100 KB on stderr (under the 1 MiB flood cap) is run as an attempt by the exec provider (its
// supervisor streams both pipes to files; the provider masks and caps them to the 256 KiB kept per
// stream) and, as the baseline in the same run, spawned bare by node with both pipes read and
// dropped. Rounds alternate; medians; the ratio is what users pay per attempt for `planspec logs`
// (the supervisor, which also makes attempts survive a restart, included).
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProviders } from '@planspec/engine'

const NODE = process.execPath
const SCRIPT = "const o = Buffer.alloc(9000, 120); o[8999] = 10; for (let i = 0; i < 100; i++) process.stdout.write(o); process.stderr.write(Buffer.alloc(100000, 121)); console.log('{}')"
const ROUNDS = 15

function bare() {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] })
    let bytes = 0
    child.stdout.on('data', (c) => (bytes += c.length))
    child.stderr.on('data', (c) => (bytes += c.length))
    child.once('error', reject)
    child.once('close', () => resolve(bytes))
  })
}

async function attempt(providers, workspace, n) {
  const result = await providers.dispatch({ runId: `bench/run/${n}`, node: 'run', attempt: 1, provider: 'exec://run', config: { command: [NODE, '-e', SCRIPT] }, inputs: {}, declaredOutputs: [], workspace, signal: new AbortController().signal })
  if (result.outcome !== 'succeeded' || !result.output?.stdout.truncated) throw new Error(`attempt ${n}: ${JSON.stringify(result).slice(0, 300)}`)
  return result.output.stdout.bytes + result.output.stderr.bytes
}

async function time(fn) {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Runs the benchmark and prints its figures. */
export async function run() {
  console.log('logs: one attempt printing 1 MB (900 KB stdout, 100 KB stderr), kept capped and masked, against a bare spawn reading the same pipes')
  const workspace = mkdtempSync(join(tmpdir(), 'planspec-bench-logs-'))
  const providers = createProviders({ policy: { allowCommands: [NODE], allowUrls: [] }, attemptsDir: join(workspace, 'attempts') })
  await bare()
  await attempt(providers, workspace, 0)
  const kept = []
  const baseline = []
  for (let i = 1; i <= ROUNDS; i++) {
    baseline.push(await time(() => bare()))
    kept.push(await time(() => attempt(providers, workspace, i)))
  }
  const k = median(kept)
  const b = median(baseline)
  console.log(`  attempt with output kept: median ${k.toFixed(0)} ms; bare spawn: median ${b.toFixed(0)} ms; ratio ${(k / b).toFixed(2)} (${ROUNDS} rounds, alternating)`)
}
