// Benchmark: `planspec validate DIR` (the bundled command, as users run it) against the fastest
// raw loop over the same files, each in its own process, in interleaved rounds: the raw loop reads
// every file, parses it with js-yaml (core schema) and runs the validator's precompiled ajv
// validators: no positions, no semantics, nothing kept. Reported: CPU and wall throughput, peak
// RSS, the wall-clock speed-up of two worker threads over one thread, and the one-file cold start
// next to a bare `node -e ''`.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { generateManifests } from './generate-manifests.mjs'

const BIN = new URL('../../packages/cli/bin/planspec.js', import.meta.url).pathname
const RAW = new URL('./raw-validate-loop.mjs', import.meta.url).pathname
const HOOK = new URL('./measure-process.mjs', import.meta.url).href

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

/**
 * Runs `node args` with the measuring hook preloaded; resolves with the wall time seen from here
 * and the process's own CPU time (all threads) and peak RSS, as it reported them at exit.
 */
function measured(args, usageFile) {
  return new Promise((resolve, reject) => {
    const loadAtStart = loadavg()[0]
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, ['--import', HOOK, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PLANSPEC_BENCH_USAGE: usageFile }, shell: false })
    let stdout = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.on('error', reject)
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6
      try {
        const usage = JSON.parse(readFileSync(usageFile, 'utf8'))
        resolve({ code, stdout, wallMs, cpuMs: usage.cpuMs, rssMiB: usage.maxRssKb / 1024, load: loadAtStart })
      } catch (error) {
        reject(error)
      }
    })
  })
}

function summary(samples) {
  return { wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)), rssMiB: median(samples.map((s) => s.rssMiB)), loads: samples.map((s) => s.load.toFixed(1)) }
}

// CPU time (user + system, every thread) per file is the figure a loaded machine distorts least.
function line(label, m, count) {
  return `  ${label.padEnd(34)} wall ${(m.wallMs / 1000).toFixed(2)} s (${((count / m.wallMs) * 1000).toFixed(0)}/s), CPU ${(m.cpuMs / 1000).toFixed(2)} s (${((count / m.cpuMs) * 1000).toFixed(0)}/s, ${((m.cpuMs * 1000) / count).toFixed(0)} µs per file), peak RSS ${m.rssMiB.toFixed(0)} MiB; load average at the runs' starts ${m.loads.join(', ')}`
}

