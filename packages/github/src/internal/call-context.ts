import { createSystemClock } from '../create-system-clock.js'
import { DEFAULT_GITHUB_RETRY_POLICY } from '../retry-policy.js'
import type { Clock, GitHubRetryPolicy } from '../types.js'
import type { CallContext } from './call-github.js'

/** The clock, policy and signal of a call, with defaults (the system clock, the default policy). */
export function callContext(options: { readonly clock?: Clock; readonly policy?: GitHubRetryPolicy; readonly signal?: AbortSignal }): CallContext {
  return {
    clock: options.clock ?? createSystemClock(),
    policy: options.policy ?? DEFAULT_GITHUB_RETRY_POLICY,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }
}
