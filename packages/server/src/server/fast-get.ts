import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Authorizer } from './authorizer.js'
import { acceptsAs } from './kube/media-type.js'
import { API_PREFIX, kindByPlural } from './kinds.js'
import type { ObjectCache } from './object-cache.js'
import type { RequestLog } from './request-log.js'
import { rbacResource } from './route-helpers.js'
import type { Identity } from './tokens.js'

/** The route patterns of a GET of one object, as fastify registers them (metrics and logs name them). */
export const OBJECT_ROUTES = { namespaced: `${API_PREFIX}/namespaces/:namespace/:plural/:name`, cluster: `${API_PREFIX}/:plural/:name` } as const

/** What {@link createFastGet} answers with: the very parts the fastify route uses. */
export interface FastGetDependencies {
  /** Makes the store see other processes' commits (once per event-loop turn). */
  readonly fresh: () => void
  /** The request gate's authentication of an `Authorization` header (undefined: not a known bearer token). */
  readonly authenticate: (authorization: string | undefined) => Identity | undefined
  /** Takes one token from the caller's rate-limit bucket; false when the caller is over its limit. */
  readonly takeToken: (identity: Identity) => boolean
  readonly authorizer: Pick<Authorizer, 'allowed'>
  /** The cache of masked single-object bodies the GET route fills. */
  readonly objects: Pick<ObjectCache, 'get'>
  /** The metrics observer of each object route (`ServerMetrics.forRoute`). */
  readonly observe: (route: string) => (method: string, code: number, seconds: number) => void
  readonly requestLog: Pick<RequestLog, 'observe'>
  /** The request id generator fastify uses too. */
  readonly requestId: () => string
  /** True once the server is closing (fastify then answers 503). */
  readonly closing: () => boolean
}

// Kubernetes names, namespaces and plurals are lower-case DNS names: anything else (a query, an
// escape, upper case, ...) goes to fastify, which parses, decodes and validates it.
const PLAIN_PATH = /^[a-z0-9.-]+(?:\/[a-z0-9.-]+)+$/
const PREFIX = `${API_PREFIX}/`

/**
 * Creates the fast path of the hot read: a request listener, in front of fastify, that answers only
 * a `GET` of one object that fastify would answer 200 from its object cache, with the same status,
 * headers and bytes, the same metrics, rate-limit count and request log; it returns false, having
 * written and counted nothing, for anything else (fastify then answers: a single source of truth
 * for every refusal). Answered here: a plain path (no query), no body, no `Accept` asking for a
 * Table, a known bearer token under its rate limit, RBAC allowing `get` on the object (the
 * authorizer's per-identity rules, after catching up with other processes' commits, which may
 * change them), and the object's masked bytes in the cache.
 *
 * @example
 * const fastGet = createFastGet({ fresh, authenticate, takeToken, authorizer, objects, observe, requestLog, requestId, closing })
 * http.createServer((req, res) => fastGet(req, res) || fastifyHandler(req, res))
 */
export function createFastGet(deps: FastGetDependencies): (req: IncomingMessage, res: ServerResponse) => boolean {
  const namespacedObserver = deps.observe(OBJECT_ROUTES.namespaced)
  const clusterObserver = deps.observe(OBJECT_ROUTES.cluster)
  return function fastGet(req, res) {
    const start = performance.now()
    const url = req.url
    if (req.method !== 'GET' || url === undefined || !url.startsWith(PREFIX)) return false
    const path = url.slice(PREFIX.length)
    if (!PLAIN_PATH.test(path)) return false
    const headers = req.headers
    if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined || headers['content-type'] !== undefined || headers.expect !== undefined) return false
    const parts = path.split('/')
    const namespaced = parts.length === 4 && parts[0] === 'namespaces'
    if (!namespaced && parts.length !== 2) return false
    const namespace = namespaced ? parts[1]! : ''
    const entry = kindByPlural(parts[namespaced ? 2 : 0]!)
    const name = parts[namespaced ? 3 : 1]!
    if (entry === undefined || entry.namespaced !== namespaced || deps.closing()) return false
    if (acceptsAs(headers.accept, 'Table', 'meta.k8s.io', ['v1', 'v1beta1']) !== undefined) return false
    const identity = deps.authenticate(headers.authorization)
    if (identity === undefined) return false
    try {
      // Before RBAC: another process's commit may have changed the policy as well as the object.
      deps.fresh()
    } catch {
      return false
    }
    if (!deps.authorizer.allowed(identity, namespaced ? { verb: 'get', resource: rbacResource(entry), namespace, name } : { verb: 'get', resource: rbacResource(entry), name })) return false
    const body = deps.objects.get({ kind: entry.kind, namespace, name })
    if (body === undefined || !deps.takeToken(identity)) return false
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length })
    res.end(body)
    const ms = performance.now() - start
    ;(namespaced ? namespacedObserver : clusterObserver)('GET', 200, ms / 1000)
    deps.requestLog.observe({ id: deps.requestId(), method: 'GET', url, route: namespaced ? OBJECT_ROUTES.namespaced : OBJECT_ROUTES.cluster, status: 200, ms, watch: false, user: identity.user, ip: req.socket.remoteAddress ?? '' })
    return true
  }
}
