import { GITHUB_ERROR_CODES, GitHubApiError, codeForStatus, readHttpFailure, type GitHubErrorCode, type HttpFailure } from '../github-api-error.js'
import type { Clock, GitHubRetryPolicy } from '../types.js'

/** What every GitHub call needs besides the client: time and the retry policy. */
export interface CallContext {
  readonly clock: Clock
  readonly policy: GitHubRetryPolicy
  /** Aborting stops waiting; the call then fails with its last error. */
  readonly signal?: AbortSignal
}

/**
 * Runs one GitHub request, retrying what GitHub says may succeed later:
 * - 403/429 with `retry-after`: waits that long; with `x-ratelimit-remaining: 0`: waits until
 *   `x-ratelimit-reset`; a secondary rate limit without either: waits
 *   `secondaryRateLimitWaitMs`, doubled each time. At most `rateLimitRetries` waits, each at most
 *   `maxRateLimitWaitMs`, else `PLANSPEC_ERR_GITHUB_RATE_LIMITED` with `data.retryAt`.
 * - 5xx and network failures: exponential backoff from `baseDelayMs`, `retries` times, then
 *   `PLANSPEC_ERR_GITHUB_UNAVAILABLE`.
 * - Anything else (401, plain 403, 404, 410, 422, other 4xx): a terminal {@link GitHubApiError} at once.
 * Every failure that leaves this function is a `GitHubApiError`.
 */
export async function callGitHub<T>(operation: string, context: CallContext, run: () => Promise<T>): Promise<T> {
  const { clock, policy } = context
  let serverFailures = 0
  let rateLimits = 0
  for (;;) {
    try {
      return await run()
    } catch (error) {
      const failure = readHttpFailure(error)
      const status = failure?.status ?? 0
      const limitWait = failure === undefined ? undefined : rateLimitWait(failure, clock.now(), rateLimits, policy)
      if (limitWait !== undefined) {
        const retryAt = clock.now() + limitWait
        if (rateLimits >= policy.rateLimitRetries || limitWait > policy.maxRateLimitWaitMs || context.signal?.aborted === true) {
          throw toError(operation, failure as HttpFailure, error, GITHUB_ERROR_CODES.rateLimited, retryAt)
        }
        rateLimits += 1
        await clock.sleep(limitWait, context.signal)
        continue
      }
      const transient = status === 0 || status >= 500
      if (transient && serverFailures < policy.retries && context.signal?.aborted !== true) {
        const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** serverFailures)
        serverFailures += 1
        await clock.sleep(delay, context.signal)
        continue
      }
      if (failure === undefined) {
        throw new GitHubApiError(`GitHub ${operation} failed: ${error instanceof Error ? error.message : String(error)}`, {
          code: GITHUB_ERROR_CODES.unavailable,
          data: { operation, status: 0 },
          cause: error,
        })
      }
      throw toError(operation, failure, error, codeForStatus(status))
    }
  }
}

/** How long to wait before retrying a rate-limited answer, or undefined when it is not one. */
function rateLimitWait(failure: HttpFailure, now: number, attempt: number, policy: GitHubRetryPolicy): number | undefined {
  if (failure.status !== 403 && failure.status !== 429) return undefined
  const retryAfter = header(failure, 'retry-after')
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter)
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
    const at = Date.parse(retryAfter)
    if (Number.isFinite(at)) return Math.max(0, at - now)
  }
  const reset = Number(header(failure, 'x-ratelimit-reset'))
  if (header(failure, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset)) {
    // The reset is in whole seconds; one more second avoids waking just before it.
    return Math.max(0, reset * 1000 - now) + 1000
  }
  if (failure.status === 429 || /secondary rate limit|abuse/i.test(failure.githubMessage ?? failure.message)) {
    return policy.secondaryRateLimitWaitMs * 2 ** attempt
  }
  return undefined
}

function header(failure: HttpFailure, name: string): string | undefined {
  const value = failure.headers[name]
  return value === undefined ? undefined : String(value)
}

function toError(operation: string, failure: HttpFailure, cause: unknown, code: GitHubErrorCode, retryAt?: number): GitHubApiError {
  const requestId = header(failure, 'x-github-request-id')
  const text = failure.githubMessage ?? failure.message
  return new GitHubApiError(`GitHub ${operation} answered ${failure.status}${text === '' ? '' : `: ${text}`}`, {
    code,
    data: {
      operation,
      status: failure.status,
      ...(requestId === undefined ? {} : { requestId }),
      ...(failure.documentationUrl === undefined ? {} : { documentationUrl: failure.documentationUrl }),
      ...(retryAt === undefined ? {} : { retryAt }),
    },
    cause,
  })
}
