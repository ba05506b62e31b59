import { randomUUID } from 'node:crypto'
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs'
import Database from 'better-sqlite3'
import { type Redactor, StoreGoneError, type ListResult, type ObjectKey, type StoredResource, type WatchEvent } from '@planspec/core'
import type { ApiStore, StoreTransaction } from './api-store.js'
import { CLUSTER_SCOPED_KINDS } from './build-object.js'
import type { TransactOptions } from './leases.js'
import { readPage } from './sqlite-pages.js'
import { sqliteLeases } from './sqlite-leases.js'
import { sqliteLogs } from './sqlite-logs.js'
import { prepareTables } from './sqlite-tables.js'
import { transactionApi } from './sqlite-writes.js'
import { walChangeHint } from './wal-change-hint.js'
import { deepFreeze, LazyEvent, type ApiWatchEvent } from './stored-entries.js'

/** Options of {@link sqliteStore}. Give `file` (a path, or `:memory:`) or an open `db`. */
export interface SqliteStoreOptions {
  /** Database file; created when missing. Default `:memory:`. */
  readonly file?: string
  /** An open better-sqlite3 database; the caller keeps ownership (the store does not close it). */
  readonly db?: Database.Database
  /** The clock for creationTimestamp and initial conditions (RFC 3339). */
  readonly now?: () => string
  /** The uid source for new objects. */
  readonly newUid?: () => string
  /** How many recent events the log keeps for watch resume and paginated snapshots (default 10,000). */
  readonly historyLimit?: number
  /** Compaction runs after this many writes (default 500). */
  readonly compactEvery?: number
  /** SQLite `synchronous`: `NORMAL` (default; survives a process crash) or `FULL` (also a power cut). */
  readonly synchronous?: 'NORMAL' | 'FULL'
  /**
   * Checks this often (ms) whether another process wrote to the file and, if so, delivers its events
   * to watchers. 0 (default) checks only before each local transaction.
   */
  readonly pollMs?: number
  /** Told when a watcher's listener throws; the event still reaches every other watcher. */
  readonly onListenerError?: (error: unknown) => void
  /**
   * Masks known secrets in every row and event written (the database is a sink, DECISIONS §9):
   * what is stored, listed, watched and served back carries `[REDACTED]` instead.
   */
  readonly redactor?: Redactor
}

/**
 * Makes the database file readable by its owner only before SQLite opens it (it holds every
 * spec and status): created 0600 when missing, tightened to 0600 when it exists, and so are its
 * `-wal` and `-shm` files, which SQLite otherwise creates with the database file's mode.
 */
function privateFile(file: string): string {
  if (file === ':memory:' || file === '' || file.startsWith('file:')) return file
  closeSync(openSync(file, 'a', 0o600))
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600)
  return file
}

/** The SQLite store: the engine's Store port plus the API server's needs. */
export type SqliteStore = ApiStore

class DryRunRollback {
  constructor(readonly result: unknown) {}
}

/**
 * Opens the Store port over better-sqlite3 in WAL mode. One global, monotonic resourceVersion is
 * written in the same transaction as the object row and its event row (THREATS T5), and survives
 * restarts. Writes are compare-and-swap on `metadata.resourceVersion` (`StoreConflictError`);
 * `generation` grows only when `spec` changes (canonical JSON, key order ignored); status is kept
 * apart from spec: `update` keeps the stored status and `create` ignores a status sent by the
 * caller, writing core's initial status instead (RESOURCES 0.7). Watches replay the retained log in
 * order and then stream live events; a version older than the retained history throws
 * `StoreGoneError`. `transact` makes batches atomic.
 *
 * One process should write a database file at a time; writes by another process are detected
 * (SQLite `data_version`) and their events delivered before the next local write, or every `pollMs`.
 *
 * @example
 * const store = sqliteStore({ file: 'planspec.db' })
 * const goal = await store.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name: 'g', namespace: 'default' }, spec: { description: 'd' } })
 * store.close()
 */
