import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, onResponseHookHandler, preParsingHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from './error-catalog.js'
import { createRateLimiter } from './rate-limiter.js'
import { mediaTypeOf } from './route-helpers.js'
import type { ServerContext } from './server-context.js'
import type { Identity } from './tokens.js'

const BEARER = /^Bearer\s+(\S+)\s*$/i
const CACHE_SIZE = 1024

/** The request gate's hooks, built once per server; `gate(public)` is the onRequest hook of a route. */
export interface RequestGate {
  readonly gate: (isPublic: boolean) => onRequestHookHandler
  readonly mediaTypes: (allowed: readonly string[]) => preParsingHookHandler
  readonly metrics: (route: string) => onResponseHookHandler
  /** The identity of an `Authorization` header's bearer token, or undefined (what the onRequest hook checks). */
  readonly authenticate: (authorization: string | undefined) => Identity | undefined
  /** Takes one token from an identity's rate-limit bucket (the bucket the onRequest hook uses); false when it is empty. */
  readonly takeToken: (identity: Identity) => boolean
}

/**
 * Builds the request gate every route sits behind:
 * 1. bearer-token authentication: a missing or unknown token gets 401 (there is no anonymous mode;
 *    only `public` routes, the health probes, skip it). Known tokens are cached (bounded) so the
 *    digest is not recomputed on every request;
 * 2. a per-client token bucket (the authenticated user, else the client IP): 429 with Retry-After;
 * 3. media types: a body whose Content-Type the route does not accept gets 415 before it is parsed;
 * 4. metrics: one count and one latency sample per finished request, with the label children of
 *    each route resolved once.
 */
export function createRequestGate(context: ServerContext): RequestGate {
  const { tokens, limits, metrics } = context
  const limiter = limits.rateLimit === false ? undefined : createRateLimiter(limits.rateLimit, () => Date.now())
  const known = new Map<string, Identity>()
  const authenticate = (token: string): Identity | undefined => {
    const cached = known.get(token)
    if (cached !== undefined) return cached
    const identity = tokens?.authenticate(token)
    if (identity === undefined) return undefined
    if (known.size >= CACHE_SIZE) known.delete(known.keys().next().value as string)
    known.set(token, identity)
    return identity
  }
  const authenticateHeader = (header: string | undefined): Identity | undefined => {
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1]
    return token === undefined ? undefined : authenticate(token)
  }
  return {
    authenticate: authenticateHeader,
    takeToken: (identity) => limiter === undefined || limiter.take(`user:${identity.user}`).allowed,
    gate: (isPublic) =>
      function authenticateRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
        const identity = authenticateHeader(request.headers.authorization)
        if (limiter !== undefined) {
          const decision = limiter.take(identity === undefined ? `ip:${request.ip}` : `user:${identity.user}`)
          if (!decision.allowed) return done(new ApiError('TooManyRequests', 'too many requests; slow down', { retryAfterSeconds: decision.retryAfterSeconds }))
        }
        if (!isPublic && identity === undefined) {
          reply.header('www-authenticate', 'Bearer realm="planspec"')
          return done(new ApiError('Unauthorized', 'Unauthorized'))
        }
        request.identity = identity
        done()
      },
    mediaTypes: (allowed) =>
      function checkMediaType(request: FastifyRequest, _reply: FastifyReply, payload, done): void {
        const contentType = request.headers['content-type']
        if (contentType === undefined || allowed.includes(mediaTypeOf(contentType))) return done(null, payload)
        // Kubernetes' wording (kubectl shows it as is), e.g. for a strategic merge patch of a custom resource.
        done(new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${allowed.join(', ')}`))
      },
    metrics: (route) => {
      const observe = metrics.forRoute(route)
      return function countRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
        observe(request.method, reply.statusCode, request.watching ? -1 : reply.elapsedTime / 1000)
        done()
      }
    },
  }
}

/**
 * Attaches the request gate to every route as it is declared (route-level hooks, so each route
 * pays only for what it needs and reads its own options once), and to the 404 handler.
 */
async function security(app: FastifyInstance, options: { readonly gate: RequestGate }): Promise<void> {
  const requestGate = options.gate
  app.addHook('onRoute', (route) => {
    const config = route.config ?? {}
    const append = <T>(existing: T | T[] | undefined, hook: T): T[] => [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), hook]
    route.onRequest = append(route.onRequest, requestGate.gate(config.public === true))
    if (config.mediaTypes !== undefined) route.preParsing = append(route.preParsing, requestGate.mediaTypes(config.mediaTypes))
    route.onResponse = append(route.onResponse, requestGate.metrics(route.url))
  })
}

/** The authentication, rate-limit, media-type and metrics hooks (see `createRequestGate`). */
export const securityPlugin = fp(security, { name: 'planspec-security', fastify: '5.x' })
