import type { GitHubRetryPolicy } from './types.js'

/**
 * The default retry policy: three retries after a 5xx (1 s, 2 s, 4 s), three waits on a rate
 * limit of at most 15 minutes each, and one minute after a secondary rate limit without
 * `retry-after`, as GitHub's REST best practices ask
 * (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
 */
export const DEFAULT_GITHUB_RETRY_POLICY = {
  retries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  rateLimitRetries: 3,
  maxRateLimitWaitMs: 15 * 60_000,
  secondaryRateLimitWaitMs: 60_000,
} as const satisfies GitHubRetryPolicy
