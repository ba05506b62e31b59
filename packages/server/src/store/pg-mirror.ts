import Database from 'better-sqlite3'
import type { Redactor } from '@planspec/core'
import { StoreGoneError, type ObjectKey, type StoredResource, type WatchEvent } from '@planspec/core'
import type { ListPage, ListPageOptions, StoreTransaction } from './api-store.js'
import { CLUSTER_SCOPED_KINDS } from './build-object.js'
import { readPage } from './sqlite-pages.js'
import { prepareTables, type EventRow } from './sqlite-tables.js'
import { transactionApi } from './sqlite-writes.js'
import { LazyEvent, type ApiWatchEvent } from './stored-entries.js'

/** A committed object row of a database snapshot. */
export interface SnapshotObject {
  readonly kind: string
  readonly ns: string
  readonly name: string
  readonly rv: number
  readonly data: string
}

/** The shared database's state at one resourceVersion: what a replica loads on start (or after a gap). */
export interface Snapshot {
  readonly version: number
  readonly floor: number
  readonly objects: readonly SnapshotObject[]
  /** The retained event log, in resourceVersion order. */
  readonly events: readonly EventRow[]
}

/** How one unit of work of a batch ended. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }

/** What running a batch of work produced: one outcome per unit, and the events of those that succeeded. */
export interface Simulation {
  readonly outcomes: readonly Outcome[]
  readonly events: readonly EventRow[]
}

/** Options of {@link createMirror}. */
export interface MirrorOptions {
  readonly now: () => string
  readonly newUid: () => string
  readonly historyLimit: number
  readonly compactEvery: number
  readonly redactor?: Redactor
  readonly onListenerError?: (error: unknown) => void
}

/** A replica's local copy of the shared state (see {@link createMirror}). */
export interface Mirror {
  /** The resourceVersion of the last event applied. */
  version(): number
  /** The compaction floor of the local history. */
  floor(): number
  /**
   * Runs units of work one after the other as one transaction over the local state, each seeing the
   * writes of those before it, numbering their writes from `version() + 1`. A unit that throws
   * leaves no write. Everything is rolled back: nothing changes locally, the events are returned
   * to be committed to the database. `speculative` work gets placeholder uids and times (its
   * writes are never kept; only read-only and failing runs are answered from it).
   */
  simulate(works: readonly ((tx: StoreTransaction) => unknown)[], mode: 'commit' | 'speculative'): Simulation
  /**
   * Applies committed events in order and tells the subscribers; events already applied are
   * skipped. Returns `gap` (applying nothing more) when an event is missing before one of them.
   */
  apply(rows: readonly EventRow[]): 'applied' | 'gap'
  /** Replaces the whole state with a snapshot; subscribers are told to re-list (`onReset`) unless this is the first load. */
  reset(snapshot: Snapshot): void
  getText(key: ObjectKey): string | undefined
  list(kind: string, namespace?: string): StoredResource[]
  get(key: ObjectKey): StoredResource | undefined
  listPage(kind: string, options: ListPageOptions): ListPage
  readEvents(after: string, limit: number): ApiWatchEvent[]
  subscribe(listener: (event: ApiWatchEvent) => void, onReset?: () => void): () => void
  compact(): void
  close(): void
}

class Rollback {}

/**
 * Creates the local copy a PostgreSQL replica serves reads and watches from, like the watch cache
 * of a Kubernetes API server: an in-memory SQLite database with the schema, statements, write
 * primitives and page reader of `sqliteStore`, fed only with events committed to the shared
 * database, in resourceVersion order. Writes are worked out here first (`simulate`) and become
 * local state only once committed (`apply`), so a reader never sees a write that may not commit.
 */
