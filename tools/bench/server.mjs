// Benchmark: the API server as shipped, measured from outside. `planspec serve` runs as a user runs
// it (the bundled binary, its own process, a tokens file, every default: RBAC, rate limits,
// connection caps, the dashboard, the controllers and the Execution runner), next to a bare
// node:http process answering the same paths with the same bytes. The load comes from a third
// process (wrk), alternating between the two servers round by round; medians of the rounds.
//   1. GET one Goal;
//   2. LIST of 1,000 Goals in pages of 500 (both pages in turn);
//   3. paced writes (POST of Goals) at 500/s, open loop: p50/p99 from the scheduled send time;
//   4. watch fan-out: 1,000 watch streams, delivery latency of each change.
// Next to req/s, the CPU time each request costs each server process (utime + stime of all its
// threads over the round, from /proc/<pid>/stat) and the ratio bare/planspec: a figure a loaded
// machine moves far less than throughput. Writes report the CPU per write, the controllers'
// reconcile of each new Goal included.
// All of it over HTTP, then again over HTTPS (serve --tls-cert/--tls-key with a self-signed
// certificate, against a bare node:https process with the same certificate).
// The server's per-user rate limit (100/s) and per-address connection cap (256) stay on: the load
// is spread over 1,000 users (a tokens file of 1,000 readers, as behind a load balancer) and the
// watchers over 8 loopback source addresses.
// Flags: --seconds=N per round (default 5), --rounds=N (default 5), --connections=N (default 16),
// --reads-only (GET and LIST only), --writes-only (writes and watch only), --no-tls (HTTP only),
// --profile (run serve unbundled under `node --cpu-prof`, without the watch fan-out, and print the
// functions with the most self time), --bin=PATH (another build's `planspec` binary, e.g. main's
// bundle copied aside, to compare two builds run after run), --baseline=PATH (another build's
// binary, set up the same way and measured against the same bare server in the same GET and LIST
// rounds: a same-run before/after). `--db postgres` runs server-db.mjs instead: SQLite against
// PostgreSQL with 1 and 3 replicas.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { formatTable, topSelfTime } from './cpu-profile.mjs'
import { hasWrk, runWrk } from './load-generator.mjs'
import { measureCpu } from './process-cpu.mjs'
import { ADMIN, API, fanOut, goal, must, readerToken, send, trust, writeLatency } from './server-clients.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'packages/cli/bin/planspec.js')
const CLI_ENTRY = join(ROOT, 'packages/cli/dist/index.js')
const USERS = 1000
const load = () => loadavg()[0].toFixed(1)
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Starts a process that prints a JSON line with a `url` once listening; counts the lines it writes. */
function startProcess(command, args, env = process.env) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
  const state = { child, lines: 0, url: undefined, stderr: '' }
  let buffer = ''
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => (state.stderr += chunk))
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      for (let n = buffer.indexOf('\n'); n >= 0; n = buffer.indexOf('\n')) {
        const line = buffer.slice(0, n)
        buffer = buffer.slice(n + 1)
        state.lines++
        if (state.url === undefined) {
          const parsed = JSON.parse(line)
          if (typeof parsed.url === 'string') {
            state.url = parsed.url
            resolve(state)
          }
        }
      }
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before listening: ${state.stderr}`)))
  })
}
function stopProcess(state, signal = 'SIGTERM') {
  if (state.child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    state.child.once('exit', resolve)
    state.child.kill(signal)
  })
}

/** Waits until the store's resourceVersion stops moving (the controllers have reconciled). */
async function quiesce(base) {
  let last = ''
  let stableSince = Date.now()
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const res = await must(send(base, 'GET', `${API}/goals?limit=1`, ADMIN), 200, 'quiesce')
    const rv = JSON.parse(res.body).metadata.resourceVersion
    if (rv !== last) {
      last = rv
      stableSince = Date.now()
    } else if (Date.now() - stableSince >= 1500) return
    await sleep(250)
  }
  throw new Error('the server did not settle within 120 s')
}

async function setUp(base, dir) {
  const cluster = (plural, object) => must(send(base, 'POST', `${API}/${plural}`, ADMIN, object), 201, `create ${plural}`)
  await cluster('clusterroles', { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'bench' }, rules: [{ resources: ['goals'], verbs: ['get', 'list', 'watch', 'create', 'update'] }] })
  await cluster('clusterrolebindings', { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRoleBinding', metadata: { name: 'bench' }, subjects: [{ kind: 'Group', name: 'bench-users' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'bench' } })
  await must(send(base, 'POST', `${API}/namespaces/default/goals`, ADMIN, goal('read-me', 'default', { labels: { 'team.example.com/owner': 'bench' } })), 201, 'create read-me')
  await must(send(base, 'POST', '/api/v1/namespaces', ADMIN, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-list' } }), 201, 'create namespace')
  const items = Array.from({ length: 1000 }, (_, i) => goal(`list-${String(i).padStart(4, '0')}`, 'bench-list', { labels: { 'team.example.com/owner': 'bench' } }))
  await must(send(base, 'POST', `${API}/namespaces/bench-list/apply`, ADMIN, { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items }), 200, 'apply 1,000 Goals')
  await quiesce(base)
  const getPath = `${API}/namespaces/default/goals/read-me`
  const page1Path = `${API}/namespaces/bench-list/goals?limit=500`
  const page1 = await must(send(base, 'GET', page1Path, readerToken(1)), 200, 'page 1')
  const continueToken = JSON.parse(page1.body).metadata.continue
  const page2Path = `${page1Path}&continue=${encodeURIComponent(continueToken)}`
  const page2 = await must(send(base, 'GET', page2Path, readerToken(2)), 200, 'page 2')
  const count = JSON.parse(page1.body).items.length + JSON.parse(page2.body).items.length
  if (count !== 1000 || JSON.parse(page2.body).metadata.continue) throw new Error(`the two pages hold ${count} Goals, not 1,000`)
  const responses = {}
  for (const [path, res] of [[getPath, await must(send(base, 'GET', getPath, readerToken(3)), 200, 'get')], [page1Path, page1], [page2Path, page2]]) {
    const file = join(dir, `response-${Object.keys(responses).length}.json`)
    writeFileSync(file, res.body)
    responses[path] = file
  }
  return { getPath, listPaths: [page1Path, page2Path], responses }
}

/** Checks that both servers answer every path with identical bytes before anything is measured. */
async function sameBytes(planspec, bare, paths) {
  for (const path of paths) {
    const a = await must(send(planspec, 'GET', path, readerToken(5)), 200, path)
    const b = await must(send(bare, 'GET', path, readerToken(5)), 200, path)
    if (!a.body.equals(b.body)) throw new Error(`the bare server does not answer ${path} with planspec's bytes`)
  }
}