export function sqliteStore(options: SqliteStoreOptions = {}): SqliteStore {
  const db = options.db ?? new Database(privateFile(options.file ?? ':memory:'))
  const st = prepareTables(db, options.synchronous ?? 'NORMAL')
  const historyLimit = options.historyLimit ?? 10_000
  const compactEvery = options.compactEvery ?? 500
  const readMeta = (key: string): number => st.readMeta.get(key)?.value ?? 0
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
  const ping = db.prepare<[], number>('SELECT 1').pluck()
  const listeners = new Set<(event: ApiWatchEvent) => void>()
  const resets = new Set<() => void>()
  const inTransaction = db.transaction((work: () => unknown) => work())
  let version = readMeta('rv')
  let storedFloor = readMeta('floor')
  let seenDataVersion = dataVersion.get()
  let pending: ApiWatchEvent[] | undefined
  let writesSinceCompaction = 0
  let closed = false

  const floor = (): number => Math.max(storedFloor, version - historyLimit)
  const nextVersion = (): number => {
    version += 1
    st.writeMeta.run(version, 'rv')
    return version
  }
  const redactor = options.redactor
  const record = (type: WatchEvent['type'], key: ObjectKey, rv: number, written: StoredResource): void => {
    const object = redactor === undefined ? written : redactor.redactValue(written)
    const text = JSON.stringify(object)
    if (type === 'ADDED') st.insertObject.run(key.kind, key.namespace, key.name, rv, text)
    else if (type === 'MODIFIED') st.replaceObject.run(rv, text, key.kind, key.namespace, key.name)
    else st.deleteObject.run(key.kind, key.namespace, key.name)
    st.insertEvent.run(rv, type, key.kind, key.namespace, key.name, text)
    pending?.push({ type, object: deepFreeze(object), resourceVersion: String(rv), objectText: text, key })
  }
  const tx = transactionApi({ statements: st, now: options.now ?? (() => new Date().toISOString()), newUid: options.newUid ?? randomUUID, clusterScoped: CLUSTER_SCOPED_KINDS, nextVersion, record })

  const emit = (events: readonly ApiWatchEvent[]): void => {
    for (const event of events) {
      for (const listener of listeners) {
        try {
          listener(event)
        } catch (error) {
          ;(options.onListenerError ?? ((e: unknown) => process.emitWarning(`planspec store watcher failed: ${String(e)}`)))(error)
        }
      }
    }
  }
  // Another connection committed: pick up its version counter and deliver its events in order.
  // Nothing committed since the last look (the WAL-index header did not move): no PRAGMA needed.
  const hint = walChangeHint(db.name)
  const syncForeignWrites = (): void => {
    if (hint?.unchanged() === true) return
    const current = dataVersion.get()
    hint?.confirm()
    if (current === seenDataVersion) return
    seenDataVersion = current
    const from = version
    version = readMeta('rv')
    storedFloor = readMeta('floor')
    if (version <= from) return
    // More changes than the retained history: what changed in between cannot be told, listeners start over.
    if (from < floor()) {
      for (const reset of [...resets]) reset()
      return
    }
    emit(st.eventsAfter.all(from, Number.MAX_SAFE_INTEGER).map((row) => new LazyEvent(row.type, String(row.rv), row.data, { kind: row.kind, namespace: row.ns, name: row.name })))
  }
  const compact = (): void => {
    writesSinceCompaction = 0
    const target = floor()
    if (target <= storedFloor) return
    const prev = storedFloor
    inTransaction.immediate(() => {
      st.compactEvents.run({ prev, floor: target })
      st.writeMeta.run(target, 'floor')
    })
    storedFloor = target
  }
  const leases = sqliteLeases(db)
  const transact = <T>(work: (api: StoreTransaction) => T, runOptions: TransactOptions = {}): T => {
    if (closed) throw new Error('the store is closed')
    if (pending !== undefined) return work(tx) // joins the open transaction
    syncForeignWrites()
    const before = version
    pending = []
    let result: T
    try {
      result = inTransaction.immediate(() => {
        if (runOptions.fence !== undefined) leases.checkFence(runOptions.fence)
        const value = work(tx)
        if (runOptions.dryRun === true) throw new DryRunRollback(value)
        return value
      }) as T
    } catch (error) {
      version = before
      pending = undefined
      if (error instanceof DryRunRollback) return error.result as T
      throw error
    }
    const events = pending
    pending = undefined
    writesSinceCompaction += events.length
    if (writesSinceCompaction >= compactEvery) compact()
    emit(events)
    return result
  }
  const checkSince = (since: string): number => {
    const value = Number(since)
    if (!Number.isSafeInteger(value) || value < 0 || value < floor()) throw new StoreGoneError(since, String(floor() + 1))
    return value
  }
  const readEvents = (after: string, limit: number): ApiWatchEvent[] =>
    st.eventsAfter.all(checkSince(after), limit).map((row) => new LazyEvent(row.type, String(row.rv), row.data, { kind: row.kind, namespace: row.ns, name: row.name }))
  const subscribe = (listener: (event: ApiWatchEvent) => void, onReset?: () => void): (() => void) => {
    listeners.add(listener)
    if (onReset !== undefined) resets.add(onReset)
    return () => {
      listeners.delete(listener)
      if (onReset !== undefined) resets.delete(onReset)
    }
  }
  const timer = options.pollMs ? setInterval(() => closed || syncForeignWrites(), options.pollMs) : undefined
  timer?.unref()

  return {
    transact: async (work, runOptions) => transact(work, runOptions),
    catchUp: async () => syncForeignWrites(),
    catchUpNow: () => {
      if (!closed) syncForeignWrites()
    },
    ready: async () => undefined,
    leases,
    logs: sqliteLogs(db),
    async list(kind, listOptions = {}): Promise<ListResult> {
      syncForeignWrites()
      return { items: tx.list(kind, listOptions.namespace).map((o) => deepFreeze(o)), resourceVersion: String(version) }
    },
    async get(key) {
      const found = tx.get(key)
      return found === undefined ? undefined : deepFreeze(found)
    },
    getText: (key) => st.getData.get(key.kind, key.namespace, key.name),
    create: async (object) => transact((t) => t.create(object)),
    update: async (object) => transact((t) => t.update(object)),
    updateStatus: async (object) => transact((t) => t.updateStatus(object)),
    async delete(key, deleteOptions) {
      transact((t) => t.delete(key, deleteOptions))
    },
    watch(kind, watchOptions, onEvent) {
      const matches = (event: WatchEvent): boolean => event.object.kind === kind && (!watchOptions.namespace || event.object.metadata.namespace === watchOptions.namespace)
      syncForeignWrites()
      // Replay and subscribe in the same synchronous turn: no write can fall between them.
      if (watchOptions.sinceResourceVersion !== undefined) {
        for (const event of readEvents(watchOptions.sinceResourceVersion, Number.MAX_SAFE_INTEGER)) if (matches(event)) onEvent(event)
      }
      const stop = subscribe((event) => matches(event) && onEvent(event))
      return { stop }
    },
    listPage: (kind, pageOptions = {}) => {
      syncForeignWrites()
      return readPage(st, { kind, version, floor: floor() }, pageOptions)
    },
    readEvents,
    subscribe: (listener, onReset) => subscribe(listener, onReset),
    currentResourceVersion: () => {
      // Another process's commit counts too (one cheap PRAGMA when nothing changed).
      if (!closed) syncForeignWrites()
      return String(version)
    },
    oldestResourceVersion: () => String(floor()),
    compact,
    ping: () => {
      try {
        return !closed && ping.get() === 1
      } catch {
        return false
      }
    },
    close() {
      if (closed) return
      closed = true
      if (timer) clearInterval(timer)
      listeners.clear()
      resets.clear()
      hint?.close()
      if (options.db === undefined) db.close()
    },
  }
}
