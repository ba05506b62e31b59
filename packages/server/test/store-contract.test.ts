// The Store port's contract, run unchanged over the engine's memoryStore, our sqliteStore and our
// postgresStore (each PostgreSQL store in its own schema of this file's database).
import type { Store, StoredResource, WatchEvent } from '@planspec/core'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { memoryStore } from '@planspec/engine'
import { sqliteStore } from '../src/index.js'
import { createDatabase, openPostgres } from './postgres.js'

interface Impl {
  readonly name: string
  readonly make: (historyLimit?: number) => Store
}

const opened: { close(): void | Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})
const database = await createDatabase('contract')

const deps = () => {
  let tick = 0
  let uid = 0
  return { now: () => new Date(Date.UTC(2026, 0, 1) + tick++ * 1000).toISOString(), newUid: () => `uid-${++uid}` }
}
const impls: Impl[] = [
  { name: 'memoryStore', make: (historyLimit) => memoryStore({ ...deps(), ...(historyLimit ? { historyLimit } : {}) }) },
  {
    name: 'sqliteStore',
    make: (historyLimit) => {
      const s = sqliteStore({ ...deps(), ...(historyLimit ? { historyLimit } : {}) })
      opened.push(s)
      return s
    },
  },
  {
    name: 'postgresStore',
    make: (historyLimit) => {
      const s = openPostgres(database, { ...deps(), ...(historyLimit ? { historyLimit } : {}) })
      opened.push(s)
      return s
    },
  },
]

const goal = (name: string, description = 'd', namespace = 'team'): StoredResource => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace }, spec: { description } })
const key = (name: string, namespace = 'team') => ({ kind: 'Goal', namespace, name })

