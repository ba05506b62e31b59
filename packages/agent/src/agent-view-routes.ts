import { PassThrough } from 'node:stream'
import { dashboardPlugin, type DashboardPluginOptions } from '@planspec/dashboard'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { kindOfPlural, VIEW_PLURALS, type ResourceApiView, type ViewEvent } from './resource-view.js'

/** Who a bearer token is (the same tokens file as `planspec serve`). */
export interface ViewIdentity {
  readonly user: string
  readonly groups: readonly string[]
}

/** What the read-only view needs. */
export interface AgentViewOptions {
  readonly view: ResourceApiView
  /** Checks a bearer token; absent: no tokens were configured, and every data request is 401. */
  readonly authenticate?: (token: string) => ViewIdentity | undefined
  /** The dashboard's built files (default: the `@planspec/dashboard` package's build). */
  readonly dashboard?: DashboardPluginOptions
  /** Longest watch in seconds (default 1,800; a client's `timeoutSeconds` may shorten it). */
  readonly maxWatchSeconds?: number
  /** How often watches look for changes in the agent's memory (default 1 s). */
  readonly watchRefreshMs?: number
}

const PREFIX = '/apis/planspec.io/v1alpha1'
const BEARER = /^Bearer\s+(\S+)\s*$/i
const READ_VERBS = new Set(['get', 'list', 'watch'])

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })

/**
 * Registers the agent's read-only view on its `--listen` server: the web dashboard at `/`, and
 * under `/apis/planspec.io/v1alpha1` the `GET` list (all namespaces or one), get and watch of the
 * resources the agent holds in memory, in the API server's JSON shapes (typed lists with a
 * `resourceVersion`; NDJSON watch events that resume from a version and answer 410 Gone when it
 * is no longer held), so the same dashboard works against it. Every data request needs a bearer
 * token of the tokens file (401 otherwise). Kubernetes' SelfSubjectReview says who the token is
 * and SelfSubjectAccessReview allows `get`, `list` and `watch` only, so the dashboard hides every
 * action; any other method on the API is 405.
 */
