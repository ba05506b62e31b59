// Scale-out, the Execution side (issue 17, DECISIONS §9 "no side effect twice"): real `planspec
// serve` replicas share one PostgreSQL database and one workspace. The replica running an
// Execution is SIGKILLed mid-attempt, or paused (SIGSTOP) past its lease as a partitioned replica
// would be: another replica takes the run over once the lease expires and re-attaches to the
// in-flight attempt; the paused one, resumed, has its late status write refused by fencing. The
// ledger of side effects shows every attempt once, never two of a node at a time.
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startPostgres, type PostgresCluster } from '@planspec/testing'
import { expectNoDoubleSideEffects, ledgerCommand, readLedger } from './attempt-ledger.js'
import { API, call, leaseHolder, NODE, startReplica, stopReplicas, writeTokens, type Replica } from './replicas.js'

const V = 'planspec.io/v1alpha1'
const LEASE = '2s'

let cluster: PostgresCluster
const started: Replica[] = []

beforeAll(async () => {
  cluster = await startPostgres()
}, 120_000)

afterAll(async () => {
  await stopReplicas(started)
  await cluster?.close()
}, 60_000)

/** A Capability, a chain a → b → c whose command records itself in the ledger, a Binding and an Execution. */
function manifests(name: string, ledger: string, sleepMs: number): Record<string, unknown>[] {
  const task = (id: string, after?: string) => ({ id, kind: 'Task', capabilityRefs: [{ name: 'work' }], outputs: ['done'], retries: 2, ...(after === undefined ? {} : { dependsOn: [after] }) })
  return [
    { apiVersion: V, kind: 'Capability', metadata: { name: 'work', namespace: 'default' }, spec: { description: 'work' } },
    { apiVersion: V, kind: 'Plan', metadata: { name: 'chain', namespace: 'default' }, spec: { description: 'a chain', graph: { nodes: [task('a'), task('b', 'a'), task('c', 'b')] } } },
    { apiVersion: V, kind: 'Binding', metadata: { name: 'ledger', namespace: 'default' }, spec: { rules: [{ selector: { capabilityRef: { name: 'work' } }, target: { provider: 'exec://ledger', config: { command: [NODE, '-e', ledgerCommand(ledger, sleepMs)] } } }] } },
    { apiVersion: V, kind: 'Execution', metadata: { name, namespace: 'default' }, spec: { planRef: { name: 'chain' }, bindingRef: { name: 'ledger' } } },
  ]
}

/** Starts `count` replicas on a new database sharing one workspace, and creates the chain's resources through the first. */
async function setUp(name: string, count: number): Promise<{ database: string; replicas: Replica[]; ledger: string }> {
  const database = await cluster.createDatabase(name)
  const work = mkdtempSync(join(tmpdir(), `planspec-${name}-`))
  mkdirSync(join(work, 'runs'))
  writeTokens(work)
  const replicas = await Promise.all(Array.from({ length: count }, () => startReplica(cluster, database, work, ['--lease', LEASE])))
  started.push(...replicas)
  const ledger = join(work, 'ledger')
  for (const manifest of manifests(name, ledger, 3_000)) {
    const plural = { Capability: 'capabilities', Plan: 'plans', Binding: 'bindings', Execution: 'executions' }[manifest.kind as string]!
    const created = await call(replicas[0]!, 'POST', `${API}/${plural}`, manifest)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
  }
  return { database, replicas, ledger }
}

/** Waits until the Execution succeeded (read on `replica`) and returns each node's attempt count. */
async function finished(replica: Replica, name: string): Promise<Record<string, number>> {
  let status: { phase?: string; nodeStatuses?: Record<string, { attempt?: number }> } = {}
  await vi.waitFor(
    async () => {
      status = (await call(replica, 'GET', `${API}/executions/${name}`)).body.status as typeof status
      expect(status.phase).toBe('Succeeded')
    },
    { timeout: 120_000, interval: 250 },
  )
  return Object.fromEntries(Object.entries(status.nodeStatuses ?? {}).map(([node, s]) => [node, s.attempt ?? 0]))
}

function expectOneRun(ledger: string, label: string): void {
  const entries = readLedger(ledger)
  expectNoDoubleSideEffects(entries, label)
  expect(entries.map((e) => `${e.node}/${e.attempt}`).sort(), label).toEqual(['a/1', 'b/1', 'c/1'])
}

describe('Executions on several planspec serve replicas', () => {
  it('a SIGKILLed replica: another takes the run over after the lease and re-attaches to its in-flight attempt', async () => {
    const { database, replicas, ledger } = await setUp('killed', 3)
    await vi.waitFor(() => expect(readLedger(ledger).length).toBe(1), { timeout: 60_000, interval: 20 })
    const holder = await leaseHolder(cluster, database, replicas, 'execution/default/killed')
    expect(holder, 'a replica holds the Execution while its attempt runs').toBeDefined()
    holder!.child.kill('SIGKILL')
    await holder!.exited
    expect(readLedger(ledger).at(-1)!.end, 'the attempt was still running when its replica died').toBeUndefined()
    const survivors = replicas.filter((replica) => replica !== holder)
    expect(await finished(survivors[0]!, 'killed')).toEqual({ a: 1, b: 1, c: 1 })
    expectOneRun(ledger, 'SIGKILL')
    // The run finished on the survivors: exactly one of them took it over.
    const finishedBy = survivors.filter((replica) => replica.lines().some((line) => line.subject === 'execution/default/killed' && line.phase === 'Succeeded'))
    expect(finishedBy).toHaveLength(1)
  }, 300_000)

  it('a paused (partitioned) replica: its lease is taken over, and its late write is refused by fencing', async () => {
    const { database, replicas, ledger } = await setUp('paused', 2)
    await vi.waitFor(() => expect(readLedger(ledger).length).toBe(1), { timeout: 60_000, interval: 20 })
    const holder = (await leaseHolder(cluster, database, replicas, 'execution/default/paused'))!
    expect(holder).toBeDefined()
    const other = replicas.find((replica) => replica !== holder)!
    holder.child.kill('SIGSTOP')
    try {
      // Cut off past its lease: the other replica takes the run over and carries on with b.
      await vi.waitFor(async () => expect(await leaseHolder(cluster, database, replicas, 'execution/default/paused')).toBe(other), { timeout: 60_000, interval: 100 })
      await vi.waitFor(() => expect(readLedger(ledger).map((e) => e.node)).toContain('b'), { timeout: 60_000, interval: 50 })
    } finally {
      holder.child.kill('SIGCONT')
    }
    // Back, the stale replica records what it saw of attempt a/1: the write is refused, and its run stops.
    await vi.waitFor(() => expect(holder.lines().some((line) => line.subject === 'execution/default/paused' && line.how === 'fenced')).toBe(true), { timeout: 60_000, interval: 100 })
    expect(await finished(other, 'paused')).toEqual({ a: 1, b: 1, c: 1 })
    expectOneRun(ledger, 'SIGSTOP')
    expect(holder.lines().some((line) => line.subject === 'execution/default/paused' && line.phase === 'Succeeded'), 'the fenced replica never recorded the end of the run').toBe(false)
    expect(holder.child.exitCode, 'the fenced replica keeps serving').toBeNull()
    expect((await fetch(`${holder.url}/readyz`)).status).toBe(200)
  }, 300_000)
})
