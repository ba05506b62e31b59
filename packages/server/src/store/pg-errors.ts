import { StoreUnavailableError } from './store-errors.js'

// SQLSTATE classes and codes that say "the database cannot serve now", not "the request is wrong":
// connection exceptions (08), insufficient resources (53), operator intervention (57: shutdown,
// crash, cannot connect now, statement timeout), lock not available (55P03), and serialization
// failures or deadlocks (40001, 40P01).
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57'])
const UNAVAILABLE_CODES = new Set(['55P03', '40001', '40P01'])
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
// node-postgres reports a dropped socket or a pool wait timeout by message only.
const DRIVER_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection timeout/i, /client has encountered a connection error/i, /not queryable/i, /cannot use a pool after calling end/i]

/** Tells whether a driver error means the database is unreachable or unable to serve now (retry later). */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (NODE_CODES.has(code) || UNAVAILABLE_CODES.has(code)) return true
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.has(code.slice(0, 2))) return true
  }
  const message = (error as { message?: unknown }).message
  return typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))
}

/**
 * Turns a driver error into what the store throws: `StoreUnavailableError` (HTTP 503, retried by
 * callers) when the database cannot serve now, the error itself otherwise.
 */
export function storeError(error: unknown, doing: string): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error
  const message = (error as { message?: unknown }).message
  return new StoreUnavailableError(`${doing}: ${typeof message === 'string' ? message : String(error)}`, { cause: error })
}
