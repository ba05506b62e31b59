import type { Octokit } from '@octokit/rest'

/**
 * The GitHub client every function takes: an `@octokit/rest` instance built by the caller (the
 * library never builds its own credentials). Point `baseUrl` at a fake in tests.
 */
export type GitHubClient = Octokit

/** Time, injected: the agent passes its real clock, tests a virtual one. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number
  /** Waits `ms`; resolves early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** How calls to GitHub are retried (data, checked with `satisfies`). */
export interface GitHubRetryPolicy {
  /** Extra attempts after a 5xx or a network failure. */
  readonly retries: number
  /** First backoff after a 5xx; doubled each attempt, capped by `maxDelayMs`. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Extra attempts after a rate-limit answer (403/429 with rate-limit headers). */
  readonly rateLimitRetries: number
  /** A rate limit that resets later than this is not waited for: the call fails with `PLANSPEC_ERR_GITHUB_RATE_LIMITED`. */
  readonly maxRateLimitWaitMs: number
  /** Wait after a secondary rate limit that gives no `retry-after` (GitHub: "at least one minute"). */
  readonly secondaryRateLimitWaitMs: number
}
