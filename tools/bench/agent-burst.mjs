// Benchmark: 10,000 Executions added in one commit (the agent issue's burst). Measures the first
// sync round (read, reconcile, one CAS commit taking at most 50 leases) and the next one, with
// runs not started (their dispatch is the engine benchmark's concern).
import * as fs from 'node:fs'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import http from 'isomorphic-git/http/node'
import { createBareRepo, pushFixture, startGitServer } from '@planspec/testing'
import { randomBytes } from 'node:crypto'
import { createStatusWriter, gitAgentRepo, syncOnce } from '@planspec/agent'
import { createAgentKeyring } from '@planspec/git-store'

/** Runs the benchmark and prints its figures. */
export async function run() {
  console.log('agent-burst: 10,000 Executions in one commit, one agent, at most 50 new leases per round')
  const root = mkdtempSync(join(tmpdir(), 'burst-'))
  const bare = await createBareRepo(root, 'plans.git')
  const src = new URL('../../examples/minimal', import.meta.url).pathname
  const files = {}
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]))
  for (const f of walk(src)) if (/\.ya?ml$/.test(f)) files[relative(src, f)] = readFileSync(f, 'utf8')
  const exec = files['planspec/executions/changelog-2025-w10.yaml']
  for (let i = 0; i < 10000; i++) files[`planspec/executions/burst-${i}.yaml`] = exec.replace('name: changelog-2025-w10', `name: burst-${i}`)
  await pushFixture({ remote: bare, files })
  const server = await startGitServer({ root })
  const repo = gitAgentRepo({ fs, http, dir: mkdtempSync(join(tmpdir(), 'burst-cache-')), url: server.url('plans.git'), timeoutMs: 120000, agentKey: createAgentKeyring([randomBytes(32)]) })
  const writer = createStatusWriter({ repo, holder: 'bench', now: Date.now })
  let started = 0
  const runners = { ensure: () => void started++, running: () => [], settled: async () => {}, abandon() {} }
  const t0 = performance.now(); const c0 = process.cpuUsage()
  const r = await syncOnce({ repo, writer, runners, holder: 'bench', now: Date.now, leaseMs: 60000, maxNewLeases: 50, teams: new Map(), trust: repo, desiredAt: async () => { throw new Error('no') } })
  const c = process.cpuUsage(c0)
  console.log(JSON.stringify({ ms: Math.round(performance.now() - t0), cpuMs: Math.round((c.user + c.system) / 1000), leased: r.leased, backlog: r.backlog, written: r.written, started, heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) }))
  const t1 = performance.now()
  const r2 = await syncOnce({ repo, writer, runners, holder: 'bench', now: Date.now, leaseMs: 60000, maxNewLeases: 50, teams: new Map(), trust: repo, desiredAt: async () => { throw new Error('no') } })
  console.log(JSON.stringify({ second: Math.round(performance.now() - t1), leased: r2.leased, backlog: r2.backlog }))
  await server.close()
}
