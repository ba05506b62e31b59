// Benchmark `npm run bench -- server --db postgres`: the API server over SQLite (one process) and
// over PostgreSQL with 1 and 3 replicas, in the same run. Every server is a child process of its
// own (`fork` of this file), the load generator is this process; PostgreSQL is a throw-away cluster
// on loopback (@planspec/testing). The servers run as `planspec serve` does: RBAC on (the bench
// user authorized by a ClusterRoleBinding), five secret values redacted, validation workers, no
// rate limit. Per setup, in interleaved rounds (medians):
//   1. GET throughput: 16 keep-alive clients reading one Goal, spread over the replicas;
//   2. write throughput: 32 clients creating Goals back to back (closed loop), spread over the replicas;
//   3. write latency at a steady rate (open loop, measured from the scheduled send): p50, p99;
//   4. watch delivery: 100 watchers per replica, writes on the first replica, every delivery timed.
// Ratios are against the SQLite server of the same run. `--seconds=N` sets each phase (default 3).
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRedactor } from '@planspec/core'
import { startPostgres } from '@planspec/testing'

const TOKEN = 'bench-token'
const ADMIN_TOKEN = 'bench-admin-token'
const API = '/apis/planspec.io/v1alpha1/namespaces/bench'
const goal = (name, extra = {}) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace: 'bench', ...extra }, spec: { description: `goal ${name}` } })

// ---- child side: one server per process ----
async function serveOne({ db, password }) {
  const { buildServer, createTokenRegistry, postgresStore, sqliteStore } = await import('@planspec/server')
  const redactor = createRedactor(Array.from({ length: 5 }, (_, i) => `secret-value-${i}-${'x'.repeat(24)}`))
  const store = db.startsWith('postgres://') ? postgresStore({ connectionString: db, password, redactor, poolSize: 10 }) : sqliteStore({ file: db, redactor })
  const tokens = createTokenRegistry([
    { token: ADMIN_TOKEN, user: 'admin', groups: ['system:masters'] },
    { token: TOKEN, user: 'bench', groups: [] },
  ])
  const app = buildServer({ store, tokens, redactor, logger: false, limits: { rateLimit: false, maxWatches: 5000, maxConnectionsPerIp: 5000 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app.server.address().port
}
if (process.env.PLANSPEC_BENCH_SERVER !== undefined) {
  const port = await serveOne(JSON.parse(process.env.PLANSPEC_BENCH_SERVER))
  process.send({ port })
}

// ---- parent side: setups and load ----
function startServer(db, password) {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, PLANSPEC_BENCH_SERVER: JSON.stringify({ db, password }) }, stdio: 'inherit' })
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ port, stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) }))
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)))
  })
}

function send(agent, port, method, path, payload, token = TOKEN) {
  return new Promise((resolve, reject) => {
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload))
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(data)
  })
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]

/** Clients looping `request(port, i)` for `seconds`, spread over the ports; returns successes per second. */
async function closedLoop(ports, clients, seconds, request) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients * ports.length })
  const deadline = Date.now() + seconds * 1000
  let done = 0
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const res = await request(agent, ports[(c + i) % ports.length], `${c}-${i}`)
        if (res.status >= 300) throw new Error(`${res.status} ${res.body}`)
        done++
      }
    }),
  )
  agent.destroy()
  return done / seconds
}

async function paced(ports, rate, seconds, label) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const total = Math.round(rate * seconds)
  const latencies = []
  const start = performance.now()
  const pending = []
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate
    const wait = scheduled - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    pending.push(
      send(agent, ports[i % ports.length], 'POST', `${API}/goals`, goal(`${label}-${i}`)).then((res) => {
        if (res.status !== 201) throw new Error(`write ${i}: ${res.status} ${res.body}`)
        latencies.push(performance.now() - scheduled)
      }),
    )
  }
  await Promise.all(pending)
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

