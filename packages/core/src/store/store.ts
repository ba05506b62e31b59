import { PlanSpecError } from '../errors.js'
import type { ObjectMeta } from '../model/generated.js'
import { formatObjectKey, type ObjectKey } from '../object-key.js'

/** A stored resource: any kind, with server-maintained metadata (uid, resourceVersion, ...). */
export interface StoredResource {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: ObjectMeta & { readonly name: string; readonly namespace?: string }
  readonly spec?: unknown
  readonly status?: unknown
  readonly [key: string]: unknown
}

/** One change seen by a watcher, in resourceVersion order. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly object: StoredResource
  /** The global resourceVersion of this change. */
  readonly resourceVersion: string
}

/** What a list returns: the items and the store's resourceVersion at that moment. */
export interface ListResult {
  readonly items: readonly StoredResource[]
  readonly resourceVersion: string
}

/**
 * The persistence port: the controllers and the runner are written once against it
 * and run unchanged over memory, git (status branch) and SQLite (DECISIONS §1 "one engine,
 * several stores"). Writes are compare-and-swap on `metadata.resourceVersion` (409 semantics):
 * an update that carries a different version than the stored one throws `StoreConflictError`.
 */
export interface Store {
  list(kind: string, options?: { readonly namespace?: string }): Promise<ListResult>
  get(key: ObjectKey): Promise<StoredResource | undefined>
  /** Creates an object; sets uid, resourceVersion, generation 1 and creationTimestamp (M1). */
  create(object: StoredResource): Promise<StoredResource>
  /** Replaces spec and metadata; generation grows only when spec changes (M2); status is kept. */
  update(object: StoredResource): Promise<StoredResource>
  /** Replaces status only (the status subresource); spec and generation are kept. */
  updateStatus(object: StoredResource): Promise<StoredResource>
  delete(key: ObjectKey, options?: { readonly resourceVersion?: string }): Promise<void>
  /**
   * Streams changes of a kind after `sinceResourceVersion` (all retained history when absent), in
   * order, then live ones. Throws `StoreGoneError` when the requested version is older than the
   * retained history (410 Gone: re-list, then watch from the list's version).
   */
  watch(kind: string, options: { readonly namespace?: string; readonly sinceResourceVersion?: string }, onEvent: (event: WatchEvent) => void): { stop(): void }
}

/** The stored object changed since the caller read it (HTTP 409). Retry after re-reading. */
export class StoreConflictError extends PlanSpecError {
  constructor(key: ObjectKey, expected: string | undefined, actual: string) {
    super(`${formatObjectKey(key)} was modified: expected resourceVersion ${expected ?? '(none)'}, found ${actual}`, { code: 'PLANSPEC_ERR_STORE_CONFLICT', data: { ...key, expected: expected ?? null, actual } })
  }
}

/** No object has this key (HTTP 404). */
export class StoreNotFoundError extends PlanSpecError {
  constructor(key: ObjectKey) {
    super(`${formatObjectKey(key)} not found`, { code: 'PLANSPEC_ERR_STORE_NOT_FOUND', data: { ...key } })
  }
}

/** An object with this key exists already (HTTP 409 AlreadyExists). */
export class StoreAlreadyExistsError extends PlanSpecError {
  constructor(key: ObjectKey) {
    super(`${formatObjectKey(key)} already exists`, { code: 'PLANSPEC_ERR_STORE_EXISTS', data: { ...key } })
  }
}

/** The requested watch version is older than the retained history (HTTP 410 Gone). */
export class StoreGoneError extends PlanSpecError {
  constructor(requested: string, oldest: string) {
    super(`resourceVersion ${requested} is too old; the oldest retained is ${oldest}: list again and watch from the list's resourceVersion`, { code: 'PLANSPEC_ERR_STORE_GONE', data: { requested, oldest } })
  }
}
