// THREATS T5: a model-based fast-check suite interleaving writes, watches, reconnects (resume, and
// 410 then re-list when the history was compacted) against the real server. Every watcher's
// reconstructed state must equal the list at the end, and no watcher may see versions out of order.
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { API, auth, body, setup, testNow } from './helpers.js'

type Obj = { metadata: { name: string; resourceVersion: string }; [k: string]: unknown }
interface Watcher {
  view: Map<string, Obj>
  lastRv: number
  versions: number[]
  close: () => void
  connected: boolean
  gone: number
}
interface Real {
  readonly ns: string
  readonly request: ReturnType<typeof setup>['request']
  readonly app: ReturnType<typeof setup>['app']
  readonly store: ReturnType<typeof sqliteStore>
  readonly watchers: Watcher[]
}
interface Model {
  readonly names: Set<string>
}

const NAMES = ['a', 'b', 'c', 'd']
const base = (r: Real) => `${API}/namespaces/${r.ns}/goals`

/** Opens a watch from `rv` (or with initial events) and feeds `w`; answers the HTTP status. */
async function attach(r: Real, w: Watcher, rv: string | undefined): Promise<number> {
  const query = rv === undefined ? 'watch=true&sendInitialEvents=true&allowWatchBookmarks=true' : `watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`
  const res: LightMyRequestResponse = await r.app.inject({ method: 'GET', url: `${base(r)}?${query}`, headers: auth(), payloadAsStream: true })
  if (res.statusCode !== 200) return res.statusCode
  let dead = false
  let buffer = ''
  // Initial events are a snapshot (ordered by name, not version) until the initial-events-end bookmark.
  let initial = rv === undefined
  const stream = res.stream()
  stream.on('error', () => undefined)
  stream.on('data', (chunk: Buffer) => {
    if (dead) return
    buffer += chunk.toString()
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const event = JSON.parse(buffer.slice(0, i)) as { type: string; object: Obj }
      buffer = buffer.slice(i + 1)
      const version = Number(event.object.metadata.resourceVersion)
      if (event.type === 'BOOKMARK') {
        w.lastRv = Math.max(w.lastRv, version)
        if (initial) w.versions.push(version)
        initial = false
        continue
      }
      if (event.type === 'ERROR') throw new Error(`unexpected ERROR event ${JSON.stringify(event.object)}`)
      if (!initial) {
        w.versions.push(version)
        w.lastRv = version
      }
      if (event.type === 'DELETED') w.view.delete(event.object.metadata.name)
      else w.view.set(event.object.metadata.name, event.object)
    }
  })
  w.connected = true
  w.close = () => {
    dead = true
    w.connected = false
    ;(res.raw.res as unknown as { destroy(): void }).destroy()
  }
  return 200
}

/** Lists, then watches from the list's version (the Kubernetes list-then-watch pattern). */
async function relist(r: Real, w: Watcher): Promise<void> {
  const list = body(await r.request({ method: 'GET', url: base(r) }))
  w.view = new Map((list.items as Obj[]).map((i) => [i.metadata.name, i]))
  w.lastRv = Number(list.metadata.resourceVersion)
  w.versions.push(w.lastRv)
  expect(await attach(r, w, list.metadata.resourceVersion as string)).toBe(200)
}

class Write implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly op: 'create' | 'update' | 'status' | 'delete',
    readonly name: string,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const url = `${base(r)}/${this.name}`
    const exists = m.names.has(this.name)
    if (this.op === 'create') {
      const res = await r.request({ method: 'POST', url: base(r), payload: { apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name: this.name }, spec: { description: 'd' } } })
      expect(res.statusCode).toBe(exists ? 409 : 201)
      m.names.add(this.name)
      return
    }
    if (!exists) {
      expect((await r.request({ method: this.op === 'delete' ? 'DELETE' : 'GET', url })).statusCode).toBe(404)
      return
    }
    if (this.op === 'delete') {
      expect((await r.request({ method: 'DELETE', url })).statusCode).toBe(200)
      m.names.delete(this.name)
      return
    }
    const current = body(await r.request({ method: 'GET', url }))
    const res =
      this.op === 'update'
        ? await r.request({ method: 'PUT', url, payload: { ...current, spec: { description: `d${current.metadata.resourceVersion}` } } })
        : await r.request({ method: 'PUT', url: `${url}/status`, payload: { ...current, status: { phase: current.status.phase === 'Ready' ? 'Pending' : 'Ready' } } })
    expect(res.statusCode).toBe(200)
  }
  toString = () => `${this.op}(${this.name})`
}

