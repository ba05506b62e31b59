// Leases with fencing tokens (issue 17), over SQLite (one process) and PostgreSQL (two stores on one
// schema: two replicas): who may hold what, expiry and take-over, and writes guarded by a lease
// refused once it is no longer theirs, with nothing written. Then the Execution controller's
// claim: renewed in the background, and found lost when another replica took it over.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PlanSpecError } from '@planspec/core'
import type { StoredResource } from '@planspec/core'
import pg from 'pg'
import { parseIntoClientConfig } from 'pg-connection-string'
import { claimExecutionLease, executionLeaseName, sqliteStore, type ApiStore, type Lease } from '../src/index.js'
import { createDatabase, newSchema, openPostgres, PG_PASSWORD } from './postgres.js'

const stores: ApiStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
const database = await createDatabase('leases')

/** Two stores sharing one database (two replicas); for SQLite, one store stands for both. */
const impls: { readonly name: string; readonly open: () => Promise<[ApiStore, ApiStore]>; readonly expire: (lease: Lease, schema: string) => Promise<void> }[] = [
  {
    name: 'sqliteStore',
    open: async () => {
      const s = sqliteStore({})
      stores.push(s)
      return [s, s]
    },
    expire: async () => undefined,
  },
  {
    name: 'postgresStore',
    open: async () => {
      const schema = newSchema()
      const a = openPostgres(database, { schema })
      const b = openPostgres(database, { schema })
      stores.push(a, b)
      await Promise.all([a.ready(), b.ready()])
      return [a, b]
    },
    expire: async (lease, schema) => {
      const client = new pg.Client({ ...parseIntoClientConfig(database), password: PG_PASSWORD })
      await client.connect()
      await client.query(`UPDATE ${schema}.leases SET expires_at = now() WHERE name = $1`, [lease.name])
      await client.end()
    },
  },
]
const goal = (name: string, description = 'd'): StoredResource => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace: 'team' }, spec: { description } })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const fencedCode = (error: unknown) => (error instanceof PlanSpecError ? error.code : String(error))

