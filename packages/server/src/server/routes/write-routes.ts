import type { StoredResource } from '@planspec/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { admitObject, realWarnings } from '../admit-object.js'
import { fieldManagerOf, recordUpdate } from '../ssa/field-manager.js'
import { authorizeGrant } from '../authorize-grant.js'
import { API_PREFIX } from '../kinds.js'
import { isDryRun, keyFor, rbacResource, resolveKind, setWarnings, type ResourceParams } from '../route-helpers.js'
import {
  clusterNameParams,
  deleteBodySchema,
  deleteQuerySchema,
  namespacedNameParams,
  namespacedParams,
  objectResponses,
  pluralParams,
  resourceBodySchema,
  writeQuerySchema,
} from '../route-schemas.js'
import { authorize } from '../server-context.js'
import { createObject, deleteObject, replaceObject, type PropagationPolicy } from '../write-object.js'

interface WriteQuery {
  readonly dryRun?: string
  readonly fieldManager?: string
}
interface DeleteQuery extends WriteQuery {
  readonly propagationPolicy?: PropagationPolicy
}
interface DeleteBody {
  readonly propagationPolicy?: PropagationPolicy
  readonly dryRun?: readonly string[]
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string }
}
type Write<B> = FastifyRequest<{ Params: ResourceParams; Querystring: WriteQuery; Body: B }>

const JSON_ONLY = { mediaTypes: ['application/json'] }

/**
 * Registers create (POST), replace (PUT) and delete (DELETE) for every kind (PATCH is `patchRoute`), namespaced and cluster-scoped. Every write is admitted
 * before anything is stored (400/422), runs in one store transaction (with `?dryRun=All` it is
 * rolled back), and answers with the stored object.
 */
export async function writeRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const { store, validation } = context

  const create = async (request: Write<unknown>, reply: FastifyReply): Promise<StoredResource> => {
    const { params } = request
    const entry = resolveKind(params)
    const identity = authorize(context, request, { verb: 'create', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }) })
    const admitted = await admitObject(request.body, { entry, ...(params.namespace === undefined ? {} : { namespace: params.namespace }) }, validation)
    const created = await store.transact(
      (tx) => {
        authorizeGrant(context.authorizer, identity, admitted.object, tx)
        setWarnings(reply, realWarnings(admitted.warnings, (ref) => tx.get(ref) !== undefined))
        return createObject(tx, entry, recordUpdate(undefined, admitted.object, fieldManagerOf(request.query, request.headers['user-agent']), context.now()), identity)
      },
      { dryRun: isDryRun(request.query) },
    )
    reply.code(201)
    return created
  }
  const createSchema = (params: object) => ({ params, querystring: writeQuerySchema, body: resourceBodySchema, response: objectResponses(201) })
  app.post(`${API_PREFIX}/namespaces/:namespace/:plural`, { schema: createSchema(namespacedParams), config: JSON_ONLY }, create)
  app.post(`${API_PREFIX}/:plural`, { schema: createSchema(pluralParams), config: JSON_ONLY }, create)

  const replace = async (request: Write<unknown>, reply: FastifyReply): Promise<StoredResource> => {
    const { params } = request
    const entry = resolveKind(params)
    const identity = authorize(context, request, { verb: 'update', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: params.name ?? '' })
    const admitted = await admitObject(request.body, { entry, ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: params.name ?? '' }, validation)
    const saved = await store.transact(
      (tx) => {
        authorizeGrant(context.authorizer, identity, admitted.object, tx)
        setWarnings(reply, realWarnings(admitted.warnings, (ref) => tx.get(ref) !== undefined))
        const key = keyFor(entry, params)
        const before = tx.get(key)
        const manager = fieldManagerOf(request.query, request.headers['user-agent'])
        return replaceObject(tx, entry, key, before === undefined ? admitted.object : recordUpdate(before, admitted.object, manager, context.now()), admitted.resourceVersion)
      },
      { dryRun: isDryRun(request.query) },
    )
    return saved
  }
  const objectSchema = (params: object) => ({ params, querystring: writeQuerySchema, body: resourceBodySchema, response: objectResponses() })
  app.put(`${API_PREFIX}/:plural/:name`, { schema: objectSchema(clusterNameParams), config: JSON_ONLY }, replace)
  app.put(`${API_PREFIX}/namespaces/:namespace/:plural/:name`, { schema: objectSchema(namespacedNameParams), config: JSON_ONLY }, replace)

  const remove = (request: FastifyRequest<{ Params: ResourceParams; Querystring: DeleteQuery; Body: DeleteBody | null | undefined }>): Promise<StoredResource> => {
    const { params, query } = request
    const body = request.body ?? {}
    const entry = resolveKind(params)
    authorize(context, request, { verb: 'delete', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: params.name ?? '' })
    const dryRun = isDryRun(query) || (body.dryRun ?? []).includes('All')
    return store.transact(
      (tx) =>
        deleteObject(tx, entry, keyFor(entry, params), {
          propagationPolicy: body.propagationPolicy ?? query.propagationPolicy ?? 'Background',
          ...(body.preconditions?.uid === undefined ? {} : { uid: body.preconditions.uid }),
          ...(body.preconditions?.resourceVersion === undefined ? {} : { resourceVersion: body.preconditions.resourceVersion }),
        }),
      { dryRun },
    )
  }
  const deleteSchema = (params: object) => ({ params, querystring: deleteQuerySchema, body: deleteBodySchema, response: objectResponses() })
  app.delete(`${API_PREFIX}/:plural/:name`, { schema: deleteSchema(clusterNameParams), config: JSON_ONLY }, remove)
  app.delete(`${API_PREFIX}/namespaces/:namespace/:plural/:name`, { schema: deleteSchema(namespacedNameParams), config: JSON_ONLY }, remove)
}