class Watch implements fc.AsyncCommand<Model, Real> {
  constructor(readonly listFirst: boolean) {}
  check = () => true
  async run(_m: Model, r: Real): Promise<void> {
    const w: Watcher = { view: new Map(), lastRv: 0, versions: [], close: () => undefined, connected: false, gone: 0 }
    r.watchers.push(w)
    if (this.listFirst) await relist(r, w)
    else expect(await attach(r, w, undefined)).toBe(200)
  }
  toString = () => `watch(${this.listFirst ? 'list+resume' : 'initial-events'})`
}

class Disconnect implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = () => true
  async run(_m: Model, r: Real): Promise<void> {
    const w = r.watchers[this.index % Math.max(1, r.watchers.length)]
    if (w === undefined || !w.connected) return
    await settle(r)
    w.close()
  }
  toString = () => `disconnect(${this.index})`
}

/** Resumes from the last version seen; below the compaction floor that is 410, then list and watch again. */
async function reconnect(r: Real, w: Watcher): Promise<void> {
  const status = await attach(r, w, String(w.lastRv))
  if (status === 410) {
    w.gone += 1
    await relist(r, w)
  } else expect(status).toBe(200)
}

class Reconnect implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = () => true
  async run(_m: Model, r: Real): Promise<void> {
    const w = r.watchers[this.index % Math.max(1, r.watchers.length)]
    if (w === undefined || w.connected) return
    await reconnect(r, w)
  }
  toString = () => `reconnect(${this.index})`
}

class Compact implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(_m: Model, r: Real): Promise<void> {
    r.store.compact()
  }
  toString = () => 'compact'
}

/** Waits until every watcher's view equals the current list (events arrive asynchronously). */
async function settle(r: Real): Promise<void> {
  const list = body(await r.request({ method: 'GET', url: base(r) })).items as Obj[]
  const expected = JSON.stringify(list)
  const deadline = Date.now() + 2000
  for (const w of r.watchers.filter((x) => x.connected)) {
    const view = () => JSON.stringify([...w.view.values()].sort((x, y) => x.metadata.name.localeCompare(y.metadata.name)))
    while (view() !== expected && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
    expect(JSON.parse(view())).toEqual(list)
  }
}

const write = fc.tuple(fc.constantFrom('create', 'create', 'update', 'status', 'delete') as fc.Arbitrary<Write['op']>, fc.constantFrom(...NAMES)).map(([op, name]) => new Write(op, name))
// Writes are listed several times to weigh them: a disconnected watcher must regularly miss enough of them.
const commands = fc.commands(
  [
    write,
    write,
    write,
    write,
    fc.boolean().map((listFirst) => new Watch(listFirst)),
    fc.nat(3).map((i) => new Disconnect(i)),
    fc.nat(3).map((i) => new Reconnect(i)),
    fc.constant(new Compact()),
  ],
  { maxCommands: 30, size: 'medium' },
)

describe('watch model (THREATS T5)', () => {
  it('never lets a watcher miss or reorder an event, with and without resume, across compaction (1,000 sequences)', async () => {
    // A small history, compacted often, so that resumes regularly fall below the floor (410, re-list).
    const store = sqliteStore({ now: testNow, historyLimit: 3, compactEvery: 1 })
    const { app, request } = setup({ store })
    let run = 0
    let gone = 0
    let delivered = 0
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const real: Real = { ns: `r${run++}`, request, app, store, watchers: [] }
        try {
          await fc.asyncModelRun(() => ({ model: { names: new Set<string>() }, real }), cmds)
          for (const w of real.watchers) if (!w.connected) await reconnect(real, w)
          await settle(real)
          delivered += real.watchers.reduce((sum, w) => sum + w.versions.length, 0)
          for (const w of real.watchers) expect(w.versions).toEqual([...w.versions].sort((x, y) => x - y))
          gone += real.watchers.reduce((sum, w) => sum + w.gone, 0)
        } finally {
          for (const w of real.watchers) w.close()
        }
      }),
      { numRuns: 1000 },
    )
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(gone).toBeGreaterThan(0)
    expect(delivered).toBeGreaterThan(1000)
    expect(app.planspec.watches.size).toBe(0)
  }, 120_000)
})
