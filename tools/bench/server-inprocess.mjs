// Benchmark: the API server (@planspec/server) on a real port, hardened as `planspec serve` runs
// it: RBAC on (the bench user is authorized by a ClusterRoleBinding, not an admin group), secret
// redaction of every row and response, admission in the validation workers. Each server runs in a
// worker thread of its own, the load generator in the main thread, so both get a core:
//   1. GET throughput against a bare node:http server returning the same bytes (goal >= 80 %),
//      keep-alive clients, same run, interleaved rounds, medians; and the cost of the hardening on
//      that path: the same server where the reader bypasses RBAC (an admin group) and no secret
//      is registered, measured in the same rounds;
//   2. write latency (POST of Goals) at a steady 500 writes/s, open loop (p50/p99/max);
//   3. watch fan-out: 1,000 watch streams, delivery latency of each change (p50/p99).
// `--seconds=N` sets the length of each load phase (default 3).
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { createRedactor } from '@planspec/core'

const TOKEN = 'bench-token'
const ADMIN_TOKEN = 'bench-admin-token'
const API = '/apis/planspec.io/v1alpha1/namespaces/bench'
const goal = (name, extra = {}) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace: 'bench', ...extra }, spec: { description: `goal ${name}` } })

// ---- worker side: one server per worker ----
async function startPlanspec(file, hardened) {
  const { buildServer, createTokenRegistry, sqliteStore } = await import('@planspec/server')
  // Five secret values, as a server started with a git token, keys and passwords in its environment knows.
  const redactor = createRedactor(hardened ? Array.from({ length: 5 }, (_, i) => `secret-value-${i}-${'x'.repeat(24)}`) : [])
  const store = sqliteStore({ file, redactor })
  const tokens = createTokenRegistry([
    { token: ADMIN_TOKEN, user: 'admin', groups: ['system:masters'] },
    { token: TOKEN, user: 'bench', groups: hardened ? [] : ['system:masters'] },
  ])
  // The load comes from one address: the per-address connection cap is raised for the 1,000 watchers.
  const app = buildServer({ store, tokens, redactor, logger: false, limits: { rateLimit: false, maxWatches: 5000, maxConnectionsPerIp: 5000 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = app.server.address().port
  for (const object of [
    { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'bench' }, rules: [{ resources: ['goals'], verbs: ['*'] }] },
    { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRoleBinding', metadata: { name: 'bench' }, subjects: [{ kind: 'User', name: 'bench' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'bench' } },
  ]) {
    const res = await app.inject({ method: 'POST', url: `/apis/planspec.io/v1alpha1/${object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: object })
    if (res.statusCode !== 201) throw new Error(`RBAC setup failed: ${res.statusCode} ${res.payload}`)
  }
  return port
}
async function startBare(bytes) {
  const body = Buffer.from(bytes)
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length })
    res.end(body)
  })
  server.keepAliveTimeout = 72_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server.address().port
}
if (!isMainThread && workerData?.role) {
  const port = workerData.role === 'planspec' ? await startPlanspec(workerData.file, workerData.hardened !== false) : await startBare(workerData.bytes)
  parentPort.postMessage({ port })
}

// ---- main side: load generation ----
function spawnServer(role, extra = {}) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role, ...extra } })
  return new Promise((resolve, reject) => {
    worker.once('message', ({ port }) => resolve({ port, stop: () => worker.terminate() }))
    worker.once('error', reject)
  })
}

function send(agent, port, method, path, payload) {
  return new Promise((resolve, reject) => {
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload))
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${TOKEN}`, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(data)
  })
}

async function throughput(port, path, clients, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
  const deadline = Date.now() + seconds * 1000
  let done = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const res = await send(agent, port, 'GET', path)
        if (res.status === 200) done++
        else failed++
      }
    }),
  )
  agent.destroy()
  if (failed > 0) throw new Error(`${failed} GETs failed`)
  return done / seconds
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const fmt = (ms) => `${ms.toFixed(2)} ms`

async function writeLatency(port, rate, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const total = rate * seconds
  const interval = 1000 / rate
  const latencies = []
  const start = performance.now()
  const pending = []
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval
    const wait = scheduled - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    pending.push(
      send(agent, port, 'POST', `${API}/goals`, goal(`w-${i}`)).then((res) => {
        if (res.status !== 201) throw new Error(`write ${i}: ${res.status} ${res.body}`)
        // Measured from the scheduled send time: a stall delays every write behind it (no coordinated omission).
        latencies.push(performance.now() - scheduled)
      }),
    )
  }
  await Promise.all(pending)
  const elapsed = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { achieved: total / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) }
}

