import { normalizeGraph, type GraphEdgeLike, type GraphNodeLike, type PlanGraphLike } from '@planspec/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../error-catalog.js'
import { API_PREFIX, type KindEntry } from '../kinds.js'
import { listObjects, objectFilter } from '../list-objects.js'
import { keyFor, rbacResource, resolveKind, type ResourceParams } from '../route-helpers.js'
import { clusterNameParams, errorResponses, fixedNameParams, listQuerySchema, namespacedNameParams, namespacedParams, objectResponses, pluralParams } from '../route-schemas.js'
import { authorize } from '../server-context.js'
import { openWatch } from '../watch-stream.js'
import { acceptsAs } from '../kube/media-type.js'
import { toTable, type IncludeObject } from '../kube/table.js'
import type { StoredResource } from '@planspec/core'
import { createListCache } from '../list-cache.js'

interface ListQuery {
  readonly labelSelector?: string
  readonly fieldSelector?: string
  readonly limit?: number
  readonly continue?: string
  readonly watch?: boolean
  readonly resourceVersion?: string
  readonly resourceVersionMatch?: string
  readonly timeoutSeconds?: number
  readonly allowWatchBookmarks?: boolean
  readonly sendInitialEvents?: boolean
  readonly includeObject?: IncludeObject
}

const getQuerySchema = { type: 'object', properties: { includeObject: { type: 'string', enum: ['None', 'Metadata', 'Object'] } } } as const

/**
 * Registers the read routes of every kind: list and watch (in a namespace, or across namespaces
 * and for cluster-scoped kinds), get, the status subresource's GET, and a Plan's graph view.
 */
