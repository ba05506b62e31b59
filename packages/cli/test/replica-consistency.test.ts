// Scale-out, the API side (issue 17): three real `planspec serve` processes share one PostgreSQL
// database. Watchers on every replica see every write, whichever replica took it, in one order
// with no gap and no duplicate; compare-and-swap holds across replicas; PostgreSQL restarted
// under load makes /readyz go false then true, and no acknowledged write is lost.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startPostgres, type PostgresCluster } from '@planspec/testing'
import { API, call, metadataOf, role, openWatch, startReplica, stopReplicas, writeTokens, type Replica } from './replicas.js'

let cluster: PostgresCluster
let replicas: Replica[] = []
let database: string

beforeAll(async () => {
  cluster = await startPostgres()
  database = await cluster.createDatabase('replicas')
  const work = mkdtempSync(join(tmpdir(), 'planspec-replicas-'))
  writeTokens(work)
  // Started together: the migrations run once, under the advisory lock, whoever comes first.
  replicas = await Promise.all([0, 1, 2].map(() => startReplica(cluster, database, work)))
}, 120_000)

afterAll(async () => {
  await stopReplicas(replicas)
  await cluster?.close()
}, 60_000)

describe('three planspec serve replicas on one PostgreSQL database', () => {
  it('ran the migrations once, logged by whichever replica applied them; no log holds the password', async () => {
    const applied = replicas.flatMap((replica) => replica.lines().filter((line) => line.migration !== undefined).map((line) => line.migration))
    expect(applied.sort()).toEqual([...new Set(applied)].sort())
    expect(applied.length).toBeGreaterThan(0)
    expect(await cluster.psql(database, 'SELECT count(*) FROM planspec.schema_migrations')).toBe(String(applied.length))
    for (const replica of replicas) expect(replica.lines().some((line) => line.schemaVersion !== undefined), 'every replica logs the schema version it runs on').toBe(true)
    for (const replica of replicas) expect(replica.text()).not.toContain(cluster.password)
  })

  it('delivers 1,000 interleaved writes to watchers on every replica, in one order, with no gap and no duplicate', async () => {
    const listed = await call(replicas[0]!, 'GET', `${API}/roles`)
    const from = (listed.body.metadata as { resourceVersion: string }).resourceVersion
    const watches = await Promise.all(replicas.map((replica) => openWatch(replica, 'roles', from)))
    // 10 writers, each creates its Role then updates it 99 times, every write on the next replica.
    const acknowledged: string[] = []
    await Promise.all(
      Array.from({ length: 10 }, async (_, writer) => {
        const name = `w${writer}`
        let version: string | undefined
        for (let step = 0; step < 100; step++) {
          const replica = replicas[(writer + step) % replicas.length]!
          const written = version === undefined ? await call(replica, 'POST', `${API}/roles`, role(name, 'step-0')) : await call(replica, 'PUT', `${API}/roles/${name}`, role(name, `step-${step}`, version))
          expect(written.status, JSON.stringify(written.body)).toBe(step === 0 ? 201 : 200)
          version = metadataOf(written.body).resourceVersion
          acknowledged.push(version)
        }
      }),
    )
    const counts = (): number[] => watches.map((watch) => watch.events().filter((e) => e.type !== 'BOOKMARK').length)
    await vi.waitFor(() => expect(counts(), JSON.stringify({ missing: watches.map((w) => { const seen = new Set(w.events().map((e) => metadataOf(e.object).resourceVersion)); return acknowledged.filter((v) => !seen.has(v)) }), ended: watches.map((w) => w.ended()), errors: watches.flatMap((w) => w.events().filter((e) => e.type === 'ERROR')), warnings: replicas.map((r) => r.lines().filter((l) => Number(l.level) >= 40)) })).toEqual([1000, 1000, 1000]), { timeout: 120_000, interval: 200 })
    for (const watch of watches) watch.stop()
    const sequences = watches.map((watch) => watch.events().filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${metadataOf(e.object).name} ${metadataOf(e.object).resourceVersion}`))
    expect(sequences[1]).toEqual(sequences[0])
    expect(sequences[2]).toEqual(sequences[0])
    const versions = sequences[0]!.map((line) => Number(line.split(' ')[2]))
    for (let i = 1; i < versions.length; i++) expect(versions[i]!).toBeGreaterThan(versions[i - 1]!)
    expect([...versions].sort((a, b) => a - b)).toEqual(acknowledged.map(Number).sort((a, b) => a - b))
    // Each writer's own history arrives in the order it wrote.
    for (let writer = 0; writer < 10; writer++) {
      const mine = watches[2]!.events().filter((e) => metadataOf(e.object).name === `w${writer}`)
      expect(mine.map((e) => (e.object.rules as { resourceNames: string[] }[])[0]!.resourceNames[0])).toEqual(Array.from({ length: 100 }, (_, step) => `step-${step}`))
    }
  }, 300_000)

  it('lets exactly one of 50 concurrent writers holding the same version win, across replicas', async () => {
    const created = await call(replicas[0]!, 'POST', `${API}/roles`, role('contended', 'original'))
    expect(created.status).toBe(201)
    const stale = metadataOf(created.body).resourceVersion
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call(replicas[i % replicas.length]!, 'PUT', `${API}/roles/contended`, role('contended', `writer-${i}`, stale))))
    const statuses = results.map((result) => result.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(49)
    const winner = results.find((result) => result.status === 200)!
    for (const replica of replicas) {
      const read = await call(replica, 'GET', `${API}/roles/contended`)
      expect(read.body.rules).toEqual(winner.body.rules)
      expect(metadataOf(read.body).resourceVersion).toBe(metadataOf(winner.body).resourceVersion)
    }
  }, 120_000)

  it('survives a PostgreSQL restart under load: /readyz goes false then true, no acknowledged write is lost', async () => {
    const acknowledged: string[] = []
    const refusals = new Map<number, number>()
    let writing = true
    let sequence = 0
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      while (writing) {
        const name = `load-${writer}-${sequence++}`
        const replica = replicas[sequence % replicas.length]!
        const result = await call(replica, 'POST', `${API}/roles`, role(name, 'under-load')).catch(() => ({ status: 0, body: {} }))
        if (result.status === 201) acknowledged.push(name)
        else refusals.set(result.status, (refusals.get(result.status) ?? 0) + 1)
        if (result.status !== 201) await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })
    const ready = async (replica: Replica): Promise<number> => {
      if (replica.child.exitCode !== null) throw new Error(`a replica exited (${replica.child.exitCode}): ${replica.text().slice(-3000)}`)
      return (await fetch(`${replica.url}/readyz`)).status
    }
    try {
      await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(20), { timeout: 60_000, interval: 50 })
      expect(await Promise.all(replicas.map(ready))).toEqual([200, 200, 200])
      await cluster.stop('immediate')
      await vi.waitFor(async () => expect(await Promise.all(replicas.map(ready))).toEqual([503, 503, 503]), { timeout: 60_000, interval: 100 })
      const duringOutage = acknowledged.length
      await cluster.start()
      await vi.waitFor(async () => expect(await Promise.all(replicas.map(ready))).toEqual([200, 200, 200]), { timeout: 90_000, interval: 200 })
      await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(duringOutage + 20), { timeout: 60_000, interval: 50 })
    } finally {
      writing = false
      await Promise.all(writers)
    }
    // Refused writes are refused clearly (503 while the database is away), never a 500.
    const errors = replicas.flatMap((replica) => replica.lines().filter((line) => Number(line.level) >= 50))
    expect([...refusals.keys()].filter((status) => status !== 503), JSON.stringify({ refusals: [...refusals], errors })).toEqual([])
    expect(refusals.get(503) ?? 0).toBeGreaterThan(0)
    for (const replica of replicas) {
      const listed = await call(replica, 'GET', `${API}/roles`)
      const names = new Set((listed.body.items as Record<string, unknown>[]).map((item) => metadataOf(item).name))
      expect(acknowledged.filter((name) => !names.has(name)), 'acknowledged writes missing after the restart').toEqual([])
    }
    for (const replica of replicas) expect(replica.lines().some((line) => line.database === 'unreachable') && replica.lines().some((line) => line.database === 'reachable'), 'each replica logs losing and regaining the database').toBe(true)
    // The driver's errors are logged (redacted): the password is in none of them.
    for (const replica of replicas) expect(replica.text()).not.toContain(cluster.password)
  }, 300_000)
})