async function compare(label, servers, paths, tokensFile, { rounds, seconds, connections }) {
  const names = Object.keys(servers)
  const pathsOf = (name) => (Array.isArray(paths) ? paths : paths[name])
  const results = []
  for (let round = 0; round < rounds; round++) {
    // Every server runs once per round; the order rotates from round to round.
    const order = names.map((_, i) => names[(i + round) % names.length])
    const entry = { load: load() }
    for (const name of order) {
      const before = servers[name].lines
      const cpu = measureCpu(servers[name].child.pid)
      entry[name] = await runWrk({ base: servers[name].url, paths: pathsOf(name), tokensFile, seconds, connections })
      entry[name].cpuUsPerRequest = (1000 * cpu.stop()) / entry[name].requests
      entry[name].logLines = servers[name].lines - before
      if (entry[name].non2xx > 0 || entry[name].socketErrors > 0) throw new Error(`${label}: ${name} answered ${entry[name].non2xx} non-2xx responses and ${entry[name].socketErrors} socket errors`)
    }
    for (const name of names) {
      entry[name].ratio = entry[name].rps / entry.bare.rps
      entry[name].cpuRatio = entry.bare.cpuUsPerRequest / entry[name].cpuUsPerRequest
    }
    results.push(entry)
  }
  const m = (name, key) => median(results.map((r) => r[name][key]))
  for (const name of names.filter((n) => n !== 'bare')) {
    const logLines = results.reduce((sum, r) => sum + r[name].logLines, 0)
    const requests = results.reduce((sum, r) => sum + r[name].requests, 0)
    const who = name === 'planspec' ? 'planspec' : `${name} planspec`
    console.log(
      `  ${label}: ${who} ${m(name, 'rps').toFixed(0)} req/s (p50 ${m(name, 'p50Ms').toFixed(2)} ms, p99 ${m(name, 'p99Ms').toFixed(2)} ms), ` +
        `bare node:http ${m('bare', 'rps').toFixed(0)} req/s (p50 ${m('bare', 'p50Ms').toFixed(2)} ms, p99 ${m('bare', 'p99Ms').toFixed(2)} ms): ` +
        `**${(100 * m(name, 'ratio')).toFixed(1)} %**; rounds ${results.map((r) => `${(100 * r[name].ratio).toFixed(0)} % (load ${r.load})`).join(', ')}; ` +
        `${logLines} log lines for ${requests} requests`,
    )
    // Load-robust: the CPU each request costs each server process (utime + stime over the round).
    console.log(
      `    CPU per request: ${who} ${m(name, 'cpuUsPerRequest').toFixed(1)} µs, bare ${m('bare', 'cpuUsPerRequest').toFixed(1)} µs: ` +
        `bare/${who} **${(100 * m(name, 'cpuRatio')).toFixed(1)} %**; rounds ${results.map((r) => `${(100 * r[name].cpuRatio).toFixed(0)} %`).join(', ')}`,
    )
  }
  return results
}

