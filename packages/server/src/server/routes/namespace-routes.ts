import type { StoredResource } from '@planspec/core'
import { PROTOBUF } from '../kube/protobuf-body.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../error-catalog.js'
import { isDryRun } from '../route-helpers.js'
import { errorResponses, namespaceParams, objectResponses, writeQuerySchema } from '../route-schemas.js'
import { authorize } from '../server-context.js'
import { deleteNamespace } from '../write-object.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

const namespaceBody = {
  type: 'object',
  required: ['metadata'],
  properties: {
    apiVersion: { type: 'string', const: 'v1' },
    kind: { type: 'string', const: 'Namespace' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  },
} as const

/**
 * Registers the namespace routes under `/api/v1/namespaces` (objects of kind `Namespace`, apiVersion
 * `v1`: name, uid, resourceVersion and creationTimestamp only). Namespaces are also created
 * implicitly by the first write into them. `DELETE /api/v1/namespaces/NS` deletes everything in
 * the namespace in one transaction, emitting DELETED events, then the namespace; `default` cannot
 * be deleted. RBAC: the resource `namespaces`, which only a `*` rule covers.
 */
export async function namespaceRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const { store } = context
  app.get('/api/v1/namespaces', { schema: { response: { 200: { $ref: 'planspec-list#' }, ...errorResponses } } }, (request, reply) => {
    authorize(context, request, { verb: 'list', resource: 'namespaces' })
    const page = store.listPage('Namespace')
    reply.type('application/json')
    return `{"apiVersion":"v1","kind":"NamespaceList","metadata":{"resourceVersion":"${page.resourceVersion}"},"items":[${page.rows.map((r) => r.text).join(',')}]}`
  })
  app.get<{ Params: { namespace: string } }>('/api/v1/namespaces/:namespace', { schema: { params: namespaceParams, response: objectResponses() } }, (request, reply) => {
    const name = request.params.namespace
    authorize(context, request, { verb: 'get', resource: 'namespaces', name })
    const text = store.getText({ kind: 'Namespace', namespace: '', name })
    if (text === undefined) throw new ApiError('NotFound', `namespaces ${JSON.stringify(name)} not found`, { name, kind: 'namespaces' })
    reply.type('application/json')
    return text
  })
  app.post<{ Querystring: { dryRun?: string }; Body: { metadata: { name: string } } }>(
    '/api/v1/namespaces',
    // kubectl creates namespaces with a protobuf body, which Kubernetes accepts.
    { schema: { querystring: writeQuerySchema, body: namespaceBody, response: objectResponses(201) }, config: { mediaTypes: ['application/json', PROTOBUF] } },
    (request: FastifyRequest<{ Querystring: { dryRun?: string }; Body: { metadata: { name: string } } }>, reply: FastifyReply): Promise<StoredResource> => {
      const name = request.body.metadata.name
      authorize(context, request, { verb: 'create', resource: 'namespaces', name })
      if (name.length > 63 || !DNS_LABEL.test(name)) {
        throw new ApiError('Invalid', `Namespace ${JSON.stringify(name)} is invalid: metadata.name: not a DNS label`, { name, kind: 'Namespace', causes: [{ reason: 'FieldValueInvalid', message: 'not a DNS label', field: 'metadata.name' }] })
      }
      reply.code(201)
      return store.transact((tx) => tx.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }), { dryRun: isDryRun(request.query) })
    },
  )
  app.delete<{ Params: { namespace: string }; Querystring: { dryRun?: string } }>(
    '/api/v1/namespaces/:namespace',
    { schema: { params: namespaceParams, querystring: writeQuerySchema, response: objectResponses() } },
    (request) => {
      const name = request.params.namespace
      authorize(context, request, { verb: 'delete', resource: 'namespaces', name })
      return store.transact((tx) => deleteNamespace(tx, name), { dryRun: isDryRun(request.query) })
    },
  )
}
