import type { ObjectKey, Store, StoredResource } from '@planspec/core'
import type { LogStore } from './attempt-logs.js'
import type { LeaseStore, TransactOptions } from './leases.js'
import type { ApiWatchEvent } from './stored-entries.js'

/**
 * Synchronous write access inside one store transaction. Every method behaves like its `Store`
 * twin (compare-and-swap on `metadata.resourceVersion`, the same errors), but nothing is visible
 * to readers or watchers until the whole transaction commits, and a throw rolls every write back.
 */
export interface StoreTransaction {
  get(key: ObjectKey): StoredResource | undefined
  /** Every object of `kind` (in `namespace` when given), ordered by namespace then name. */
  list(kind: string, namespace?: string): StoredResource[]
  create(object: StoredResource): StoredResource
  update(object: StoredResource): StoredResource
  updateStatus(object: StoredResource): StoredResource
  /** Deletes the object and returns it as the DELETED event carries it (with the new resourceVersion). */
  delete(key: ObjectKey, options?: { readonly resourceVersion?: string }): StoredResource
  /**
   * Marks the object as being deleted: sets `deletionTimestamp` (and `deletionGracePeriodSeconds: 0`)
   * instead of removing it, for objects that still carry finalizers (RESOURCES 9.2). Returns the
   * object unchanged when it is already marked.
   */
  markDeleting(key: ObjectKey, options?: { readonly resourceVersion?: string }): StoredResource
}

/** One stored object as a list returns it: its JSON text (served as is) and, on demand, the parsed object. */
export interface StoredRow {
  readonly namespace: string
  readonly name: string
  /** The object's JSON, exactly as stored. */
  readonly text: string
  /** The parsed object; parsed once, on first access. */
  readonly object: StoredResource
}

/** Where a paginated list resumes: the snapshot version and the last key already returned. */
export interface ListCursor {
  readonly resourceVersion: string
  readonly namespace: string
  readonly name: string
}

/** Options of {@link ApiStore.listPage}. */
export interface ListPageOptions {
  readonly namespace?: string
  /** Most items returned; absent means all. */
  readonly limit?: number
  /** Continue a previous page: read the same snapshot, after this key. */
  readonly after?: ListCursor
  /** Keeps only the rows it accepts (selectors); applied before `limit`. */
  readonly filter?: (row: StoredRow) => boolean
}

/** One page of a list: consistent with the store at `resourceVersion`. */
export interface ListPage {
  readonly rows: readonly StoredRow[]
  readonly resourceVersion: string
  /** Present when more rows may follow: pass it back as `after`. */
  readonly next?: ListCursor
}

/**
 * The Store port plus what an API server needs on top of it: atomic multi-object transactions
 * (with a dry-run mode that rolls back, and lease fencing), consistent paginated snapshots, the
 * retained event log, a global change feed and leases. `sqliteStore` (one process) and
 * `postgresStore` (any number of replicas sharing a database) implement it.
 *
 * Reads (`getText`, `listPage`, `readEvents`, `currentResourceVersion`) are synchronous: they serve
 * what this store has seen. A replica of a shared database may lag behind writes other replicas
 * committed by the time a notification takes; `catchUp()` first makes a read see every write
 * committed before the call (read-your-writes across replicas).
 */
export interface ApiStore extends Store {
  /**
   * Runs `work` in one transaction: all of its writes commit together, or none does (a throw rolls
   * back and is rethrown). `work` is synchronous and sees the latest committed state of every
   * replica; it may run more than once (only the last run's writes are kept), so it must have no
   * effect besides its writes through `tx`. Resolves once the writes are durable; watchers see the
   * events only after commit, in resourceVersion order. With `dryRun`, the work runs to the end and
   * is then rolled back: the result is returned, nothing is stored and no event is emitted. With
   * `fence`, nothing commits unless that lease is still held (`StoreFencedError`).
   */
  transact<T>(work: (tx: StoreTransaction) => T, options?: TransactOptions): Promise<T>
  /** Resolves once every write committed before the call, by any replica, is visible to this store's reads and watchers. */
  catchUp(): Promise<void>
  /**
   * The synchronous `catchUp`, for a store that can look without a round trip (SQLite: one
   * `PRAGMA data_version`); absent where catching up waits for the database (PostgreSQL).
   */
  catchUpNow?(): void
  /** Resolves once the store can serve: the database answers, its schema is migrated and its state is loaded. */
  ready(): Promise<void>
  /** The stored JSON of one object, without parsing it (the fast read path). */
  getText(key: ObjectKey): string | undefined
  /**
   * Lists objects of `kind` ordered by namespace then name, one page at a time. A page resumed with
   * `after` reads the snapshot of the first page; throws `StoreGoneError` once that snapshot is older
   * than the retained history.
   */
  listPage(kind: string, options?: ListPageOptions): ListPage
  /**
   * Reads retained events after `afterResourceVersion`, in order, at most `limit`. Throws
   * `StoreGoneError` when events after that version were compacted away.
   */
  readEvents(afterResourceVersion: string, limit: number): ApiWatchEvent[]
  /**
   * Calls `listener` with every committed event of every kind, in order; returns the unsubscribe
   * function. `onReset` is called instead when this store had to reload its state and cannot tell
   * what changed in between (a replica cut off from the database for longer than the retained
   * history): listeners must list again (a watch ends with 410 Expired).
   */
  subscribe(listener: (event: ApiWatchEvent) => void, onReset?: () => void): () => void
  /**
   * The resourceVersion of the last committed write ("0" for an empty store), writes by other
   * processes included: any write moves it, so an answer computed at one version is still exact
   * while it has not moved (the API's list cache relies on it).
   */
  currentResourceVersion(): string
  /** The compaction floor: watches and snapshots must start at or after it. */
  oldestResourceVersion(): string
  /** Drops history older than the retention window now (it also happens every few hundred writes). */
  compact(): void
  /** Tells whether the database answers (readiness). */
  ping(): boolean
  /** The leases the Execution controller runs under (see {@link LeaseStore}). */
  readonly leases: LeaseStore
  /** The kept output of Executions' attempts (see {@link LogStore}). */
  readonly logs: LogStore
  /** Closes the database; the store is unusable afterwards. Idempotent; resolves once connections are closed. */
  close(): void | Promise<void>
}
