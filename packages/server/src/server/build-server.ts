import { isUtf8 } from 'node:buffer'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createRedactor, type Redactor } from '@planspec/core'
import type { ApiStore } from '../store/api-store.js'
import { CONTROLLER_GROUP } from './admit-execution-status.js'
import { createAuthorizer, type RbacOptions } from './authorizer.js'
import { API_ERRORS, ApiError, statusObject, toStatus } from './error-catalog.js'
import { jsonDeeperThan } from './json-depth.js'
import { oncePerTurn } from './once-per-turn.js'
import { createRequestLog, type LogSink } from './request-log.js'
import { createMetrics } from './metrics.js'
import { createFastGet } from './fast-get.js'
import { limitConnections } from './limit-connections.js'
import { createObjectCache } from './object-cache.js'
import { SHARED_SCHEMAS } from './route-schemas.js'
import { dashboardPlugin, type DashboardPluginOptions } from '@planspec/dashboard'
import { accessReviewRoutes } from './routes/access-review-routes.js'
import { actionRoutes } from './routes/action-routes.js'
import { applyRoute } from './routes/apply-route.js'
import { patchRoute } from './routes/patch-route.js'
import { decodeProtobufBody, PROTOBUF } from './kube/protobuf-body.js'
import { discoveryRoutes } from './routes/discovery-routes.js'
import { healthRoutes } from './routes/health-routes.js'
import { namespaceRoutes } from './routes/namespace-routes.js'
import { readRoutes } from './routes/read-routes.js'
import { logRoutes } from './routes/log-routes.js'
import { statusRoutes } from './routes/status-routes.js'
import { validateRoute } from './routes/validate-route.js'
import { writeRoutes } from './routes/write-routes.js'
import { createRequestGate, securityPlugin } from './security-plugin.js'
import { DEFAULT_LIMITS, type ServerContext, type ServerLimits } from './server-context.js'
import type { TokenRegistry } from './tokens.js'
import { ensureNamespace } from './write-object.js'
import { createValidationPool, type ValidationService } from '../validation/validation-pool.js'
import type { TlsCredentials } from '../tls/self-signed-certificate.js'

/** Options of {@link buildServer}. */
export interface BuildServerOptions {
  /** The store the API serves (`sqliteStore`). */
  readonly store: ApiStore
  /**
   * The validation workers used for admission, status writes and `POST .../validate` (default: a
   * new `createValidationPool()`, closed with the server; a pool passed in is the caller's to close).
   */
  readonly validation?: ValidationService
  /** Bearer tokens. Without them every request but the health probes gets 401: there is no anonymous mode. */
  readonly tokens?: TokenRegistry
  /**
   * RBAC (default on: deny by default, Roles and RoleBindings stored in the server grant access;
   * members of `adminGroups` bypass it). `false` lets every authenticated caller do everything:
   * the insecure mode of `planspec serve --insecure-allow-all-authenticated`.
   */
  readonly rbac?: boolean | RbacOptions
  /**
   * fastify's logger setting, or a pino-compatible logger instance. Requests are not logged one by
   * one there (see `requestLog`): slow requests, unexpected errors and summaries of 4xx/5xx are.
   */
  readonly logger?: boolean | FastifyBaseLogger
  /**
   * The request log: `access` receives one line per request (`planspec serve --access-log`; give it
   * a logger with an asynchronous destination), `slowMs` is the duration from which a request is
   * logged on its own (default 1,000 ms), `summaryMs` how often 4xx/5xx responses are summarised
   * (default 60 s).
   */
  readonly requestLog?: { readonly access?: Pick<LogSink, 'info'>; readonly slowMs?: number; readonly summaryMs?: number }
  /** Overrides of the default limits. */
  readonly limits?: Partial<ServerLimits>
  /** The clock, RFC 3339 (default: the system clock). */
  readonly now?: () => string
  /**
   * Masks known secrets in every response body (API responses are a sink, DECISIONS §9); give the
   * store the same redactor for database rows and watch events. Default: URL userinfo only.
   */
  readonly redactor?: Redactor
  /**
   * Groups whose members run Executions outside the server (an external engine, e.g. with
   * `planspec serve --no-executions`): the only identities whose status writes may record node
   * results and the Execution's phase (default `['system:controllers']`, DECISIONS §9).
   */
  readonly controllerGroups?: readonly string[]
  /** Serve the web dashboard at `/` (default off here; `serve` turns it on). `true` serves the package's build. */
  readonly dashboard?: boolean | DashboardPluginOptions
  /** Serve HTTPS with this certificate and key (PEM), e.g. from `createSelfSignedCertificate`; plain HTTP without it. */
  readonly tls?: TlsCredentials
  /**
   * Answer a successful GET of a cached object in front of fastify (`createFastGet`: the same bytes,
   * headers, metrics and checks; default true). `false` sends every request through fastify.
   */
  readonly fastGet?: boolean
}

