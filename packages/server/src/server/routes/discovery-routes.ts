import type { FastifyInstance } from 'fastify'
import { API_VERSION, GROUP, KINDS, VERSION } from '../kinds.js'
import { buildOpenApiDocument } from '../openapi-document.js'
import { errorResponses } from '../route-schemas.js'
import { identityOf } from '../server-context.js'

const OBJECT_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']

const looseObject = { type: 'object', additionalProperties: true } as const

// Generated once per process: the schemas it is built from never change at run time.
let openApi: string | undefined
const openApiText = (): string => (openApi ??= JSON.stringify(buildOpenApiDocument()))

/**
 * Registers discovery (`/api`, `/api/v1`, `/apis`, `/apis/planspec.io/v1alpha1`, in the shapes
 * kubectl reads: APIVersions, APIGroupList, APIResourceList) and the OpenAPI 3.1 document at
 * `/openapi/v3` (also `/openapi/v3/apis/planspec.io/v1alpha1`), generated once from the schemas.
 */
export async function discoveryRoutes(app: FastifyInstance): Promise<void> {
  const groupVersion = { groupVersion: API_VERSION, version: VERSION }
  const schema = { response: { 200: looseObject, ...errorResponses } }
  app.get('/api', { schema }, async (request) => {
    identityOf(request)
    return { kind: 'APIVersions', apiVersion: 'v1', versions: ['v1'] }
  })
  app.get('/api/v1', { schema }, async (request) => {
    identityOf(request)
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [{ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'get', 'list'] }] }
  })
  app.get('/apis', { schema }, async (request) => {
    identityOf(request)
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: GROUP, versions: [groupVersion], preferredVersion: groupVersion }] }
  })
  app.get(`/apis/${GROUP}`, { schema }, async (request) => {
    identityOf(request)
    return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [groupVersion], preferredVersion: groupVersion }
  })
  const resources = KINDS.flatMap((entry) => [
    { name: entry.plural, singularName: entry.singular, namespaced: entry.namespaced, kind: entry.kind, verbs: OBJECT_VERBS },
    ...(entry.hasStatus ? [{ name: `${entry.plural}/status`, singularName: '', namespaced: entry.namespaced, kind: entry.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ...(entry.kind === 'Plan' ? [{ name: 'plans/graph', singularName: '', namespaced: true, kind: 'PlanGraph', verbs: ['get'] }] : []),
    ...(entry.kind === 'Gate' ? ['approve', 'reject', 'comment'].map((a) => ({ name: `gates/${a}`, singularName: '', namespaced: true, kind: 'Gate', verbs: ['create'] })) : []),
    ...(entry.kind === 'Execution' ? ['cancel', 'retry', 'claim', 'complete'].map((a) => ({ name: `executions/${a}`, singularName: '', namespaced: true, kind: 'Execution', verbs: ['create'] })) : []),
  ])
  app.get(`/apis/${GROUP}/${VERSION}`, { schema }, async (request) => {
    identityOf(request)
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: API_VERSION, resources }
  })

  const document = openApiText()
  for (const path of ['/openapi/v3', `/openapi/v3/apis/${GROUP}/${VERSION}`]) {
    app.get(path, { schema: { response: { 200: { type: 'string' }, ...errorResponses } } }, async (request, reply) => {
      identityOf(request)
      reply.type('application/json')
      return document
    })
  }
}