/** Runs the benchmark and prints its figures. */
export async function run(args) {
  const count = Number(args.find((a) => a.startsWith('--count='))?.slice(8) ?? 10_000)
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5)
  const root = mkdtempSync(join(tmpdir(), 'planspec-bench-validate-'))
  try {
    const dir = join(root, 'manifests')
    const files = generateManifests(count)
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.file)), { recursive: true })
      writeFileSync(join(dir, file.file), file.text)
    }
    const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0)
    const nodes = files.reduce((n, f) => n + (f.text.match(/^ {6}- id: /gm)?.length ?? 0), 0)
    console.log(`validate: ${files.length} manifests, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${nodes} plan nodes; ${rounds} interleaved rounds; ${cpus().length} CPUs; load average at start ${load()}`)
    const usage = join(root, 'usage.json')
    const samples = { raw: [], one: [], two: [] }
    for (let r = 0; r < rounds; r++) {
      const raw = await measured([RAW, dir], usage)
      const { resources, invalid } = JSON.parse(raw.stdout)
      if (raw.code !== 0 || resources !== count || invalid !== 0) throw new Error(`the raw loop saw ${resources} resources, ${invalid} invalid (exit ${raw.code})`)
      samples.raw.push(raw)
      for (const [jobs, into] of [[1, samples.one], [2, samples.two]]) {
        const ours = await measured([BIN, 'validate', dir, '--jobs', String(jobs)], usage)
        if (ours.code !== 0 || !ours.stdout.includes(`${count} resources in ${count} files are valid`)) throw new Error(`planspec validate --jobs ${jobs} failed (exit ${ours.code}): ${ours.stdout.slice(0, 500)}`)
        into.push(ours)
      }
    }
    const raw = summary(samples.raw)
    const one = summary(samples.one)
    const two = summary(samples.two)
    console.log(line('raw loop (js-yaml + ajv)', raw, count))
    console.log(line('planspec validate --jobs 1', one, count))
    console.log(line('planspec validate --jobs 2', two, count))
    // Each ratio is also taken within each round (the runs of a round are seconds apart, so a
    // slow spell of the machine weighs on both sides), and its median printed next to the ratio
    // of the medians.
    const paired = (a, b, value) => median(a.map((sample, i) => value(sample) / value(b[i])))
    const cpuRatio = raw.cpuMs / one.cpuMs
    const cpuRatioTwo = raw.cpuMs / two.cpuMs
    const speedup = one.wallMs / two.wallMs
    const rss = two.rssMiB / raw.rssMiB
    const percent = (x) => `${(x * 100).toFixed(0)}%`
    console.log(`  CPU throughput vs raw loop:        --jobs 1 ${percent(cpuRatio)} (per round ${percent(paired(samples.raw, samples.one, (m) => m.cpuMs))}), --jobs 2 ${percent(cpuRatioTwo)} (per round ${percent(paired(samples.raw, samples.two, (m) => m.cpuMs))}) (goal >= 60%)`)
    console.log(`  wall speed-up of 2 threads over 1: ${speedup.toFixed(2)}x (per round ${paired(samples.one, samples.two, (m) => m.wallMs).toFixed(2)}x) (goal >= 1.6x); 2 threads vs raw loop wall: ${(raw.wallMs / two.wallMs).toFixed(2)}x`)
    // The speed-up needs a free core: with other work on the machine, the kernel's autogroup
    // scheduling gives this process one session's share however many threads it runs.
    console.log(`  2 threads: wall ${(two.wallMs / 1000).toFixed(2)} s against ${(one.wallMs / 1000).toFixed(2)} s, CPU ${(two.cpuMs / 1000).toFixed(2)} s against ${(one.cpuMs / 1000).toFixed(2)} s (CPU ${((two.cpuMs / one.cpuMs - 1) * 100).toFixed(0)}% more for the second thread); load average at their starts ${two.loads.join(', ')} on ${cpus().length} CPUs${Math.max(...two.loads.map(Number)) >= cpus().length ? ' (no free core: the wall figure says little; re-run on a quiet machine)' : ''}`)
    console.log(`  peak RSS vs raw loop:              --jobs 1 ${(one.rssMiB / raw.rssMiB).toFixed(2)}x, --jobs 2 ${rss.toFixed(2)}x (goal <= 2x)`)

    // Cold start: a fresh process validating one small file, next to a bare node start.
    const goal = join(dir, files.find((f) => f.file.includes('/goals/')).file)
    // Wall time as a user sees it, and the process's CPU time, which a loaded machine distorts less.
    const cold = []
    const bare = []
    for (let r = 0; r < 7; r++) {
      cold.push(await measured([BIN, 'validate', goal], usage))
      bare.push(await measured(['-e', ''], usage))
    }
    const coldMs = median(cold.map((c) => c.wallMs))
    console.log(`  cold planspec validate of one file: median ${coldMs.toFixed(0)} ms wall, ${median(cold.map((c) => c.cpuMs)).toFixed(0)} ms CPU, ${median(cold.map((c) => c.rssMiB)).toFixed(0)} MiB RSS (bare node -e '' ${median(bare.map((b) => b.wallMs)).toFixed(0)} ms wall, ${median(bare.map((b) => b.cpuMs)).toFixed(0)} ms CPU; goal <= 300 ms)`)
    console.log(`  load average at end: ${load()}`)
    return { cpuRatio, speedup, rss, coldMs }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
