import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { StoredResource, WatchEvent } from '@planspec/core'
import { memoryStore } from '../../src/store/index.js'

let clock = 0
const store = () => memoryStore({ now: () => new Date(Date.UTC(2026, 0, 1) + clock++ * 1000).toISOString(), newUid: (() => { let n = 0; return () => `uid-${++n}` })() })
const goal = (name: string, description = 'd'): StoredResource => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace: 'team' }, spec: { description } })
const key = (name: string) => ({ kind: 'Goal', namespace: 'team', name })

describe('memoryStore', () => {
  it('drops a status sent with create, and does not count reordered spec keys as a change', async () => {
    const s = store()
    const created = await s.create({ ...goal('a'), spec: { description: 'd', timeout: '1h' }, status: { phase: 'Succeeded' } })
    expect(created.status).toBeUndefined()
    const reordered = await s.update({ ...created, spec: { timeout: '1h', description: 'd' } })
    expect(reordered.metadata.generation).toBe(1)
  })

  it('sets uid, resourceVersion, generation 1 and creationTimestamp on create, overwriting client values', async () => {
    const s = store()
    const created = await s.create({ ...goal('a'), metadata: { name: 'a', namespace: 'team', uid: 'mine', generation: 7, resourceVersion: '99' } })
    expect(created.metadata).toMatchObject({ uid: 'uid-1', generation: 1, resourceVersion: '1', namespace: 'team' })
    expect(created.metadata.creationTimestamp).toMatch(/^2026-01-01T/)
    await expect(s.create(goal('a'))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_EXISTS' })
  })

  it('increments generation only when spec changes, and keeps status on update', async () => {
    const s = store()
    const a = await s.create(goal('a'))
    const withStatus = await s.updateStatus({ ...a, status: { phase: 'Ready' } })
    const labelsOnly = await s.update({ ...withStatus, metadata: { ...withStatus.metadata, labels: { x: 'y' } } })
    expect(labelsOnly.metadata.generation).toBe(1)
    expect(labelsOnly.status).toEqual({ phase: 'Ready' })
    const specChanged = await s.update({ ...labelsOnly, spec: { description: 'new' } })
    expect(specChanged.metadata.generation).toBe(2)
    expect(specChanged.status).toEqual({ phase: 'Ready' })
  })

  it('refuses a write computed from a stale or missing resourceVersion (no last-write-wins)', async () => {
    const s = store()
    const a = await s.create(goal('a'))
    await s.update({ ...a, spec: { description: 'first' } })
    await expect(s.update({ ...a, spec: { description: 'second' } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_CONFLICT' })
    const { resourceVersion: _rv, ...metadata } = a.metadata
    await expect(s.updateStatus({ ...a, metadata, status: { phase: 'X' } })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_CONFLICT' })
    expect((await s.get(key('a')))!.spec).toEqual({ description: 'first' })
  })

  it('lets exactly one of many concurrent writers with the same version win', async () => {
    const s = store()
    const a = await s.create(goal('a'))
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => s.update({ ...a, spec: { description: `w${i}` } })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(49)
  })

  it('deletes with an optional version check and reports missing objects', async () => {
    const s = store()
    const a = await s.create(goal('a'))
    await expect(s.delete(key('a'), { resourceVersion: '0' })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_CONFLICT' })
    await s.delete(key('a'), { resourceVersion: a.metadata.resourceVersion })
    expect(await s.get(key('a'))).toBeUndefined()
    await expect(s.delete(key('a'))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_STORE_NOT_FOUND' })
  })

  it('hands out frozen snapshots', async () => {
    const s = store()
    const a = await s.create(goal('a'))
    expect(() => ((a.spec as { description: string }).description = 'mutated')).toThrow()
  })

  it('replays history after a resourceVersion, then streams live events, in order', async () => {
    const s = store()
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

  it('answers Gone when the requested version is older than the retained history', async () => {
    const s = memoryStore({ now: () => '2026-01-01T00:00:00Z', newUid: () => 'u', historyLimit: 2 })
    for (const n of ['a', 'b', 'c', 'd']) await s.create(goal(n))
    expect(() => s.watch('Goal', { sinceResourceVersion: '1' }, () => undefined)).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_STORE_GONE' }))
    const seen: WatchEvent[] = []
    s.watch('Goal', { sinceResourceVersion: '2' }, (e) => seen.push(e))
    expect(seen.map((e) => e.object.metadata.name)).toEqual(['c', 'd'])
  })

  it('never lets a watcher miss or reorder events under random interleavings (model-based)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('create', 'update', 'status', 'delete', 'watch'), fc.constantFrom('a', 'b', 'c')), { maxLength: 40 }), async (steps) => {
        const s = store()
        const views: Map<string, StoredResource>[] = []
        for (const [op, name] of steps) {
          const current = await s.get(key(name))
          if (op === 'watch') {
            const { items, resourceVersion } = await s.list('Goal')
            const view = new Map(items.map((i) => [i.metadata.name, i]))
            views.push(view)
            s.watch('Goal', { sinceResourceVersion: resourceVersion }, (e) => (e.type === 'DELETED' ? view.delete(e.object.metadata.name) : view.set(e.object.metadata.name, e.object)))
          } else if (op === 'create' && !current) await s.create(goal(name))
          else if (op === 'update' && current) await s.update({ ...current, spec: { description: String(Math.random()) } })
          else if (op === 'status' && current) await s.updateStatus({ ...current, status: { phase: 'P' } })
          else if (op === 'delete' && current) await s.delete(key(name))
        }
        const { items } = await s.list('Goal')
        for (const view of views) expect([...view.values()].sort((x, y) => x.metadata.name.localeCompare(y.metadata.name))).toEqual(items)
      }),
      { numRuns: 200 },
    )
  })
})
