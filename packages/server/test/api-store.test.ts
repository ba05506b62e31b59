// What both API stores add to the Store port's contract, run over SQLite and PostgreSQL alike:
// initial statuses, atomic transactions and dry runs, event order, deletion marks, consistent
// snapshots, filters and compaction.
import { afterEach, describe, expect, it } from 'vitest'
import type { StoredResource, WatchEvent } from '@planspec/core'
import { sqliteStore, type ApiStore } from '../src/index.js'
import { createDatabase, openPostgres } from './postgres.js'

interface OpenOptions {
  readonly now?: () => string
  readonly historyLimit?: number
  readonly compactEvery?: number
}

const stores: ApiStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
const database = await createDatabase('api_store')

const impls: { readonly name: string; readonly open: (options?: OpenOptions) => ApiStore }[] = [
  { name: 'sqliteStore', open: (options = {}) => sqliteStore(options) },
  { name: 'postgresStore', open: (options = {}) => openPostgres(database, options) },
]
const goal = (name: string, description = 'd', namespace = 'team'): StoredResource => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace }, spec: { description } })
const key = (name: string, namespace = 'team') => ({ kind: 'Goal', namespace, name })

describe.each(impls)('$name', ({ open: make }) => {
  const open = (options?: OpenOptions): ApiStore => {
    const s = make(options)
    stores.push(s)
    return s
  }

  it('writes core initial status on create (RESOURCES 0.7) and none for RBAC kinds', async () => {
    const s = open({ now: () => '2026-01-01T00:00:00Z' })
    const g = await s.create(goal('a'))
    expect(g.status).toMatchObject({ phase: 'Pending', observedGeneration: 1, conditions: [{ type: 'Accepted', status: 'True', reason: 'GoalCreated' }] })
    const role = await s.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'admin', namespace: 'ignored' }, rules: [], status: { x: 1 } })
    expect(role.status).toBeUndefined()
    expect(role.metadata.namespace).toBeUndefined()
    expect(await s.get({ kind: 'ClusterRole', namespace: '', name: 'admin' })).toMatchObject({ rules: [] })
  })

  it('compares specs canonically: reordered keys are not a spec change', async () => {
    const s = open()
    const p = await s.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name: 'p', namespace: 'team' }, spec: { description: 'p', graph: { nodes: [] } } })
    const same = await s.update({ ...p, spec: { graph: { nodes: [] }, description: 'p' } })
    expect(same.metadata.generation).toBe(1)
  })

  it('commits a transaction atomically: a failing write rolls every write back and emits nothing', async () => {
    const s = open()
    const events: WatchEvent[] = []
    s.subscribe((e) => events.push(e))
    await s.create(goal('exists'))
    await expect(
      s.transact((tx) => {
        tx.create(goal('new-1'))
        tx.create(goal('new-2'))
        tx.create(goal('exists'))
      }),
    ).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_EXISTS' })
    expect((await s.list('Goal')).items.map((i) => i.metadata.name)).toEqual(['exists'])
    expect(s.currentResourceVersion()).toBe('1')
    expect(events).toHaveLength(1)
    const next = await s.create(goal('after'))
    expect(next.metadata.resourceVersion).toBe('2')
  })

  it('runs a dry run to the end and rolls it back', async () => {
    const s = open()
    const events: WatchEvent[] = []
    s.subscribe((e) => events.push(e))
    const result = await s.transact((tx) => tx.create(goal('dry')), { dryRun: true })
    expect(result.metadata.name).toBe('dry')
    expect(await s.get(key('dry'))).toBeUndefined()
    expect(events).toEqual([])
    expect(s.currentResourceVersion()).toBe('0')
  })

  it('emits a transaction’s events after commit, in order, with consecutive versions', async () => {
    const s = open()
    const seen: string[] = []
    s.subscribe((e) => seen.push(`${e.type}:${e.object.metadata.name}@${e.resourceVersion}`))
    await s.transact((tx) => {
      const a = tx.create(goal('a'))
      tx.update({ ...a, spec: { description: 'x' } })
      tx.delete(key('a'))
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['ADDED:a@1', 'MODIFIED:a@2', 'DELETED:a@3'])
  })

  it('marks an object as deleting instead of removing it', async () => {
    const s = open({ now: () => '2026-02-02T00:00:00Z' })
    await s.create({ ...goal('a'), metadata: { name: 'a', namespace: 'team', finalizers: ['example.com/cleanup'] } })
    const marked = await s.transact((tx) => tx.markDeleting(key('a')))
    expect(marked.metadata).toMatchObject({ deletionTimestamp: '2026-02-02T00:00:00Z', deletionGracePeriodSeconds: 0 })
    const again = await s.transact((tx) => tx.markDeleting(key('a')))
    expect(again.metadata.resourceVersion).toBe(marked.metadata.resourceVersion)
    const kept = await s.update({ ...marked, metadata: { ...marked.metadata, deletionTimestamp: undefined, finalizers: [] } })
    expect(kept.metadata.deletionTimestamp).toBe('2026-02-02T00:00:00Z')
  })

  it('pages through a consistent snapshot while writes continue', async () => {
    const s = open()
    for (const n of ['a', 'b', 'c', 'd', 'e']) await s.create(goal(n))
    const first = s.listPage('Goal', { limit: 2 })
    expect(first.rows.map((r) => r.name)).toEqual(['a', 'b'])
    expect(first.resourceVersion).toBe('5')
    const c = (await s.get(key('c')))!
    await s.update({ ...c, spec: { description: 'changed' } })
    await s.delete(key('d'))
    await s.create(goal('f'))
    await s.create(goal('bb'))
    const second = s.listPage('Goal', { limit: 2, after: first.next! })
    expect(second.rows.map((r) => [r.name, (r.object.spec as { description: string }).description])).toEqual([['c', 'd'], ['d', 'd']])
    const third = s.listPage('Goal', { limit: 2, after: second.next! })
    expect(third.rows.map((r) => r.name)).toEqual(['e'])
    expect(third.next).toBeUndefined()
    expect(s.listPage('Goal').rows.map((r) => r.name)).toEqual(['a', 'b', 'bb', 'c', 'e', 'f'])
  })

  it('applies a filter before the limit, and pages across namespaces', async () => {
    const s = open()
    for (const [n, ns] of [['a', 'x'], ['b', 'x'], ['a', 'y'], ['b', 'y']] as const) await s.create(goal(n, n === 'a' ? 'keep' : 'drop', ns))
    const keep = (r: { object: StoredResource }) => (r.object.spec as { description: string }).description === 'keep'
    const page = s.listPage('Goal', { limit: 1, filter: keep })
    expect(page.rows.map((r) => `${r.namespace}/${r.name}`)).toEqual(['x/a'])
    const rest = s.listPage('Goal', { limit: 5, filter: keep, after: page.next! })
    expect(rest.rows.map((r) => `${r.namespace}/${r.name}`)).toEqual(['y/a'])
    expect(s.listPage('Goal', { namespace: 'y', limit: 1 }).rows.map((r) => r.name)).toEqual(['a'])
  })

  it('compacts history: resumes below the floor are Gone, snapshots above it stay exact', async () => {
    const s = open({ historyLimit: 3, compactEvery: 1_000_000 })
    for (const n of ['a', 'b', 'c']) await s.create(goal(n))
    const page = s.listPage('Goal', { limit: 1 })
    for (let i = 0; i < 3; i++) {
      const b = (await s.get(key('b')))!
      await s.update({ ...b, spec: { description: `v${i}` } })
    }
    s.compact()
    expect(s.oldestResourceVersion()).toBe('3')
    expect(() => s.readEvents('2', 10)).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_STORE_GONE' }))
    expect(s.readEvents('3', 10).map((e) => e.resourceVersion)).toEqual(['4', '5', '6'])
    const next = s.listPage('Goal', { limit: 5, after: page.next! })
    expect(next.rows.map((r) => [r.name, (r.object.spec as { description: string }).description])).toEqual([['b', 'd'], ['c', 'd']])
    await s.create(goal('z'))
    expect(() => s.listPage('Goal', { limit: 5, after: page.next! })).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_STORE_GONE' }))
  })

})
