// What the SQLite store adds to the port's contract: durability, transactions, snapshots, compaction.
import type { StoredResource, WatchEvent } from '@planspec/core'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore, type SqliteStore } from '../src/index.js'

const dirs: string[] = []
const stores: SqliteStore[] = []
afterEach(() => {
  for (const s of stores.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-sqlite-'))
  dirs.push(dir)
  return dir
}
const open = (options: Parameters<typeof sqliteStore>[0] = {}) => {
  const s = sqliteStore(options)
  stores.push(s)
  return s
}
const goal = (name: string, description = 'd', namespace = 'team'): StoredResource => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name, namespace }, spec: { description } })
const key = (name: string, namespace = 'team') => ({ kind: 'Goal', namespace, name })

describe('sqliteStore', () => {
  it('runs in WAL mode and keeps objects, versions and history across a reopen', async () => {
    const file = join(tempDir(), 'p.db')
    const first = sqliteStore({ file })
    const a = await first.create(goal('a'))
    await first.update({ ...a, spec: { description: 'x' } })
    first.close()
    const db = new Database(file)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
    const second = open({ file })
    expect((await second.get(key('a')))!.spec).toEqual({ description: 'x' })
    const b = await second.create(goal('b'))
    expect(b.metadata.resourceVersion).toBe('3')
    const seen: string[] = []
    second.watch('Goal', { sinceResourceVersion: '0' }, (e) => seen.push(`${e.type}:${e.object.metadata.name}@${e.resourceVersion}`))
    expect(seen).toEqual(['ADDED:a@1', 'MODIFIED:a@2', 'ADDED:b@3'])
  })

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
    expect(() =>
      s.transact((tx) => {
        tx.create(goal('new-1'))
        tx.create(goal('new-2'))
        tx.create(goal('exists'))
      }),
    ).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_STORE_EXISTS' }))
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
    const result = s.transact((tx) => tx.create(goal('dry')), { dryRun: true })
    expect(result.metadata.name).toBe('dry')
    expect(await s.get(key('dry'))).toBeUndefined()
    expect(events).toEqual([])
    expect(s.currentResourceVersion()).toBe('0')
  })

  it('emits a transaction’s events after commit, in order, with consecutive versions', async () => {
    const s = open()
    const seen: string[] = []
    s.subscribe((e) => seen.push(`${e.type}:${e.object.metadata.name}@${e.resourceVersion}`))
    s.transact((tx) => {
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
    const marked = s.transact((tx) => tx.markDeleting(key('a')))
    expect(marked.metadata).toMatchObject({ deletionTimestamp: '2026-02-02T00:00:00Z', deletionGracePeriodSeconds: 0 })
    const again = s.transact((tx) => tx.markDeleting(key('a')))
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

  it('delivers writes made by another process to local watchers, in order', async () => {
    const file = join(tempDir(), 'shared.db')
    const mine = open({ file, pollMs: 20 })
    const theirs = open({ file })
    const seen: string[] = []
    mine.watch('Goal', {}, (e) => seen.push(`${e.object.metadata.name}@${e.resourceVersion}`))
    await mine.create(goal('a'))
    await theirs.create(goal('b'))
    await mine.create(goal('c'))
    await theirs.create(goal('d'))
    await new Promise((r) => setTimeout(r, 100))
    expect(seen).toEqual(['a@1', 'b@2', 'c@3', 'd@4'])
  })

  it('after a SIGKILL during a write loop, issues versions above every acknowledged one and keeps every acknowledged event', async () => {
    const dir = tempDir()
    const file = join(dir, 'kill.db')
    // The bundle lives inside the package so that its bare imports resolve from the workspace.
    const bundleDir = fileURLToPath(new URL('../node_modules/.cache/planspec-server-test/', import.meta.url))
    mkdirSync(bundleDir, { recursive: true })
    const bundle = join(bundleDir, `store-${process.pid}.mjs`)
    const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, packages: 'external', logLevel: 'silent', absWorkingDir: fileURLToPath(new URL('..', import.meta.url)) })
    const script = join(dir, 'loop.mjs')
    writeFileSync(
      script,
      `import { sqliteStore } from ${JSON.stringify(bundle)}
const s = sqliteStore({ file: ${JSON.stringify(file)} })
for (let i = 0; ; i++) {
  const o = await s.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name: 'g' + i, namespace: 'team' }, spec: { description: 'd' } })
  process.stdout.write(o.metadata.resourceVersion + '\\n')
}
`,
    )
    const child = spawn(process.execPath, [script], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the write loop exited early with ${code}`)))
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.split('\n').length > 300) resolve()
      })
    })
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    rmSync(bundle, { force: true })
    const acknowledged = out.split('\n').filter((line) => /^\d+$/.test(line)).map(Number)
    const maxAcked = Math.max(...acknowledged)
    const s = open({ file })
    const logged = new Set(s.readEvents('0', 1_000_000).map((e) => Number(e.resourceVersion)))
    for (const rv of acknowledged) expect(logged.has(rv)).toBe(true)
    const next = await s.create(goal('after-restart'))
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(maxAcked)
  })
})