async function fanOut(port, watchers, changes) {
  const latencies = []
  let ready = 0
  const requests = []
  await new Promise((resolve, reject) => {
    for (let i = 0; i < watchers; i++) {
      const req = http.get({ host: '127.0.0.1', port, path: `${API}/goals?watch=true&sendInitialEvents=false&fieldSelector=metadata.name%3Dfan`, agent: false, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          const now = Date.now()
          buffer += chunk
          for (let n = buffer.indexOf('\n'); n >= 0; n = buffer.indexOf('\n')) {
            const line = buffer.slice(0, n)
            buffer = buffer.slice(n + 1)
            const sent = /"bench\/sent":"(\d+)"/.exec(line)
            if (sent) latencies.push(now - Number(sent[1]))
          }
        })
        if (++ready === watchers) resolve()
      })
      req.on('error', reject)
      requests.push(req)
    }
  })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  let current = JSON.parse((await send(agent, port, 'POST', `${API}/goals`, goal('fan'))).body)
  const expected = watchers * (changes + 1)
  for (let i = 0; i < changes; i++) {
    await new Promise((r) => setTimeout(r, 20))
    const res = await send(agent, port, 'PUT', `${API}/goals/fan`, { ...current, metadata: { ...current.metadata, annotations: { 'bench/sent': String(Date.now()) } } })
    current = JSON.parse(res.body)
  }
  const deadline = Date.now() + 10_000
  while (latencies.length < watchers * changes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  for (const req of requests) req.destroy()
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { delivered: latencies.length, expected: watchers * changes, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1), createEvents: expected - watchers * changes }
}

/** Runs the benchmark and prints its figures. */
export async function run(argv = []) {
  const seconds = Number(argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 3)
  console.log(`server: @planspec/server over SQLite (a WAL file in a temp dir) in a worker thread, RBAC on, 5 secrets redacted, validation workers; load from the main thread; ${seconds} s per phase`)
  const dir = mkdtempSync(join(tmpdir(), 'planspec-bench-'))
  const planspec = await spawnServer('planspec', { file: join(dir, 'bench.db') })
  try {
    const agent = new http.Agent({ keepAlive: true })
    const created = await send(agent, planspec.port, 'POST', `${API}/goals`, goal('read-me', { labels: { 'team.example.com/owner': 'bench' } }))
    agent.destroy()
    if (created.status !== 201) throw new Error(`setup failed: ${created.status} ${created.body}`)
    const fetched = await send(new http.Agent(), planspec.port, 'GET', `${API}/goals/read-me`)
    const bare = await spawnServer('bare', { bytes: fetched.body })
    const plain = await spawnServer('planspec', { file: join(dir, 'plain.db'), hardened: false })
    try {
      const setup = await send(new http.Agent(), plain.port, 'POST', `${API}/goals`, goal('read-me', { labels: { 'team.example.com/owner': 'bench' } }))
      if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${setup.body}`)
      const clients = 16
      const path = `${API}/goals/read-me`
      for (const port of [bare.port, planspec.port, plain.port]) await throughput(port, path, clients, 0.5)
      const rounds = []
      for (let round = 0; round < 4; round++) {
        const b = await throughput(bare.port, path, clients, seconds)
        const p = await throughput(planspec.port, path, clients, seconds)
        const u = await throughput(plain.port, path, clients, seconds)
        rounds.push({ b, p, u, ratio: p / b, cost: p / u })
      }
      const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]
      const m = (key) => median(rounds.map((r) => r[key]))
      console.log(`  GET one object (${fetched.body.length} bytes, ${clients} keep-alive clients), medians of ${rounds.length} interleaved rounds: planspec ${m('p').toFixed(0)} req/s, bare node:http ${m('b').toFixed(0)} req/s: ${(100 * m('ratio')).toFixed(1)} % (goal >= 80 %); per round ${rounds.map((r) => `${(100 * r.ratio).toFixed(0)} %`).join(', ')}`)
      console.log(`  hardening on the GET path (RBAC rules for a plain user, 5 secrets redacted from every response) against the same server with an admin reader and no secret: ${(100 * m('cost')).toFixed(1)} % of its throughput (${m('u').toFixed(0)} req/s); per round ${rounds.map((r) => `${(100 * r.cost).toFixed(0)} %`).join(', ')}`)
    } finally {
      await bare.stop()
      await plain.stop()
    }
    const writes = await writeLatency(planspec.port, 500, seconds)
    console.log(`  writes (POST Goal, admission + SQLite WAL commit) at 500/s open loop: achieved ${writes.achieved.toFixed(0)}/s; latency p50 ${fmt(writes.p50)}, p99 ${fmt(writes.p99)}, max ${fmt(writes.max)} (Kubernetes SLO: p99 <= 1 s)`)
    const fan = await fanOut(planspec.port, 1000, 50)
    console.log(`  watch fan-out: 1000 watchers x 50 changes: delivered ${fan.delivered}/${fan.expected}; delivery latency p50 ${fan.p50} ms, p99 ${fan.p99} ms, max ${fan.max} ms`)
  } finally {
    await planspec.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