export async function readRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const listSchema = { querystring: listQuerySchema(context.limits.maxListLimit), response: { 200: { $ref: 'planspec-list#' }, ...errorResponses } }

  // `kubectl get` asks for a Table (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): only
  // then is the answer parsed and converted, so plain reads keep their text fast path (and cache).
  const tableOf = (request: FastifyRequest<{ Querystring: { includeObject?: IncludeObject } }>): ((objects: readonly StoredResource[], meta?: { resourceVersion?: string; continue?: string }) => Record<string, unknown>) | undefined => {
    const range = acceptsAs(request.headers.accept, 'Table', 'meta.k8s.io', ['v1', 'v1beta1'])
    if (range === undefined) return undefined
    const entry = resolveKind(request.params as ResourceParams, { acrossNamespaces: true })
    return (objects, meta = {}) => toTable(entry.kind, objects, { includeObject: request.query.includeObject ?? 'Metadata', version: range.params.v ?? 'v1', now: new Date(context.now()), ...meta })
  }
  const cache = createListCache({ version: () => context.store.currentResourceVersion(), redactions: () => context.redactor.size })
  const list = (request: FastifyRequest<{ Params: ResourceParams; Querystring: ListQuery }>, reply: FastifyReply): FastifyReply | Buffer | Record<string, unknown> => {
    const { params, query } = request
    const entry = resolveKind(params, { acrossNamespaces: true })
    const table = tableOf(request)
    authorize(context, request, { verb: query.watch === true ? 'watch' : 'list', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }) })
    const scope = params.namespace === undefined ? {} : { namespace: params.namespace }
    if (query.watch === true) {
      const filter = objectFilter(query.labelSelector, query.fieldSelector)
      return openWatch(context, request, reply, {
        entry,
        ...scope,
        ...(query.resourceVersion === undefined ? {} : { resourceVersion: query.resourceVersion }),
        ...(query.sendInitialEvents === undefined ? {} : { sendInitialEvents: query.sendInitialEvents }),
        allowBookmarks: query.allowWatchBookmarks === true,
        ...(query.timeoutSeconds === undefined ? {} : { timeoutSeconds: query.timeoutSeconds }),
        ...(filter === undefined ? {} : { filter, filterKey: JSON.stringify([query.labelSelector ?? '', query.fieldSelector ?? '']) }),
        ...(table === undefined ? {} : { render: (object: StoredResource) => table([object]) }),
      })
    }
    if (query.resourceVersionMatch === 'Exact') throw new ApiError('BadRequest', 'resourceVersionMatch=Exact is not supported; use limit and continue for a consistent snapshot')
    // A Buffer gets no charset from fastify: the same header a string body gets.
    reply.type('application/json; charset=utf-8')
    // Authorized above, on every request: the cache holds bytes, never decisions.
    const key = JSON.stringify([entry.kind, params.namespace ?? null, query.labelSelector ?? null, query.fieldSelector ?? null, query.limit ?? null, query.continue ?? null])
    const cached = table === undefined ? cache.get(key) : undefined
    if (cached !== undefined) return cached
    const text = listObjects(context.store, {
      entry,
      ...scope,
      ...(query.labelSelector === undefined ? {} : { labelSelector: query.labelSelector }),
      ...(query.fieldSelector === undefined ? {} : { fieldSelector: query.fieldSelector }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.continue === undefined ? {} : { continueToken: query.continue }),
    })
    if (table !== undefined) {
      const listed = JSON.parse(text) as { items: StoredResource[]; metadata: { resourceVersion?: string; continue?: string } }
      return table(listed.items, listed.metadata)
    }
    // Masked here, once, as the onSend hook masks strings; read in the same synchronous turn as the version.
    const body = Buffer.from(context.redactor.redact(text))
    cache.set(key, context.store.currentResourceVersion(), body)
    return body
  }
  app.get(`${API_PREFIX}/:plural`, { schema: { params: pluralParams, ...listSchema } }, list)
  app.get(`${API_PREFIX}/namespaces/:namespace/:plural`, { schema: { params: namespacedParams, ...listSchema } }, list)

  // Single objects as sent: the stored JSON, masked once, until the object changes (see createObjectCache).
  const objects = context.objects
  const read = (entry: KindEntry, request: FastifyRequest<{ Params: ResourceParams; Querystring: { includeObject?: IncludeObject } }>, reply: FastifyReply): Buffer | Record<string, unknown> => {
    const { params } = request
    // Authorized on every request, before the cache is asked: the cache holds bytes, never decisions.
    authorize(context, request, { verb: 'get', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }), ...(params.name === undefined ? {} : { name: params.name }) })
    const key = keyFor(entry, params)
    const table = tableOf(request)
    const cached = table === undefined ? objects.get(key) : undefined
    // A Buffer gets no charset from fastify: the same header a string body gets.
    if (cached !== undefined) {
      reply.type('application/json; charset=utf-8')
      return cached
    }
    const text = context.store.getText(key)
    if (text === undefined) throw new ApiError('NotFound', `${entry.plural} ${JSON.stringify(params.name)} not found`, { ...(params.name === undefined ? {} : { name: params.name }), group: 'planspec.io', kind: entry.plural })
    if (table !== undefined) {
      reply.type('application/json')
      return table([JSON.parse(text) as StoredResource])
    }
    // Masked here, once, as the onSend hook masks strings; read in the same synchronous turn as the cache is filled.
    const body = Buffer.from(context.redactor.redact(text))
    objects.set(key, body)
    reply.type('application/json; charset=utf-8')
    return body
  }
  type Get = FastifyRequest<{ Params: ResourceParams; Querystring: { includeObject?: IncludeObject } }>
  const get = (request: Get, reply: FastifyReply): Buffer | Record<string, unknown> => read(resolveKind(request.params), request, reply)
  const getStatus = (request: Get, reply: FastifyReply): Buffer | Record<string, unknown> => {
    const entry = resolveKind(request.params)
    if (!entry.hasStatus) throw new ApiError('NotFound', `${entry.plural} have no status subresource`, { group: 'planspec.io', kind: entry.plural })
    return read(entry, request, reply)
  }
  app.get(`${API_PREFIX}/:plural/:name`, { schema: { params: clusterNameParams, querystring: getQuerySchema, response: objectResponses() } }, get)
  app.get(`${API_PREFIX}/namespaces/:namespace/:plural/:name`, { schema: { params: namespacedNameParams, querystring: getQuerySchema, response: objectResponses() } }, get)
  app.get(`${API_PREFIX}/:plural/:name/status`, { schema: { params: clusterNameParams, querystring: getQuerySchema, response: objectResponses() } }, getStatus)
  app.get(`${API_PREFIX}/namespaces/:namespace/:plural/:name/status`, { schema: { params: namespacedNameParams, querystring: getQuerySchema, response: objectResponses() } }, getStatus)

  const graphResponse = {
    type: 'object',
    required: ['nodes', 'edges', 'normalizedEdges'],
    properties: {
      nodes: { type: 'array', items: { type: 'object', additionalProperties: true } },
      edges: { type: 'array', items: { type: 'object', additionalProperties: true } },
      normalizedEdges: { type: 'array', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, type: { type: 'string' } } } },
    },
  }
  app.get<{ Params: { namespace: string; name: string } }>(
    `${API_PREFIX}/namespaces/:namespace/plans/:name/graph`,
    { schema: { params: fixedNameParams, response: { 200: graphResponse, ...errorResponses } } },
    async (request) => {
      const { namespace, name } = request.params
      authorize(context, request, { verb: 'get', resource: 'plans', namespace, name })
      const plan = await context.store.get({ kind: 'Plan', namespace, name })
      if (plan === undefined) throw new ApiError('NotFound', `plans ${JSON.stringify(name)} not found`, { name, group: 'planspec.io', kind: 'plans' })
      return graphView(plan.spec)
    },
  )
}

/** The graph view (RESOURCES §8): `spec.graph` as written, plus core's normalized edges (`dependsOn` folded in, explicit edges first). */
function graphView(spec: unknown): { nodes: readonly GraphNodeLike[]; edges: readonly GraphEdgeLike[]; normalizedEdges: { from: string; to: string; type: string }[] } {
  const graph = (spec as { graph?: PlanGraphLike } | undefined)?.graph
  const nodes = graph?.nodes ?? []
  const edges = graph?.edges ?? []
  const normalizedEdges = normalizeGraph({ nodes, edges }).edges.map((edge) => ({ from: edge.from, to: edge.to, type: edge.type }))
  return { nodes, edges, normalizedEdges }
}