export async function agentViewRoutes(app: FastifyInstance, options: AgentViewOptions): Promise<void> {
  const { view } = options
  const maxWatchSeconds = options.maxWatchSeconds ?? 1800
  const watchRefreshMs = options.watchRefreshMs ?? 1000
  const identify = (request: FastifyRequest, reply: FastifyReply): ViewIdentity | undefined => {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1]
    const identity = token === undefined ? undefined : options.authenticate?.(token)
    if (identity !== undefined) return identity
    reply.code(401).header('www-authenticate', 'Bearer realm="planspec-agent"').send(status(401, 'Unauthorized', options.authenticate === undefined ? 'the read-only view needs tokens: start the agent with --tokens FILE (the same file as planspec serve)' : 'Unauthorized'))
    return undefined
  }
  const known = (plural: string, reply: FastifyReply): boolean => {
    if (VIEW_PLURALS.has(plural)) return true
    reply.code(404).send(status(404, 'NotFound', `the server could not find the requested resource (${plural})`))
    return false
  }

  await app.register(dashboardPlugin, options.dashboard ?? {})
  // Open watches end when the server closes (a stopping agent does not wait for its viewers).
  const open = new Set<PassThrough>()
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end()
  })

  const list = (request: FastifyRequest<{ Params: { plural: string; namespace?: string }; Querystring: Record<string, string | undefined> }>, reply: FastifyReply): FastifyReply | undefined => {
    if (identify(request, reply) === undefined || !known(request.params.plural, reply)) return reply
    const { plural, namespace } = request.params
    if (request.query.watch === 'true' || request.query.watch === '1') return watch(request, reply, plural, namespace)
    const { texts, resourceVersion } = view.list(plural, namespace)
    const kind = `${kindOfPlural(plural)}List`
    return reply.type('application/json').send(`{"apiVersion":"planspec.io/v1alpha1","kind":"${kind}","metadata":{"resourceVersion":"${resourceVersion}"},"items":[${texts.join(',')}]}`)
  }

  const watch = (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply: FastifyReply, plural: string, namespace: string | undefined): FastifyReply => {
    view.refresh(true)
    const requested = request.query.resourceVersion
    const timeout = Math.min(maxWatchSeconds, Number(request.query.timeoutSeconds ?? maxWatchSeconds) || maxWatchSeconds)
    const matches = (event: ViewEvent): boolean => event.plural === plural && (namespace === undefined || event.namespace === namespace)
    const line = (event: ViewEvent): string => `{"type":"${event.type}","object":${event.text}}\n`
    let backlog: string[]
    if (requested === undefined || requested === '' || requested === '0') {
      backlog = view.list(plural, namespace).texts.map((text) => `{"type":"ADDED","object":${text}}\n`)
    } else {
      const events = /^\d+$/.test(requested) ? view.since(Number(requested)) : 'gone'
      if (events === 'gone') return reply.code(410).send(status(410, 'Expired', `too old resource version: ${requested} (the agent keeps its recent changes only, and none from before a restart): list again`))
      backlog = events.filter(matches).map(line)
    }
    const out = new PassThrough()
    open.add(out)
    for (const text of backlog) out.write(text)
    const unsubscribe = view.subscribe((event) => {
      if (matches(event)) out.write(line(event))
    })
    const poll = setInterval(() => view.refresh(), watchRefreshMs)
    const end = setTimeout(() => out.end(), timeout * 1000)
    const stop = (): void => {
      open.delete(out)
      unsubscribe()
      clearInterval(poll)
      clearTimeout(end)
    }
    out.once('close', stop)
    out.once('end', stop)
    // The response closes when the client goes away (the request's own 'close' fires as soon as it was read).
    reply.raw.once('close', () => {
      stop()
      out.end()
    })
    // Headers go out at once (a client waits for them before it reads events), then the events.
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    reply.raw.flushHeaders()
    out.pipe(reply.raw)
    return reply
  }

  app.get<{ Params: { plural: string }; Querystring: Record<string, string | undefined> }>(`${PREFIX}/:plural`, list)
  app.get<{ Params: { plural: string; namespace: string }; Querystring: Record<string, string | undefined> }>(`${PREFIX}/namespaces/:namespace/:plural`, list)
  app.get<{ Params: { plural: string; namespace: string; name: string } }>(`${PREFIX}/namespaces/:namespace/:plural/:name`, (request, reply) => {
    if (identify(request, reply) === undefined || !known(request.params.plural, reply)) return reply
    const { plural, namespace, name } = request.params
    const text = view.get(plural, namespace, name)
    if (text === undefined) return reply.code(404).send(status(404, 'NotFound', `${plural} ${JSON.stringify(name)} not found`))
    return reply.type('application/json').send(text)
  })
  app.post('/apis/authentication.k8s.io/v1/selfsubjectreviews', (request, reply) => {
    const identity = identify(request, reply)
    if (identity === undefined) return reply
    return reply.code(201).send({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: { username: identity.user, groups: [...identity.groups], extra: { 'planspec.io/subject': [identity.user.includes(':') ? identity.user : `user:${identity.user}`], 'planspec.io/teams': [] } } } })
  })
  app.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', (request, reply) => {
    if (identify(request, reply) === undefined) return reply
    // The agent's listener keeps JSON bodies raw (webhook signatures cover the exact bytes).
    const spec = (parseJson(request.body) as { spec?: { resourceAttributes?: { verb?: string } } } | undefined)?.spec ?? {}
    const verb = spec.resourceAttributes?.verb ?? ''
    const allowed = READ_VERBS.has(verb)
    return reply.code(201).send({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec, status: { allowed, ...(allowed ? {} : { reason: "the agent's view is read-only: act through git (planspec approve) or the API server" }) } })
  })
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: `${PREFIX}/*`, handler: (_request, reply) => reply.code(405).send(status(405, 'MethodNotAllowed', "the agent's view is read-only: act through git (planspec approve, cancel, retry) or the API server")) })
  }
}

function parseJson(body: unknown): unknown {
  if (typeof body !== 'string') return body
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}
