import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { parseIntoClientConfig } from 'pg-connection-string'
import type { Redactor } from '@planspec/core'
import type { ListResult, WatchEvent } from '@planspec/core'
import type { ApiStore, StoreTransaction } from './api-store.js'
import type { TransactOptions } from './leases.js'
import { createFollower, type StoreLog } from './pg-follow.js'
import { pgLeases } from './pg-leases.js'
import { pgLogs } from './pg-logs.js'
import { migrate } from './pg-migrations.js'
import { createMirror, type Outcome } from './pg-mirror.js'
import { pgNames } from './pg-names.js'
import { isUnavailable } from './pg-errors.js'
import { loadSnapshot } from './pg-snapshot.js'
import { createWriter } from './pg-writer.js'
import { deepFreeze } from './stored-entries.js'

export type { StoreLog } from './pg-follow.js'

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * `postgres://USER@HOST:PORT/DATABASE` (libpq parameters such as `sslmode` in the query). The
   * password belongs in `password` (or `PGPASSWORD`, or `~/.pgpass`), not here, so that the URL
   * can be logged and shown.
   */
  readonly connectionString: string
  /** The password; when absent, node-postgres reads `PGPASSWORD` or the pgpass file. */
  readonly password?: string
  /** The schema holding the tables (default `planspec`): several stores may share a database. */
  readonly schema?: string
  /** Most connections this replica opens for queries (default 10), plus one that listens. */
  readonly poolSize?: number
  /** A statement running longer is cancelled (default 30 s); its request fails with 503. */
  readonly statementTimeoutMs?: number
  /** Waiting longer for a lock (the global write turn) fails the write with 503 (default 10 s). */
  readonly lockTimeoutMs?: number
  /**
   * A session idle inside a transaction longer than this is ended by the database (default 10 s):
   * a replica frozen while it holds the write turn cannot hold every other replica's writes.
   */
  readonly idleInTransactionTimeoutMs?: number
  /** Giving up on opening a connection (default 5 s). */
  readonly connectTimeoutMs?: number
  /** How often the state is read again even without a notification (default 1 s). */
  readonly pollMs?: number
  /** The clock for creationTimestamp and initial conditions (RFC 3339). */
  readonly now?: () => string
  /** The uid source for new objects. */
  readonly newUid?: () => string
  /** How many recent events are kept for watch resume and paginated snapshots (default 10,000). */
  readonly historyLimit?: number
  /** The log is compacted every this many writes (default 500). */
  readonly compactEvery?: number
  /** Masks known secrets in every row and event written (the database is a sink, DECISIONS §9). */
  readonly redactor?: Redactor
  /** Told when a watcher's listener throws; the event still reaches every other watcher. */
  readonly onListenerError?: (error: unknown) => void
  /** Told about migrations and about the database becoming unreachable and reachable again. */
  readonly log?: StoreLog
  /** Shown in `pg_stat_activity` (default `planspec`). */
  readonly applicationName?: string
}

/** The PostgreSQL store: the Store port plus the API server's needs, for any number of replicas. */
export type PostgresStore = ApiStore

const unwrap = <T>(outcome: Outcome | undefined): T => {
  if (outcome === undefined) throw new Error('no outcome')
  if (!outcome.ok) throw outcome.error
  return outcome.value as T
}