async function watchDelivery(ports, perReplica, changes, label) {
  const latencies = []
  const requests = []
  await Promise.all(
    ports.flatMap((port) =>
      Array.from({ length: perReplica }, () => new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: `${API}/goals?watch=true&sendInitialEvents=false&fieldSelector=metadata.name%3D${label}`, agent: false, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
          let buffer = ''
          res.setEncoding('utf8')
          res.on('data', (chunk) => {
            const now = Date.now()
            buffer += chunk
            for (let n = buffer.indexOf('\n'); n >= 0; n = buffer.indexOf('\n')) {
              const sent = /"bench\/sent":"(\d+)"/.exec(buffer.slice(0, n))
              buffer = buffer.slice(n + 1)
              if (sent) latencies.push(now - Number(sent[1]))
            }
          })
          resolve()
        })
        req.on('error', reject)
        requests.push(req)
      })),
    ),
  )
  const agent = new http.Agent({ keepAlive: true })
  let current = JSON.parse((await send(agent, ports[0], 'POST', `${API}/goals`, goal(label))).body)
  for (let i = 0; i < changes; i++) {
    await new Promise((r) => setTimeout(r, 50))
    current = JSON.parse((await send(agent, ports[0], 'PUT', `${API}/goals/${label}`, { ...current, metadata: { ...current.metadata, annotations: { 'bench/sent': String(Date.now()) } } })).body)
  }
  const expected = ports.length * perReplica * changes
  const deadline = Date.now() + 20_000
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  for (const req of requests) req.destroy()
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { delivered: latencies.length, expected, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

/** Runs the SQLite / PostgreSQL comparison and prints its figures. */
export async function runDatabases(argv = []) {
  const seconds = Number(argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 3)
  const load = () => loadavg()[0].toFixed(1)
  console.log(`server --db postgres: SQLite (1 process) vs PostgreSQL with 1 and 3 replicas, each server a child process, load from this process; ${cpus().length} CPUs, load ${load()} at start; ${seconds} s per phase`)
  const dir = mkdtempSync(join(tmpdir(), 'planspec-bench-db-'))
  const cluster = await startPostgres({ settings: { fsync: 'on', synchronous_commit: 'on' } })
  const setups = []
  try {
    const db = await cluster.createDatabase('bench')
    setups.push({ name: 'sqlite', servers: [await startServer(join(dir, 'bench.db'))] })
    const pgOne = await cluster.createDatabase('bench_one')
    setups.push({ name: 'pg x1', servers: [await startServer(cluster.url(pgOne), cluster.password)] })
    setups.push({ name: 'pg x3', servers: await Promise.all([0, 1, 2].map(() => startServer(cluster.url(db), cluster.password))) })
    for (const setup of setups) {
      setup.ports = setup.servers.map((s) => s.port)
      const admin = new http.Agent({ keepAlive: true })
      for (const object of [
        { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'bench' }, rules: [{ resources: ['goals'], verbs: ['*'] }] },
        { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRoleBinding', metadata: { name: 'bench' }, subjects: [{ kind: 'User', name: 'bench' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'bench' } },
      ]) {
        const res = await send(admin, setup.ports[0], 'POST', `/apis/planspec.io/v1alpha1/${object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, object, ADMIN_TOKEN)
        if (res.status !== 201) throw new Error(`setup of ${setup.name} failed: ${res.status} ${res.body}`)
      }
      const created = await send(admin, setup.ports[0], 'POST', `${API}/goals`, goal('read-me'))
      if (created.status !== 201) throw new Error(`setup of ${setup.name} failed: ${created.status} ${created.body}`)
      admin.destroy()
      // Every replica knows the RBAC objects before it is measured.
      await closedLoop(setup.ports, 4, 0.5, (agent, port) => send(agent, port, 'GET', `${API}/goals/read-me`))
    }
    const rounds = []
    for (let round = 0; round < 3; round++) {
      const figures = {}
      for (const setup of setups) {
        const gets = await closedLoop(setup.ports, 16, seconds, (agent, port) => send(agent, port, 'GET', `${API}/goals/read-me`))
        const writes = await closedLoop(setup.ports, 32, seconds, (agent, port, id) => send(agent, port, 'POST', `${API}/goals`, goal(`c-${round}-${id}`)))
        figures[setup.name] = { gets, writes }
      }
      rounds.push(figures)
      console.log(`  round ${round + 1} (load ${load()}): ${setups.map((s) => `${s.name} GET ${figures[s.name].gets.toFixed(0)}/s, writes ${figures[s.name].writes.toFixed(0)}/s`).join('; ')}`)
    }
    const m = (name, key) => median(rounds.map((r) => r[name][key]))
    const base = { gets: m('sqlite', 'gets'), writes: m('sqlite', 'writes') }
    for (const setup of setups) {
      const gets = m(setup.name, 'gets')
      const writes = m(setup.name, 'writes')
      console.log(`  ${setup.name}: GET ${gets.toFixed(0)}/s (${(100 * (gets / base.gets)).toFixed(0)} % of SQLite), writes ${writes.toFixed(0)}/s (${(100 * (writes / base.writes)).toFixed(0)} % of SQLite), medians of ${rounds.length} rounds`)
    }
    const rate = Math.max(20, Math.floor(Math.min(...setups.map((s) => m(s.name, 'writes'))) / 2))
    for (const setup of setups) {
      const latency = await paced(setup.ports, rate, seconds, `p-${setup.name.replace(/\W/g, '')}`)
      const watch = await watchDelivery(setup.ports, 100, 30, `fan-${setup.name.replace(/\W/g, '')}`)
      console.log(`  ${setup.name} (load ${load()}): writes at ${rate}/s p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms; watch delivery (${setup.ports.length * 100} watchers, writes on the first replica) ${watch.delivered}/${watch.expected}, p50 ${watch.p50} ms, p99 ${watch.p99} ms`)
    }
  } finally {
    for (const setup of setups) for (const server of setup.servers) await server.stop()
    await cluster.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