/**
 * Builds the PlanSpec API server: a fastify instance that is ready to `inject()` or `listen()`, but
 * not listening. It serves every kind under `/apis/planspec.io/v1alpha1` with Kubernetes
 * conventions (Status errors, resourceVersion compare-and-swap, watch with resume and 410,
 * selectors, pagination, dry run, the status subresource, merge patch and batch apply), plus
 * validate, graph, gate approvals, execution cancel/retry, namespaces, discovery, OpenAPI,
 * health probes, metrics, Kubernetes' SelfSubjectReview and SelfSubjectAccessReview, and (with
 * `dashboard`) the web dashboard's files at `/`. The `default` namespace is created when missing.
 *
 * @example
 * const app = buildServer({ store: sqliteStore({ file: ':memory:' }), tokens: parseTokens('t0ken,alice'), logger: false })
 * const res = await app.inject({ method: 'GET', url: '/apis/planspec.io/v1alpha1/goals', headers: { authorization: 'Bearer t0ken' } })
 * res.statusCode // 200
 */
export function buildServer(options: BuildServerOptions): FastifyInstance {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits }
  const logger = options.logger
  // Set once the app is built: answers the successful GETs of cached objects before fastify (see createFastGet).
  let fastGet: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined
  // fastify's default request ids (`req-1`, `req-2`, ...), shared with the fast path.
  let lastRequestId = 0
  const requestId = (): string => `req-${(lastRequestId = (lastRequestId + 1) & 0x7fffffff).toString(36)}`
  const app = Fastify({
    genReqId: requestId,
    ...(logger !== undefined && typeof logger === 'object' ? { loggerInstance: logger } : { logger: logger ?? false }),
    // Slow clients cannot hold connections: headers within headersTimeoutMs, the whole request within
    // requestTimeoutMs, both checked every second (Node's default check runs every 30 s).
    serverFactory: (fastifyHandler) => {
      const timeouts = { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1000 }
      const handler = (req: IncomingMessage, res: ServerResponse): void => {
        if (fastGet?.(req, res) !== true) fastifyHandler(req, res)
      }
      // An HTTPS server is an HTTP server behind TLS: fastify drives both through the same API.
      const server = options.tls === undefined ? createServer(timeouts, handler) : (createHttpsServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key }, handler) as unknown as Server)
      return limitConnections(server, limits.maxConnectionsPerIp)
    },
    bodyLimit: limits.maxBodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    routerOptions: { maxParamLength: 512 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    forceCloseConnections: true,
    // No "incoming request" / "request completed" pair per request: see createRequestLog.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false } },
  })
  const store = options.store
  // Every response body the API sends is masked with it (the onSend hook below, and list bodies
  // before they are cached); watch events are stored rows, masked when they were written.
  const redactor = options.redactor ?? createRedactor()
  const requestLog = createRequestLog({ logger: app.log, ...options.requestLog })
  const context: ServerContext = {
    store,
    validation: options.validation ?? createValidationPool(),
    tokens: options.tokens,
    authorizer: createAuthorizer(store, options.rbac),
    limits,
    metrics: createMetrics(() => Number(store.currentResourceVersion())),
    now: options.now ?? (() => new Date().toISOString()),
    watches: new Set(),
    controllerGroups: options.controllerGroups ?? [CONTROLLER_GROUP],
    routes: [],
    redactor,
    requestLog,
    ...(store.catchUpNow === undefined ? {} : { fresh: oncePerTurn(store.catchUpNow.bind(store)) }),
    objects: createObjectCache({ store, redactions: () => redactor.size }),
  }
  // The `default` namespace always exists; every replica of a shared database ensures it
  // (idempotent). A single-process store runs the work at once, a shared one once it is loaded.
  const defaultNamespace = store.transact((tx) => ensureNamespace(tx, 'default'))
  defaultNamespace.catch(() => undefined) // awaited (and reported) when the server gets ready
  app.addHook('onReady', async () => {
    await defaultNamespace
  })
  // Reads see every write committed before the request, whichever process or replica committed it
  // (read-your-writes behind a load balancer). A store that can look synchronously (SQLite) does so
  // once per event-loop turn for all the requests of the turn (see oncePerTurn); a shared database
  // is asked per request.
  const fresh = context.fresh
  if (fresh !== undefined) {
    app.addHook('preHandler', (request, _reply, done) => {
      if (request.routeOptions.config.public === true) return done()
      try {
        fresh()
      } catch (error) {
        return done(error as Error)
      }
      done()
    })
  } else {
    app.addHook('preHandler', async (request) => {
      if (request.routeOptions.config.public !== true) await store.catchUp()
    })
  }

  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  // Every route, as declared, feeds the OpenAPI documents (generated on their first request).
  app.addHook('onRoute', (route) => void context.routes.push({ method: route.method, url: route.url, ...(route.schema === undefined ? {} : { schema: route.schema as Record<string, unknown> }), ...(route.config === undefined ? {} : { config: route.config }) }))
  // Response schemas document every route (and feed /openapi/v3), but resource shapes are open
  // objects: plain JSON.stringify serialises them faster than a generated serializer would.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  // JSON bodies: bytes that are not UTF-8 are refused (never decoded lossily), nesting is bounded
  // before parsing, then fastify's parser refuses __proto__ and constructor.prototype keys
  // (THREATS T7, T9). Anything else (YAML, text, forms) is 415.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  const boundedJson = (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void): void => {
    if (typeof body !== 'string' && !isUtf8(body)) return done(new ApiError('BadRequest', 'the request body is not valid UTF-8'))
    const text = String(body)
    // client-node sends DELETE with a JSON content type and no body: that is "no DeleteOptions".
    if (request.method === 'DELETE' && text.trim() === '') return done(null, null)
    if (jsonDeeperThan(text, limits.maxJsonDepth)) return done(new ApiError('BadRequest', `the request body nests deeper than ${limits.maxJsonDepth} levels`))
    parseJson(request, text, done)
  }
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser(['application/json', 'application/merge-patch+json', 'application/json-patch+json'], { parseAs: 'buffer' }, boundedJson)
  // kubectl sends the built-in kinds PlanSpec serves (namespaces, access reviews) as protobuf, as
  // Kubernetes accepts them; each is decoded into its JSON shape. The answer is JSON (kubectl
  // accepts it). Routes that take no protobuf refuse it with 415 before parsing.
  app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, decodeProtobufBody(Buffer.isBuffer(body) ? body : Buffer.from(body)))
    } catch (error) {
      done(error as Error)
    }
  })
  // Server-side apply bodies are YAML or JSON (kubectl sends JSON): JSON takes the bounded path
  // above, YAML is parsed in a validation worker with the validator's pinned options (THREATS T7, T8).
  app.addContentTypeParser('application/apply-patch+yaml', { parseAs: 'buffer' }, (request, body, done) => {
    if (typeof body !== 'string' && !isUtf8(body)) return done(new ApiError('BadRequest', 'the request body is not valid UTF-8'))
    const text = String(body)
    if (/^\s*[{[]/.test(text)) return boundedJson(request, text, done)
    context.validation.parseYaml(text).then((value) => done(null, value), (error: Error) => done(error))
  })
  app.decorateRequest('identity', undefined)
  app.decorateRequest('watching', false)
  app.register(fp(async (root) => void root.decorate('planspec', context), { name: 'planspec-context', fastify: '5.x' }))
  const gate = createRequestGate(context)
  app.register(securityPlugin, { gate })
  let closing = false
  if (options.fastGet !== false && context.fresh !== undefined) {
    fastGet = createFastGet({
      fresh: context.fresh,
      authenticate: gate.authenticate,
      takeToken: gate.takeToken,
      authorizer: context.authorizer,
      objects: context.objects,
      observe: context.metrics.forRoute,
      requestLog,
      requestId,
      closing: () => closing,
    })
  }

  // Every response body is a string here (the serializer and the text routes), except list bodies,
  // which are Buffers masked before they were cached: this one hook masks all the strings.
  app.addHook('onSend', (_request, _reply, payload, done) => done(null, typeof payload === 'string' ? redactor.redact(payload) : payload))
  app.addHook('onResponse', (request, reply, done) => {
    requestLog.observe({
      id: request.id,
      method: request.method,
      url: request.url,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: reply.elapsedTime,
      watch: request.watching,
      user: request.identity?.user,
      ip: request.ip,
    })
    done()
  })
  app.addHook('preClose', async () => {
    closing = true
    for (const end of [...context.watches]) end()
  })
  app.addHook('onClose', async () => {
    context.objects.close()
    requestLog.close()
    context.authorizer.close()
    if (options.validation === undefined) await context.validation.close()
  })
  app.setErrorHandler((error, request, reply) => {
    const mapped = toStatus(error)
    if (mapped.unexpected) request.log.error({ err: error }, 'unexpected error')
    if (mapped.closeConnection) reply.header('connection', 'close')
    const retryAfter = mapped.status.details?.retryAfterSeconds
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
    return reply.code(mapped.status.code).type('application/json').send(mapped.status)
  })
  const authenticate = gate.gate(false)
  app.setNotFoundHandler({ preHandler: authenticate }, (request, reply) => {
    context.metrics.observeRequest(request.method, 'unmatched', 404, -1)
    return reply.code(404).type('application/json').send(statusObject(API_ERRORS.NotFound, `the server could not find the requested resource (${request.method} ${request.url.split('?')[0]})`))
  })

  app.register(readRoutes)
  app.register(logRoutes)
  app.register(writeRoutes)
  app.register(patchRoute)
  app.register(statusRoutes)
  app.register(actionRoutes)
  app.register(applyRoute)
  app.register(validateRoute)
  app.register(namespaceRoutes)
  app.register(discoveryRoutes)
  app.register(healthRoutes)
  app.register(accessReviewRoutes)
  if (options.dashboard !== undefined && options.dashboard !== false) app.register(dashboardPlugin, options.dashboard === true ? {} : options.dashboard)
  return app
}