/**
 * Opens the Store port over PostgreSQL with node-postgres' Pool, for several `planspec serve`
 * replicas sharing one database (DECISIONS §1 "one engine, several stores"). It behaves like
 * `sqliteStore` (the same contract suite runs over both): one global, monotonic resourceVersion
 * shared by every replica, compare-and-swap writes, atomic batches, the event log watches resume
 * from, compaction with 410 Gone, leases with fencing tokens. How:
 * - every replica keeps a local copy (`createMirror`) that reads and watches are served from;
 * - writes take a global turn in the database and are worked out on the up-to-date local copy
 *   (`createWriter`); a transaction that writes nothing is answered locally after `catchUp()`;
 * - `LISTEN/NOTIFY` wakes replicas up, the event table is the truth (`createFollower`);
 * - versioned migrations run at start under an advisory lock (`migrate`), logged.
 * The store returns at once; `ready()` resolves once the schema is migrated and the state loaded
 * (while the database does not answer it keeps trying, with backoff). A database that does not
 * answer makes calls fail with `StoreUnavailableError` (HTTP 503) and `ping()` false.
 *
 * @example
 * const store = postgresStore({ connectionString: 'postgres://planspec@db.internal:5432/planspec', password: process.env.PGPASSWORD })
 * await store.ready()
 * const goal = await store.create({ apiVersion: 'planspec.io/v1alpha1', kind: 'Goal', metadata: { name: 'g', namespace: 'default' }, spec: { description: 'd' } })
 * await store.close()
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const names = pgNames(options.schema ?? 'planspec')
  const historyLimit = options.historyLimit ?? 10_000
  const compactEvery = options.compactEvery ?? 500
  // The URL's fields, then the password given apart (node-postgres would let the URL's absent
  // password override it); without one, node-postgres reads PGPASSWORD or the pgpass file.
  const fromUrl = Object.fromEntries(Object.entries(parseIntoClientConfig(options.connectionString)).filter(([, value]) => value !== undefined && value !== null))
  const config: pg.ClientConfig = {
    ...fromUrl,
    ...(options.password === undefined ? {} : { password: options.password }),
    application_name: options.applicationName ?? 'planspec',
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    lock_timeout: options.lockTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    keepAlive: true,
  }
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 })
  const mirror = createMirror({
    now: options.now ?? (() => new Date().toISOString()),
    newUid: options.newUid ?? randomUUID,
    historyLimit,
    compactEvery,
    ...(options.redactor === undefined ? {} : { redactor: options.redactor }),
    ...(options.onListenerError === undefined ? {} : { onListenerError: options.onListenerError }),
  })
  const load = async (): Promise<void> => mirror.reset(await loadSnapshot(pool, names))
  const reload = async (why: string): Promise<void> => {
    const from = mirror.version()
    const snapshot = await loadSnapshot(pool, names)
    // Events applied while the snapshot was read are newer than it, and contiguous: keep them.
    if (snapshot.version <= mirror.version() && mirror.version() > from) return
    mirror.reset(snapshot)
    options.log?.warn({ reload: why, from, to: snapshot.version }, `reloaded the whole state (${why}): open watches end with 410 Expired and their clients list again`)
  }
  const follower = createFollower({ config, pool, names, mirror, reload, pollMs: options.pollMs ?? 1000, ...(options.log === undefined ? {} : { log: options.log }) })
  const writer = createWriter({ pool, names, mirror, historyLimit, compactEvery, reload, onHealth: follower.report })
  // An idle pooled connection the database dropped (a restart): the next query opens a new one.
  pool.on('error', (error) => follower.report(false, error))
  let closed = false
  let loaded = false

  const start = async (): Promise<void> => {
    for (let backoff = 250; ; backoff = Math.min(backoff * 2, 5_000)) {
      try {
        await migrate(pool, names, {
          applied: (step) => options.log?.info({ migration: step.version, schema: names.schema }, `database migration ${step.version} applied: ${step.name}`),
          current: (version, applied) => options.log?.info({ schemaVersion: version, schema: names.schema, applied }, `database schema ${names.schema} at version ${version}`),
        })
        await load()
        loaded = true
        follower.report(true)
        follower.start()
        return
      } catch (error) {
        if (closed || !isUnavailable(error)) throw error
        follower.report(false, error)
        await new Promise((resolve) => setTimeout(resolve, backoff))
      }
    }
  }
  const loading = start()
  loading.catch(() => undefined) // reported by ready() and every call
  const usable = async (): Promise<void> => {
    await loading
    if (closed) throw new Error('the store is closed')
  }
  const fresh = async (): Promise<void> => {
    await usable()
    await follower.catchUp()
  }

  const transact = async <T>(work: (tx: StoreTransaction) => T, run: TransactOptions = {}): Promise<T> => {
    await usable()
    if (run.dryRun === true) {
      await follower.catchUp()
      return unwrap<T>(mirror.simulate([work], 'commit').outcomes[0])
    }
    // Work that writes nothing (a read, a no-op reconcile, a refused write) needs no write turn:
    // answered from a local state at least as new as the call (linearizable), or else committed.
    if (run.fence === undefined && mirror.simulate([work], 'speculative').events.length === 0) {
      await follower.catchUp()
      const again = mirror.simulate([work], 'speculative')
      if (again.events.length === 0) return unwrap<T>(again.outcomes[0])
    }
    return writer.submit(work, run.fence)
  }

  return {
    transact,
    catchUp: fresh,
    ready: () => loading,
    leases: pgLeases(pool, names),
    logs: pgLogs(pool, names),
    async list(kind, listOptions = {}): Promise<ListResult> {
      await fresh()
      return { items: mirror.list(kind, listOptions.namespace).map((o) => deepFreeze(o)), resourceVersion: String(mirror.version()) }
    },
    async get(key) {
      await fresh()
      const found = mirror.get(key)
      return found === undefined ? undefined : deepFreeze(found)
    },
    getText: (key) => mirror.getText(key),
    create: (object) => transact((t) => t.create(object)),
    update: (object) => transact((t) => t.update(object)),
    updateStatus: (object) => transact((t) => t.updateStatus(object)),
    async delete(key, deleteOptions) {
      await transact((t) => t.delete(key, deleteOptions))
    },
    watch(kind, watchOptions, onEvent) {
      const matches = (event: WatchEvent): boolean => event.object.kind === kind && (!watchOptions.namespace || event.object.metadata.namespace === watchOptions.namespace)
      if (watchOptions.sinceResourceVersion !== undefined) {
        if (!loaded) throw new Error('the store is not ready: await ready() before resuming a watch')
        for (const event of mirror.readEvents(watchOptions.sinceResourceVersion, Number.MAX_SAFE_INTEGER)) if (matches(event)) onEvent(event)
      }
      // Replay and subscribe in the same synchronous turn: no event can fall between them.
      return { stop: mirror.subscribe((event) => void (matches(event) && onEvent(event))) }
    },
    listPage: (kind, pageOptions = {}) => mirror.listPage(kind, pageOptions),
    readEvents: (after, limit) => mirror.readEvents(after, limit),
    subscribe: (listener, onReset) => mirror.subscribe(listener, onReset),
    currentResourceVersion: () => String(mirror.version()),
    oldestResourceVersion: () => String(mirror.floor()),
    compact: () => mirror.compact(),
    ping: () => !closed && loaded && follower.healthy(),
    async close() {
      if (closed) return
      closed = true
      writer.close()
      await follower.close()
      await pool.end().catch(() => undefined)
      mirror.close()
    },
  }
}