export function createMirror(options: MirrorOptions): Mirror {
  const db = new Database(':memory:')
  const st = prepareTables(db, 'NORMAL')
  const upsertObject = db.prepare<[string, string, string, number, string]>('INSERT INTO objects (kind, ns, name, rv, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, ns, name) DO UPDATE SET rv = excluded.rv, data = excluded.data')
  const clear = db.prepare('DELETE FROM objects')
  const clearEvents = db.prepare('DELETE FROM events')
  const listeners = new Map<(event: ApiWatchEvent) => void, (() => void) | undefined>()
  const { redactor } = options
  let version = 0
  let storedFloor = 0
  let loaded = false
  let writesSinceCompaction = 0
  // While a batch is simulated: the next version and the events recorded so far.
  let next = 0
  let recorded: EventRow[] = []

  const floor = (): number => Math.max(storedFloor, version - options.historyLimit)
  const record = (type: WatchEvent['type'], key: ObjectKey, rv: number, written: StoredResource): void => {
    const text = JSON.stringify(redactor === undefined ? written : redactor.redactValue(written))
    if (type === 'ADDED') st.insertObject.run(key.kind, key.namespace, key.name, rv, text)
    else if (type === 'MODIFIED') st.replaceObject.run(rv, text, key.kind, key.namespace, key.name)
    else st.deleteObject.run(key.kind, key.namespace, key.name)
    st.insertEvent.run(rv, type, key.kind, key.namespace, key.name, text)
    recorded.push({ rv, type, kind: key.kind, ns: key.namespace, name: key.name, data: text })
  }
  const base = { statements: st, clusterScoped: CLUSTER_SCOPED_KINDS, nextVersion: () => ++next, record }
  const committing = transactionApi({ ...base, now: options.now, newUid: options.newUid })
  const speculating = transactionApi({ ...base, now: () => new Date(0).toISOString(), newUid: () => 'speculative' })
  const unit = db.transaction((work: (tx: StoreTransaction) => unknown, tx: StoreTransaction) => work(tx))

  const emit = (events: readonly ApiWatchEvent[]): void => {
    for (const event of events) {
      for (const listener of listeners.keys()) {
        try {
          listener(event)
        } catch (error) {
          ;(options.onListenerError ?? ((e: unknown) => process.emitWarning(`planspec store watcher failed: ${String(e)}`)))(error)
        }
      }
    }
  }
  const writeRows = db.transaction((rows: readonly EventRow[]) => {
    const applied: EventRow[] = []
    for (const row of rows) {
      if (row.rv <= version) continue
      if (row.rv !== version + 1) break
      if (row.type === 'DELETED') st.deleteObject.run(row.kind, row.ns, row.name)
      else upsertObject.run(row.kind, row.ns, row.name, row.rv, row.data)
      st.insertEvent.run(row.rv, row.type, row.kind, row.ns, row.name, row.data)
      version = row.rv
      applied.push(row)
    }
    return applied
  })
  const compact = (): void => {
    writesSinceCompaction = 0
    const target = floor()
    if (target <= storedFloor) return
    st.compactEvents.run({ prev: storedFloor, floor: target })
    storedFloor = target
  }
  const toEvent = (row: EventRow): ApiWatchEvent => new LazyEvent(row.type, String(row.rv), row.data, { kind: row.kind, namespace: row.ns, name: row.name })

  return {
    version: () => version,
    floor,
    simulate(works, mode) {
      const tx = mode === 'commit' ? committing : speculating
      const outcomes: Outcome[] = []
      next = version
      recorded = []
      const batch = db.transaction(() => {
        for (const work of works) {
          const mark = { next, recorded: recorded.length }
          try {
            outcomes.push({ ok: true, value: unit(work, tx) })
          } catch (error) {
            next = mark.next
            recorded.length = mark.recorded
            outcomes.push({ ok: false, error })
          }
        }
        throw new Rollback()
      })
      try {
        batch()
      } catch (error) {
        if (!(error instanceof Rollback)) throw error
      }
      const events = recorded
      recorded = []
      return { outcomes, events }
    },
    apply(rows) {
      const applied = writeRows(rows)
      if (applied.length > 0) {
        writesSinceCompaction += applied.length
        if (writesSinceCompaction >= options.compactEvery) compact()
        emit(applied.map(toEvent))
      }
      // Rows are in order: one left above the version means an event before it is missing.
      return rows.some((row) => row.rv > version) ? 'gap' : 'applied'
    },
    reset(snapshot) {
      db.transaction(() => {
        clear.run()
        clearEvents.run()
        for (const o of snapshot.objects) st.insertObject.run(o.kind, o.ns, o.name, o.rv, o.data)
        for (const e of snapshot.events) st.insertEvent.run(e.rv, e.type, e.kind, e.ns, e.name, e.data)
      })()
      version = snapshot.version
      storedFloor = snapshot.floor
      writesSinceCompaction = 0
      if (loaded) for (const onReset of [...listeners.values()]) onReset?.()
      loaded = true
    },
    getText: (key) => st.getObject.get(key.kind, key.namespace, key.name)?.data,
    list: (kind, namespace) => committing.list(kind, namespace),
    get: (key) => committing.get(key),
    listPage: (kind, pageOptions) => readPage(st, { kind, version, floor: floor() }, pageOptions),
    readEvents(after, limit) {
      const value = Number(after)
      if (!Number.isSafeInteger(value) || value < 0 || value < floor()) throw new StoreGoneError(after, String(floor() + 1))
      return st.eventsAfter.all(value, limit).map(toEvent)
    },
    subscribe(listener, onReset) {
      listeners.set(listener, onReset)
      return () => void listeners.delete(listener)
    },
    compact,
    close() {
      listeners.clear()
      db.close()
    },
  }
}
