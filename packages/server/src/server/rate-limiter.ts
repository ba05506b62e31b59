/** Token-bucket settings: a steady refill rate and a burst capacity. */
export interface RateLimit {
  /** Requests per second refilled into each client's bucket. */
  readonly perSecond: number
  /** Bucket capacity: the largest burst a client may send at once. */
  readonly burst: number
  /** Most clients tracked at once; the least recently seen are forgotten first (default 10,000). */
  readonly maxClients?: number
}

/** The decision for one request. */
export interface RateDecision {
  readonly allowed: boolean
  /** Whole seconds until a token is available again (0 when allowed). */
  readonly retryAfterSeconds: number
}

/** A per-client rate limiter. */
export interface RateLimiter {
  /** Takes one token from `client`'s bucket. */
  take(client: string): RateDecision
}

/**
 * Creates an in-memory token-bucket limiter, one bucket per client key (a token digest or an IP
 * address). Memory is bounded by `maxClients`: the least recently seen client is dropped first,
 * which at worst gives it a full bucket again.
 *
 * @example
 * const limiter = createRateLimiter({ perSecond: 50, burst: 100 }, () => Date.now())
 * limiter.take('10.0.0.1').allowed // true
 */
export function createRateLimiter(limit: RateLimit, nowMs: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const maxClients = limit.maxClients ?? 10_000
  return {
    take(client) {
      const now = nowMs()
      let bucket = buckets.get(client)
      if (bucket === undefined) {
        if (buckets.size >= maxClients) buckets.delete(buckets.keys().next().value as string)
        bucket = { tokens: limit.burst, at: now }
      } else {
        bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond)
        bucket.at = now
        // Re-insert so that Map order is least-recently-seen first.
        buckets.delete(client)
      }
      buckets.set(client, bucket)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return ALLOWED
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond)) }
    },
  }
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 })
