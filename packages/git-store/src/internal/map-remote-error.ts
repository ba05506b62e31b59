import { PlanSpecError, redactSecrets } from '@planspec/core'
import { GitAuthError, GitBranchNotFoundError, GitRepositoryNotFoundError, GitTransportError, GitUnreachableError, GitUrlError } from '../errors.js'
import type { RemoteContext } from './open-repository.js'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EPROTO',
])

/** Reads the `code`, `message` and isomorphic-git `data` of any thrown value, defensively. */
function facts(error: unknown): { code: string; message: string; name: string; statusCode: number | undefined } {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {}
  const data = typeof record.data === 'object' && record.data !== null ? (record.data as Record<string, unknown>) : {}
  return {
    code: typeof record.code === 'string' ? record.code : '',
    message: error instanceof Error ? error.message : String(error),
    name: error instanceof Error ? error.name : 'Error',
    statusCode: typeof data.statusCode === 'number' ? data.statusCode : undefined,
  }
}

/**
 * Returns a copy of a thrown value that is safe to keep as a `cause`: name, code and a message with
 * every known secret and URL userinfo redacted. isomorphic-git errors carry response bodies and
 * URLs in `data`; those are dropped (THREATS T13).
 */
export function sanitizedCause(error: unknown, secrets: Iterable<string>): Error {
  const { code, message, name } = facts(error)
  const copy = new Error(redactSecrets(message, secrets))
  copy.name = name
  return code ? Object.assign(copy, { code }) : copy
}

/**
 * Translates a failure of a remote operation into a coded PlanSpecError with a redacted message:
 * unreachable (network errors, timeouts, 5xx, 408, 429), auth (401, 403), repository not found
 * (404), branch not found, bad URL, or a generic transport error. PlanSpecErrors pass through.
 */
export function mapRemoteError(error: unknown, remote: RemoteContext, context: { readonly action: string; readonly branch?: string }): PlanSpecError {
  if (error instanceof PlanSpecError) return error
  const { code, message, statusCode } = facts(error)
  const cause = sanitizedCause(error, remote.secrets)
  const where = `${context.action} ${remote.displayUrl}`
  const data: Record<string, unknown> = { url: remote.displayUrl, action: context.action, ...(context.branch ? { branch: context.branch } : {}) }
  if (NETWORK_CODES.has(code) || /socket hang up|timed out/i.test(message)) {
    return new GitUnreachableError(`${where}: the remote is unreachable (${code || 'network error'})`, { cause, data: { ...data, reason: code || 'network' } })
  }
  if (code === 'HttpError' && statusCode !== undefined) {
    if (statusCode === 401 || statusCode === 403) {
      return new GitAuthError(`${where}: the remote refused the credentials (HTTP ${statusCode})`, { cause, data: { ...data, statusCode } })
    }
    if (statusCode === 404) return new GitRepositoryNotFoundError(`${where}: no repository at this URL (HTTP 404)`, { cause, data: { ...data, statusCode } })
    if (statusCode >= 500 || statusCode === 408 || statusCode === 429) {
      return new GitUnreachableError(`${where}: the remote is unavailable (HTTP ${statusCode})`, { cause, data: { ...data, statusCode, reason: 'http' } })
    }
    return new GitTransportError(`${where}: unexpected HTTP ${statusCode}`, { cause, data: { ...data, statusCode } })
  }
  if (code === 'NotFoundError' && context.branch) {
    return new GitBranchNotFoundError(`${where}: branch ${context.branch} does not exist`, { cause, data })
  }
  if (code === 'UrlParseError' || code === 'UnknownTransportError') return new GitUrlError(`${where}: the URL cannot be used`, { cause, data })
  return new GitTransportError(`${where} failed: ${redactSecrets(message, remote.secrets).slice(0, 300)}`, { cause, data })
}