describe.each(impls)('Store contract: $name', ({ make }) => {
  it('sets uid, resourceVersion, generation 1 and creationTimestamp on create, overwriting client values', async () => {
    const s = make()
    const created = await s.create({ ...goal('a'), metadata: { name: 'a', namespace: 'team', uid: 'mine', generation: 7, resourceVersion: '99', creationTimestamp: '1999-01-01T00:00:00Z' } })
    expect(created.metadata).toMatchObject({ uid: 'uid-1', generation: 1, resourceVersion: '1', namespace: 'team' })
    expect(created.metadata.creationTimestamp).toMatch(/^2026-01-01T/)
    await expect(s.create(goal('a'))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_EXISTS' })
    expect((await s.get(key('a')))!.metadata.uid).toBe('uid-1')
  })

  it('ignores a status sent with create', async () => {
    const s = make()
    const created = await s.create({ ...goal('a'), status: { phase: 'Succeeded' } })
    expect((created.status as { phase?: string } | undefined)?.phase).not.toBe('Succeeded')
  })

  it('increments generation only when spec changes, and keeps status on update', async () => {
    const s = make()
    const a = await s.create(goal('a'))
    const withStatus = await s.updateStatus({ ...a, status: { phase: 'Ready' } })
    expect(withStatus.metadata.generation).toBe(1)
    const labelsOnly = await s.update({ ...withStatus, metadata: { ...withStatus.metadata, labels: { x: 'y' } }, status: { phase: 'Ignored' } })
    expect(labelsOnly.metadata.generation).toBe(1)
    expect(labelsOnly.status).toEqual({ phase: 'Ready' })
    const specChanged = await s.update({ ...labelsOnly, spec: { description: 'new' } })
    expect(specChanged.metadata.generation).toBe(2)
    expect(specChanged.status).toEqual({ phase: 'Ready' })
    expect(specChanged.metadata.labels).toEqual({ x: 'y' })
  })

  it('replaces status only through updateStatus, keeping spec and generation', async () => {
    const s = make()
    const a = await s.create(goal('a'))
    const b = await s.updateStatus({ ...a, spec: { description: 'sneaky' }, status: { phase: 'Executing' } })
    expect(b.spec).toEqual({ description: 'd' })
    expect(b.metadata.generation).toBe(1)
    expect((await s.get(key('a')))!.status).toEqual({ phase: 'Executing' })
  })

  it('refuses a write computed from a stale or missing resourceVersion (no last-write-wins)', async () => {
    const s = make()
    const a = await s.create(goal('a'))
    await s.update({ ...a, spec: { description: 'first' } })
    await expect(s.update({ ...a, spec: { description: 'second' } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_CONFLICT' })
    const { resourceVersion: _rv, ...metadata } = a.metadata
    await expect(s.updateStatus({ ...a, metadata, status: { phase: 'X' } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_CONFLICT' })
    await expect(s.update({ ...a, metadata })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_CONFLICT' })
    expect((await s.get(key('a')))!.spec).toEqual({ description: 'first' })
  })

  it('lets exactly one of many concurrent writers with the same version win', async () => {
    const s = make()
    const a = await s.create(goal('a'))
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => s.update({ ...a, spec: { description: `w${i}` } })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(49).fill('PLANSPEC_ERR_STORE_CONFLICT'))
  })

  it('deletes with an optional version check and reports missing objects', async () => {
    const s = make()
    const a = await s.create(goal('a'))
    await expect(s.delete(key('a'), { resourceVersion: '0' })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_CONFLICT' })
    await s.delete(key('a'), { resourceVersion: a.metadata.resourceVersion })
    expect(await s.get(key('a'))).toBeUndefined()
    await expect(s.delete(key('a'))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_NOT_FOUND' })
    await expect(s.update(a)).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_NOT_FOUND' })
    await expect(s.updateStatus(a)).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_NOT_FOUND' })
  })

  it('gives a re-created object a new uid (M7)', async () => {
    const s = make()
    const first = await s.create(goal('a'))
    await s.delete(key('a'))
    const second = await s.create(goal('a'))
    expect(second.metadata.uid).not.toBe(first.metadata.uid)
  })

  it('never lets a caller change stored state through a returned object', async () => {
    const s = make()
    const a = await s.create(goal('a'))
    try {
      ;(a.spec as { description: string }).description = 'mutated'
    } catch {
      // frozen snapshots throw in strict mode; copies do not: either way the store is untouched
    }
    expect((await s.get(key('a')))!.spec).toEqual({ description: 'd' })
  })

  it('issues one global, strictly increasing resourceVersion across kinds', async () => {
    const s = make()
    const versions: number[] = []
    versions.push(Number((await s.create(goal('a'))).metadata.resourceVersion))
    versions.push(Number((await s.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name: 'p', namespace: 'team' }, spec: { description: 'p', graph: { nodes: [] } } })).metadata.resourceVersion))
    versions.push(Number((await s.create(goal('b'))).metadata.resourceVersion))
    expect(versions).toEqual([1, 2, 3])
    expect((await s.list('Goal')).resourceVersion).toBe('3')
  })

  it('lists one kind, optionally in one namespace, ordered by namespace then name', async () => {
    const s = make()
    for (const [n, ns] of [['b', 'x'], ['a', 'y'], ['c', 'x']] as const) await s.create(goal(n, 'd', ns))
    expect((await s.list('Goal')).items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(['x/b', 'x/c', 'y/a'])
    expect((await s.list('Goal', { namespace: 'x' })).items.map((i) => i.metadata.name)).toEqual(['b', 'c'])
    expect((await s.list('Plan')).items).toEqual([])
  })

  it('replays history after a resourceVersion, then streams live events, in order', async () => {
    const s = make()
    const a = await s.create(goal('a'))
    await s.create(goal('b'))
    const seen: string[] = []
    const w = s.watch('Goal', { sinceResourceVersion: a.metadata.resourceVersion }, (e) => seen.push(`${e.type}:${e.object.metadata.name}@${e.resourceVersion}`))
    await s.update({ ...a, spec: { description: 'x' } })
    await s.delete(key('b'))
    w.stop()
    await s.create(goal('c'))
    expect(seen).toEqual(['ADDED:b@2', 'MODIFIED:a@3', 'DELETED:b@4'])
  })

  it('watches one namespace and one kind only', async () => {
    const s = make()
    const seen: string[] = []
    s.watch('Goal', { namespace: 'x' }, (e) => seen.push(e.object.metadata.name))
    await s.create(goal('in', 'd', 'x'))
    await s.create(goal('out', 'd', 'y'))
    await s.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name: 'plan', namespace: 'x' }, spec: { description: 'p', graph: { nodes: [] } } })
    expect(seen).toEqual(['in'])
  })

  it('answers Gone when the requested version is older than the retained history', async () => {
    const s = make(2)
    for (const n of ['a', 'b', 'c', 'd']) await s.create(goal(n))
    expect(() => s.watch('Goal', { sinceResourceVersion: '1' }, () => undefined)).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_STORE_GONE' }))
    const seen: WatchEvent[] = []
    s.watch('Goal', { sinceResourceVersion: '2' }, (e) => seen.push(e))
    expect(seen.map((e) => e.object.metadata.name)).toEqual(['c', 'd'])
  })

  it('never lets a watcher miss or reorder events under random interleavings (model-based)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('create', 'update', 'status', 'delete', 'watch'), fc.constantFrom('a', 'b', 'c')), { maxLength: 40 }), async (steps) => {
        const s = make()
        const views: Map<string, StoredResource>[] = []
        const versions: number[][] = []
        for (const [op, n] of steps) {
          const current = await s.get(key(n))
          if (op === 'watch') {
            const { items, resourceVersion } = await s.list('Goal')
            const view = new Map(items.map((i) => [i.metadata.name, i]))
            const seen: number[] = []
            views.push(view)
            versions.push(seen)
            s.watch('Goal', { sinceResourceVersion: resourceVersion }, (e) => {
              seen.push(Number(e.resourceVersion))
              if (e.type === 'DELETED') view.delete(e.object.metadata.name)
              else view.set(e.object.metadata.name, e.object)
            })
          } else if (op === 'create' && !current) await s.create(goal(n))
          else if (op === 'update' && current) await s.update({ ...current, spec: { description: String(Math.random()) } })
          else if (op === 'status' && current) await s.updateStatus({ ...current, status: { phase: 'P' } })
          else if (op === 'delete' && current) await s.delete(key(n))
        }
        const { items } = await s.list('Goal')
        for (const view of views) expect([...view.values()].sort((x, y) => x.metadata.name.localeCompare(y.metadata.name))).toEqual(items)
        for (const seen of versions) expect(seen).toEqual([...seen].sort((x, y) => x - y))
        if ('close' in s && typeof s.close === 'function') s.close()
      }),
      { numRuns: 100 },
    )
  })
})