let bin = BIN
function serveArgs(dir, profileDir, tls, serveBin = bin) {
  const flags = ['serve', '--db', join(dir, 'bench.db'), '--tokens', join(dir, '..', 'tokens.csv'), '--listen', '127.0.0.1:0', '--workspace', join(dir, 'runs'), ...(tls === undefined ? ['--insecure-http'] : ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile])]
  if (profileDir === undefined) return [serveBin, ...flags]
  // Unbundled, so the profile names the functions: the same runCli the binary runs, from a file
  // (worker threads inherit `-e` code along with the flags).
  const entry = join(dir, 'serve-unbundled.mjs')
  writeFileSync(entry, `import { runCli } from ${JSON.stringify(pathToFileURL(CLI_ENTRY).href)}\nconst stop = new AbortController()\nprocess.once('SIGINT', () => stop.abort())\nprocess.exitCode = await runCli(${JSON.stringify(flags)}, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env, signal: stop.signal })\n`)
  return ['--cpu-prof', '--cpu-prof-dir', profileDir, entry]
}

/** One scheme's measures: a `planspec serve` and a bare server of the same scheme, side by side. */
async function suite({ dir, readers, options, profileDir, tls }) {
  mkdirSync(dir)
  trust(tls?.cert)
  const planspec = await startProcess(process.execPath, serveArgs(dir, profileDir, tls), { ...process.env, PLANSPEC_LOG_LEVEL: 'info' })
  let bare
  let servers
  try {
    const { getPath, listPaths, responses } = await setUp(planspec.url, dir)
    writeFileSync(join(dir, 'bare.json'), JSON.stringify({ responses, ...(tls === undefined ? {} : { tls: { cert: tls.cert, key: tls.key } }) }))
    bare = await startProcess(process.execPath, [fileURLToPath(new URL('./bare-server.mjs', import.meta.url)), join(dir, 'bare.json')])
    await sameBytes(planspec.url, bare.url, [getPath, ...listPaths])
    servers = { planspec, bare }
    // --baseline: another build's `planspec serve`, set up the same way, measured in the same rounds.
    let baselinePaths
    if (options.baseline !== undefined && !options.writesOnly) {
      const baselineDir = `${dir}-baseline`
      mkdirSync(baselineDir)
      servers.baseline = await startProcess(process.execPath, serveArgs(baselineDir, undefined, tls, options.baseline), { ...process.env, PLANSPEC_LOG_LEVEL: 'info' })
      const set = await setUp(servers.baseline.url, baselineDir)
      baselinePaths = { get: [set.getPath], list: set.listPaths }
      console.log(`  baseline: ${options.baseline} at ${servers.baseline.url}`)
    }
    const getBytes = readFileSync(responses[getPath]).length
    const listBytes = listPaths.map((p) => readFileSync(responses[p]).length)
    const scheme = tls === undefined ? 'HTTP' : 'HTTPS'
    console.log(`${scheme}: planspec ${planspec.url}, bare ${bare.url}`)
    if (!options.writesOnly) {
      // Warm-up: JIT, caches, connections.
      const byServer = (own, baseline) => (baseline === undefined ? own : { bare: own, planspec: own, baseline })
      for (const name of Object.keys(servers)) await runWrk({ base: servers[name].url, paths: name === 'baseline' ? [...baselinePaths.get, ...baselinePaths.list] : [getPath, ...listPaths], tokensFile: readers, seconds: 2, connections: options.connections })
      await compare(`${scheme} GET one Goal (${getBytes} bytes), goal >= 80 %`, servers, byServer([getPath], baselinePaths?.get), readers, options)
      await compare(`${scheme} LIST of 1,000 Goals in pages of 500 (${listBytes.join(' + ')} bytes), goal >= 50 %`, servers, byServer(listPaths, baselinePaths?.list), readers, options)
    }
    if (options.readsOnly) return
    const writeCpu = measureCpu(planspec.child.pid)
    const writes = await writeLatency(planspec.url, 500, options.seconds)
    // The controllers' reconcile of each new Goal (its status write) is part of a write's cost.
    await quiesce(planspec.url)
    const cpuPerWrite = (1000 * writeCpu.stop()) / (500 * options.seconds)
    console.log(`  ${scheme} writes (POST Goal: admission in the validation workers, SQLite WAL commit) at 500/s open loop, ${options.seconds} s: achieved ${writes.achieved.toFixed(0)}/s; latency p50 ${writes.p50.toFixed(2)} ms, **p99 ${writes.p99.toFixed(2)} ms** (goal <= 20 ms), max ${writes.max.toFixed(2)} ms; CPU per write (serve, all threads, controllers' reconcile included) ${cpuPerWrite.toFixed(0)} µs; load ${load()}`)
    if (profileDir !== undefined) return
    const fan = await fanOut(planspec.url, 1000, 50)
    console.log(`  ${scheme} watch fan-out: 1,000 watchers x 50 changes: delivered ${fan.delivered}/${fan.expected}; delivery latency p50 ${fan.p50} ms, **p99 ${fan.p99} ms** (goal <= 50 ms), max ${fan.max} ms; load ${load()}`)
  } finally {
    if (bare !== undefined) await stopProcess(bare)
    if (servers?.baseline !== undefined) await stopProcess(servers.baseline, 'SIGINT')
    await stopProcess(planspec, 'SIGINT')
    if (profileDir !== undefined) {
      // The main thread's profile (thread id 0); the validation workers write their own.
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0')
      if (file !== undefined) console.log(`\nTop self time in \`planspec serve\` (whole run, idle included):\n${formatTable(topSelfTime(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), 30))}`)
    }
  }
}

