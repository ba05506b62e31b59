// What only the SQLite store does: WAL, a file that survives a reopen and a SIGKILL, writes by another process.
// (Transactions, snapshots and compaction are in api-store.test.ts, over SQLite and PostgreSQL.)
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { afterEach, describe, expect, it } from 'vitest'
import type { StoredResource } from '@planspec/core'
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

  it('sees every commit of another connection after quiet looks that skipped the PRAGMA (the WAL-index header pre-check)', async () => {
    const file = join(tempDir(), 'hint.db')
    const mine = open({ file })
    const theirs = open({ file })
    await mine.create(goal('a'))
    for (let round = 0; round < 20; round++) {
      // Quiet looks: nothing committed, the version stays.
      for (let i = 0; i < 5; i++) expect(mine.currentResourceVersion()).toBe(String(2 * round + 1))
      await theirs.create(goal(`t${round}`))
      expect(mine.currentResourceVersion()).toBe(String(2 * round + 2))
      expect(mine.getText(key(`t${round}`))).toBeDefined()
      await mine.create(goal(`m${round}`))
    }
    // Another connection's checkpoint that resets the WAL (new salts) is no commit, and later commits are still seen.
    const db = new Database(file)
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    expect(mine.currentResourceVersion()).toBe('41')
    await theirs.create(goal('after-truncate'))
    expect(mine.currentResourceVersion()).toBe('42')
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
