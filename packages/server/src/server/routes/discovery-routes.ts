import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { API_VERSION, GROUP, VERSION } from '../kinds.js'
import { aggregatedDiscovery, coreResourceList, resourceList } from '../kube/discovery-documents.js'
import { acceptsAs } from '../kube/media-type.js'
import { buildOpenApiDocuments, type OpenApiDocuments } from '../openapi/openapi-documents.js'
import { errorResponses } from '../route-schemas.js'
import { identityOf } from '../server-context.js'
import { ApiError } from '../error-catalog.js'

const looseObject = { type: 'object', additionalProperties: true } as const


/**
 * Registers discovery (`/api`, `/api/v1`, `/apis`, `/apis/planspec.io/v1alpha1`, in the shapes
 * kubectl reads: APIVersions, APIGroupList, APIResourceList, and aggregated discovery when asked)
 * and the OpenAPI documents generated from the routes and schemas: the `/openapi/v3` index, one
 * OpenAPI 3.0 document per group under it (`/openapi/v3/apis/planspec.io/v1alpha1`), and Swagger
 * 2.0 at `/openapi/v2`.
 */
export async function discoveryRoutes(app: FastifyInstance): Promise<void> {
  const groupVersion = { groupVersion: API_VERSION, version: VERSION }
  const schema = { response: { 200: looseObject, ...errorResponses } }
  // kubectl 1.30+ asks /api and /apis for aggregated discovery first (one request for every
  // resource) and falls back to the per-group documents when the answer is not of that type.
  const aggregated = (core: boolean) => (request: FastifyRequest, reply: FastifyReply): Record<string, unknown> | undefined => {
    const range = acceptsAs(request.headers.accept, 'APIGroupDiscoveryList', 'apidiscovery.k8s.io', ['v2', 'v2beta1'])
    if (range === undefined) return undefined
    const version = range.params.v ?? 'v2'
    reply.type(`application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`)
    reply.header('vary', 'Accept')
    return aggregatedDiscovery(core, `apidiscovery.k8s.io/${version}`)
  }
  const aggregatedCore = aggregated(true)
  const aggregatedGroups = aggregated(false)
  app.get('/api', { schema }, async (request, reply) => {
    identityOf(request)
    return aggregatedCore(request, reply) ?? { kind: 'APIVersions', apiVersion: 'v1', versions: ['v1'], serverAddressByClientCIDRs: [] }
  })
  app.get('/api/v1', { schema }, async (request) => {
    identityOf(request)
    return coreResourceList()
  })
  app.get('/apis', { schema }, async (request, reply) => {
    identityOf(request)
    return aggregatedGroups(request, reply) ?? { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: GROUP, versions: [groupVersion], preferredVersion: groupVersion }] }
  })
  app.get(`/apis/${GROUP}`, { schema }, async (request) => {
    identityOf(request)
    return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [groupVersion], preferredVersion: groupVersion }
  })
  const resources = resourceList()
  app.get(`/apis/${GROUP}/${VERSION}`, { schema }, async (request) => {
    identityOf(request)
    return resources
  })

  // Generated on the first request, once every route is registered; neither routes nor schemas
  // change while the server runs.
  let documents: OpenApiDocuments | undefined
  const openApi = (): OpenApiDocuments => (documents ??= buildOpenApiDocuments(app.planspec.routes))
  const text = { schema: { response: { 200: { type: 'string' }, ...errorResponses } } }
  app.get('/openapi/v3', text, async (request, reply) => {
    identityOf(request)
    reply.type('application/json')
    return openApi().index
  })
  app.get<{ Params: { '*': string } }>('/openapi/v3/*', text, async (request, reply) => {
    identityOf(request)
    const document = openApi().groups.get(request.params['*'])
    if (document === undefined) throw new ApiError('NotFound', `no OpenAPI document for ${JSON.stringify(request.params['*'])}`)
    reply.type('application/json')
    return document
  })
  app.get('/openapi/v2', text, async (request, reply) => {
    identityOf(request)
    reply.type('application/json')
    return openApi().v2
  })
}