/** Runs the benchmark and prints its figures. */
export async function run(argv = []) {
  const db = argv.find((a) => a.startsWith('--db='))?.slice(5) ?? (argv.includes('--db') ? argv[argv.indexOf('--db') + 1] : undefined)
  if (db === 'postgres') return (await import('./server-db.mjs')).runDatabases(argv)
  if (db !== undefined) throw new Error(`--db ${db}: the server benchmark compares SQLite with "postgres" only`)
  const flag = (name, fallback) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback)
  const options = { seconds: flag('seconds', 5), rounds: flag('rounds', 5), connections: flag('connections', 16), readsOnly: argv.includes('--reads-only'), writesOnly: argv.includes('--writes-only'), baseline: argv.find((a) => a.startsWith('--baseline='))?.slice(11) }
  const profile = argv.includes('--profile')
  bin = argv.find((a) => a.startsWith('--bin='))?.slice(6) ?? BIN
  if (!hasWrk()) throw new Error('the server benchmark drives the servers with wrk: apt-get install wrk')
  const dir = mkdtempSync(join(tmpdir(), 'planspec-bench-'))
  try {
    writeFileSync(join(dir, 'tokens.csv'), [`${ADMIN},bench-admin,system:masters`, ...Array.from({ length: USERS }, (_, i) => `${readerToken(i + 1)},reader-${i + 1},bench-users`)].join('\n') + '\n', { mode: 0o600 })
    const readers = join(dir, 'readers.txt')
    writeFileSync(readers, Array.from({ length: USERS }, (_, i) => readerToken(i + 1)).join('\n') + '\n')
    console.log(`server: \`planspec serve\` (${profile ? 'unbundled, under --cpu-prof' : bin === BIN ? 'the bundled binary' : `the binary ${bin}`}, a tokens file of ${USERS + 1} users, default flags) against a bare node:http(s) process with the same bytes; load from wrk -t1 -c${options.connections} in its own process; ${options.rounds} alternating rounds of ${options.seconds} s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d)).length} cores)`)
    await suite({ dir: join(dir, 'http'), readers, options, profileDir: profile ? join(dir, 'http-profile') : undefined })
    if (argv.includes('--no-tls')) return
    const { createSelfSignedCertificate } = await import('@planspec/server')
    const tls = await createSelfSignedCertificate({ hosts: ['127.0.0.1', 'localhost'] })
    const certFile = join(dir, 'server.crt')
    const keyFile = join(dir, 'server.key')
    writeFileSync(certFile, tls.cert)
    writeFileSync(keyFile, tls.key, { mode: 0o600 })
    await suite({ dir: join(dir, 'https'), readers, options, profileDir: profile ? join(dir, 'https-profile') : undefined, tls: { ...tls, certFile, keyFile } })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
