import { PlanSpecError } from '@planspec/core'
import { formatObjectKey, type ObjectKey } from '@planspec/core'

/**
 * The database does not answer (it is down, restarting, or unreachable): nothing was written, or
 * the outcome of a commit is unknown. Retry later (HTTP 503); the store reconnects with backoff.
 */
export class StoreUnavailableError extends PlanSpecError {
  /** Wraps the driver's failure (`cause`), whose message never carries credentials. */
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(`the database is unavailable: ${message}`, { code: 'PLANSPEC_ERR_STORE_UNAVAILABLE', data: {}, ...options })
  }
}

/**
 * A write guarded by a lease was refused: the lease is no longer the writer's (it expired and
 * another replica took it, or it was released). Nothing was written; the writer must stop acting
 * for what the lease guarded. Retrying cannot help, so the error is terminal.
 */
export class StoreFencedError extends PlanSpecError {
  /** `lease` names what the writer held; `key`, when given, the object it tried to write. */
  constructor(lease: { readonly name: string; readonly holder: string; readonly token: string }, key?: ObjectKey) {
    super(`${key === undefined ? 'a write' : `the write of ${formatObjectKey(key)}`} was refused: lease ${lease.name} (token ${lease.token}) is no longer held by ${lease.holder}`, {
      code: 'PLANSPEC_ERR_STORE_FENCED',
      data: { lease: lease.name, holder: lease.holder, token: lease.token, ...(key === undefined ? {} : { ...key }) },
      terminal: true,
    })
  }
}

/** Tells whether an error is a store failure of the database (retry later), not of the request. */
export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof PlanSpecError && error.code === 'PLANSPEC_ERR_STORE_UNAVAILABLE'
}