describe.each(impls)('$name', ({ open }) => {
  it('grants a free lease, refuses it to another holder until it expires, then hands it over with a larger token', async () => {
    const [a, b] = await open()
    const first = await a.leases.acquire('execution/team/e', 'replica-a', 400)
    expect(first.acquired).toBe(true)
    const refused = await b.leases.acquire('execution/team/e', 'replica-b', 400)
    expect(refused).toMatchObject({ acquired: false, holder: 'replica-a' })
    expect(refused.acquired === false && refused.remainingMs).toBeGreaterThan(0)
    // The holder itself may take it again (a restarted loop of the same process).
    const again = await a.leases.acquire('execution/team/e', 'replica-a', 400)
    expect(again.acquired && BigInt(again.lease.token) > BigInt(first.acquired ? first.lease.token : 0)).toBe(true)
    await sleep(600)
    const taken = await b.leases.acquire('execution/team/e', 'replica-b', 10_000, { onlyExpired: true })
    expect(taken.acquired).toBe(true)
    expect(BigInt(taken.acquired ? taken.lease.token : 0)).toBeGreaterThan(BigInt(again.acquired ? again.lease.token : 0))
    // The old holding can be neither renewed nor released any more.
    expect(await a.leases.renew((again as { lease: Lease }).lease, 400)).toBe(false)
    await a.leases.release((again as { lease: Lease }).lease)
    expect(await a.leases.acquire('execution/team/e', 'replica-a', 400)).toMatchObject({ acquired: false, holder: 'replica-b' })
  })

  it('takes over only an expired holding when asked to (never a free or released one), and frees a released one for others', async () => {
    const [a, b] = await open()
    expect(await b.leases.acquire('execution/team/free', 'replica-b', 1_000, { onlyExpired: true })).toEqual({ acquired: false })
    const held = await a.leases.acquire('execution/team/free', 'replica-a', 10_000)
    expect(held.acquired).toBe(true)
    expect(await a.leases.renew((held as { lease: Lease }).lease, 10_000)).toBe(true)
    await a.leases.release((held as { lease: Lease }).lease)
    expect(await b.leases.acquire('execution/team/free', 'replica-b', 1_000, { onlyExpired: true })).toEqual({ acquired: false })
    expect((await b.leases.acquire('execution/team/free', 'replica-b', 1_000)).acquired).toBe(true)
  })

  it('commits a write fenced by the current holding; refuses one fenced by a stale holding and writes nothing', async () => {
    const [a, b] = await open()
    const created = await a.create(goal('g'))
    const stale = await a.leases.acquire('execution/team/g', 'replica-a', 300)
    if (!stale.acquired) throw new Error('not acquired')
    const saved = await a.transact((tx) => tx.update({ ...tx.get({ kind: 'Goal', namespace: 'team', name: 'g' })!, spec: { description: 'by a' } }), { fence: stale.lease })
    expect(saved.spec).toEqual({ description: 'by a' })
    await sleep(500)
    const current = await b.leases.acquire('execution/team/g', 'replica-b', 10_000, { onlyExpired: true })
    if (!current.acquired) throw new Error('not taken over')
    const events: string[] = []
    const watching = b.watch('Goal', { namespace: 'team' }, (event) => events.push(event.object.metadata.resourceVersion!))
    const refused = await a.transact((tx) => tx.update({ ...tx.get({ kind: 'Goal', namespace: 'team', name: 'g' })!, spec: { description: 'stale' } }), { fence: stale.lease }).catch((error: unknown) => error)
    expect(fencedCode(refused)).toBe('PLANSPEC_ERR_STORE_FENCED')
    const byB = await b.transact((tx) => tx.update({ ...tx.get({ kind: 'Goal', namespace: 'team', name: 'g' })!, spec: { description: 'by b' } }), { fence: current.lease })
    expect(byB.spec).toEqual({ description: 'by b' })
    await vi.waitFor(() => expect(events).toEqual([byB.metadata.resourceVersion]))
    watching.stop()
    expect(Number(byB.metadata.resourceVersion)).toBe(Number(saved.metadata.resourceVersion) + 1)
    expect(Number(saved.metadata.resourceVersion)).toBe(Number(created.metadata.resourceVersion) + 1)
  })
})

describe('claimExecutionLease on PostgreSQL', () => {
  it('renews a held lease past its duration, and finds it lost when another replica took it over', async () => {
    const schema = newSchema()
    const [a, b] = [openPostgres(database, { schema }), openPostgres(database, { schema })]
    stores.push(a, b)
    await Promise.all([a.ready(), b.ready()])
    const key = { kind: 'Execution', namespace: 'team', name: 'run' }
    const lost: Lease[] = []
    const claim = await claimExecutionLease({ leases: a.leases, holder: 'replica-a', ttlMs: 600, onLost: (lease) => lost.push(lease) }, key, false)
    if (claim.held === undefined) throw new Error('not held')
    expect(claim.held.lease.name).toBe(executionLeaseName(key))
    await sleep(1_500) // more than twice its duration: renewed all along
    const meanwhile = await claimExecutionLease({ leases: b.leases, holder: 'replica-b', ttlMs: 600 }, key, true)
    expect(meanwhile.held).toBeUndefined()
    expect('retryInMs' in meanwhile && meanwhile.retryInMs).toBeGreaterThan(0)
    // The database's clock runs past the holding (as for a replica cut off from it): B takes over.
    await impls[1]!.expire(claim.held.lease, schema)
    const taken = await claimExecutionLease({ leases: b.leases, holder: 'replica-b', ttlMs: 60_000 }, key, true)
    if (taken.held === undefined) throw new Error('not taken over')
    await vi.waitFor(() => expect(lost.map((lease) => lease.token)).toEqual([claim.held!.lease.token]), { timeout: 10_000 })
    expect(claim.held.lost()).toBe(true)
    await claim.held.release() // a lost holding is not released: B keeps it
    expect(await b.leases.renew(taken.held.lease, 60_000)).toBe(true)
    await taken.held.release()
  })
})
