import type { FastifyRequest } from 'fastify'
import type { Redactor } from '@planspec/core'
import type { ApiStore } from '../store/api-store.js'
import type { AccessRequest, Authorizer } from './authorizer.js'
import { ApiError } from './error-catalog.js'
import type { ServerMetrics } from './metrics.js'
import type { ObjectCache } from './object-cache.js'
import type { RateLimit } from './rate-limiter.js'
import type { RouteRecord } from './openapi/openapi-paths.js'
import type { RequestLog } from './request-log.js'
import type { Identity, TokenRegistry } from './tokens.js'
import type { ValidationService } from '../validation/validation-pool.js'

/** The server's limits; every one is checked before the work it guards. */
export interface ServerLimits {
  /** Largest request body in bytes (default 1 MiB); larger bodies get 413 before they are buffered. */
  readonly maxBodyBytes: number
  /** Largest body of `POST .../validate` (default 16 MiB, THREATS T7's per-sync cap). */
  readonly maxValidateBodyBytes: number
  /** Deepest nesting of a JSON body, checked before it is parsed (default 100). */
  readonly maxJsonDepth: number
  /** Per-client token bucket (keyed by bearer-token digest, else IP), or `false` to disable (default 100/s, burst 200). */
  readonly rateLimit: RateLimit | false
  /** Bytes a watcher may have waiting to be sent; past it the watch ends with a 410 ERROR event (default 4 MiB). */
  readonly watchBufferBytes: number
  /** Live events held while a watch replays history before it streams them (default 10,000). */
  readonly watchBacklogEvents: number
  /** Interval of BOOKMARK events for watches that allow them (default 60 s). */
  readonly bookmarkIntervalMs: number
  /** Longest watch; a client's `timeoutSeconds` may only shorten it (default 1,800 s). */
  readonly maxWatchSeconds: number
  /** After a watch ends, how long its connection may take to drain before it is destroyed (default 10 s). */
  readonly watchCloseGraceMs: number
  /** Most concurrent watches; more get 429 (default 10,000). */
  readonly maxWatches: number
  /** Largest `limit` a list accepts (default 10,000). */
  readonly maxListLimit: number
  /** How long a client may take to send a whole request (default 30 s). */
  readonly requestTimeoutMs: number
  /** How long a client may take to send a request's headers; a connection that does not is closed (default 20 s, DECISIONS §9: at most 20 s). */
  readonly headersTimeoutMs: number
  /** Open connections one client address may hold; more are closed at once (default 256). */
  readonly maxConnectionsPerIp: number
}

/** The defaults of {@link ServerLimits}. */
export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 1024 * 1024,
  maxValidateBodyBytes: 16 * 1024 * 1024,
  maxJsonDepth: 100,
  rateLimit: { perSecond: 100, burst: 200 },
  watchBufferBytes: 4 * 1024 * 1024,
  watchBacklogEvents: 10_000,
  bookmarkIntervalMs: 60_000,
  maxWatchSeconds: 1800,
  watchCloseGraceMs: 10_000,
  maxWatches: 10_000,
  maxListLimit: 10_000,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  maxConnectionsPerIp: 256,
}

/** What every route plugin reads from its ancestors: the store, the validator, security and limits. */
export interface ServerContext {
  readonly store: ApiStore
  /** The validator, in worker threads: every parse of untrusted input runs off the event loop. */
  readonly validation: ValidationService
  readonly tokens: TokenRegistry | undefined
  readonly authorizer: Authorizer
  readonly limits: ServerLimits
  readonly metrics: ServerMetrics
  /** The clock, RFC 3339. */
  readonly now: () => string
  /** Ends each open watch (their count is bounded by `limits.maxWatches`); all are ended before the server closes. */
  readonly watches: Set<() => void>
  /** Groups whose members are an external engine: the only API writers of Execution node results. */
  readonly controllerGroups: readonly string[]
  /** Every registered route (filled by an `onRoute` hook): the OpenAPI documents are generated from them. */
  readonly routes: RouteRecord[]
  /** The request log; watch streams report themselves to it when they end (fastify runs no onResponse hook for a hijacked reply). */
  readonly requestLog: RequestLog
  /** Masks known secrets in response bodies (the `onSend` hook; list bodies are masked before they are cached). */
  readonly redactor: Redactor
  /**
   * Makes the store see every commit made before the call by another process, at most once per
   * event-loop turn (`oncePerTurn`); present when the store can look synchronously (SQLite).
   */
  readonly fresh?: () => void
  /** The masked bytes of single objects the GET route answered (`createObjectCache`), shared with the fast path. */
  readonly objects: ObjectCache
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Shared by every plugin below the root (decorated by the root, seen by descendants). */
    planspec: ServerContext
  }
  interface FastifyRequest {
    /** The authenticated caller; set by the authentication hook on every non-public route. */
    identity: Identity | undefined
    /** True once the request became a watch stream (its duration is not a latency). */
    watching: boolean
  }
  interface FastifyContextConfig {
    /** Served without authentication (health probes). */
    public?: boolean
    /** The media types the route's body may have; others get 415. */
    mediaTypes?: readonly string[]
  }
}

/** Returns the caller's identity; routes behind authentication always have one. */
export function identityOf(request: FastifyRequest): Identity {
  if (request.identity === undefined) throw new ApiError('Unauthorized', 'Unauthorized')
  return request.identity
}

/**
 * Checks an access with the authorizer and throws the API's 403 when it is denied (THREATS T14:
 * one hook per verb, resource and namespace, on every route including watch).
 */
export function authorize(context: ServerContext, request: FastifyRequest, access: AccessRequest): Identity {
  const identity = identityOf(request)
  if (!context.authorizer.allowed(identity, access)) {
    const where = access.namespace === undefined ? 'at the cluster scope' : `in the namespace ${JSON.stringify(access.namespace)}`
    const what = access.name === undefined ? `resource ${JSON.stringify(access.resource)}` : `resource ${JSON.stringify(access.resource)} ${JSON.stringify(access.name)}`
    throw new ApiError('Forbidden', `User ${JSON.stringify(identity.user)} cannot ${access.verb} ${what} in API group "planspec.io" ${where}`, {
      ...(access.name === undefined ? {} : { name: access.name }),
      group: 'planspec.io',
      kind: access.resource,
    })
  }
  return identity
}
