import type { ObjectKey, StoredResource } from '@planspec/engine'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { admitObject } from '../admit-object.js'
import { authorizeGrant } from '../authorize-grant.js'
import { API_PREFIX } from '../kinds.js'
import { mergePatch } from '../merge-patch.js'
import type { KindEntry } from '../kinds.js'
import type { Identity } from '../tokens.js'
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
import { ApiError } from '../error-catalog.js'
import { authorize } from '../server-context.js'
import { createObject, deleteObject, readObject, replaceObject, type PropagationPolicy } from '../write-object.js'

interface WriteQuery {
  readonly dryRun?: string
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
const MERGE_PATCH_ONLY = { mediaTypes: ['application/merge-patch+json'] }

/**
 * Registers create (POST), replace (PUT), JSON merge patch (PATCH, `application/merge-patch+json`)
 * and delete (DELETE) for every kind, namespaced and cluster-scoped. Every write is admitted
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
    const created = store.transact(
      (tx) => {
        authorizeGrant(context.authorizer, identity, admitted.object, tx)
        return createObject(tx, entry, admitted.object, identity)
      },
      { dryRun: isDryRun(request.query) },
    )
    setWarnings(reply, admitted.warnings)
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
    const saved = store.transact(
      (tx) => {
        authorizeGrant(context.authorizer, identity, admitted.object, tx)
        return replaceObject(tx, entry, keyFor(entry, params), admitted.object, admitted.resourceVersion)
      },
      { dryRun: isDryRun(request.query) },
    )
    setWarnings(reply, admitted.warnings)
    return saved
  }
  const objectSchema = (params: object) => ({ params, querystring: writeQuerySchema, body: resourceBodySchema, response: objectResponses() })
  app.put(`${API_PREFIX}/:plural/:name`, { schema: objectSchema(clusterNameParams), config: JSON_ONLY }, replace)
  app.put(`${API_PREFIX}/namespaces/:namespace/:plural/:name`, { schema: objectSchema(namespacedNameParams), config: JSON_ONLY }, replace)

  // A merge patch is computed against the latest stored object and validated off the event loop;
  // it is written only if that object is still the latest (else computed again), so two patches
  // never lose each other's changes. A metadata.resourceVersion in the patch is a precondition.
  // Patches of one object take turns (a keyed chain), so concurrent ones do not keep invalidating
  // each other's validation; a write by any other route makes a patch compute again.
  const turns = new Map<string, Promise<unknown>>()
  const inTurn = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = turns.get(key) ?? Promise.resolve()
    const mine = previous.then(work, work)
    const settled = mine.then(() => undefined, () => undefined)
    turns.set(key, settled)
    void settled.then(() => turns.get(key) === settled && turns.delete(key))
    return mine
  }
  const patch = async (request: Write<unknown>, reply: FastifyReply): Promise<StoredResource> => {
    const { params } = request
    const entry = resolveKind(params)
    const identity = authorize(context, request, { verb: 'update', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: params.name ?? '' })
    const key = keyFor(entry, params)
    return inTurn(`${key.kind}/${key.namespace}/${key.name}`, () => patchInTurn(request, reply, entry, key, identity))
  }
  const patchInTurn = async (request: Write<unknown>, reply: FastifyReply, entry: KindEntry, key: ObjectKey, identity: Identity): Promise<StoredResource> => {
    const { params } = request
    for (let attempt = 1; ; attempt++) {
      const { status: _status, ...stored } = store.transact((tx) => readObject(tx, entry, key))
      const admitted = await admitObject(mergePatch(stored, request.body), { entry, ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: key.name }, validation)
      const saved = store.transact(
        (tx) => {
          if (readObject(tx, entry, key).metadata.resourceVersion !== stored.metadata.resourceVersion) return undefined
          authorizeGrant(context.authorizer, identity, admitted.object, tx)
          return replaceObject(tx, entry, key, admitted.object, admitted.resourceVersion)
        },
        { dryRun: isDryRun(request.query) },
      )
      if (saved !== undefined) {
        setWarnings(reply, admitted.warnings)
        return saved
      }
      if (attempt >= 10) throw new ApiError('Conflict', `${entry.plural} ${JSON.stringify(key.name)} keeps changing; try the patch again`, { name: key.name, group: 'planspec.io', kind: entry.plural })
    }
  }
  app.patch(`${API_PREFIX}/:plural/:name`, { schema: objectSchema(clusterNameParams), config: MERGE_PATCH_ONLY }, patch)
  app.patch(`${API_PREFIX}/namespaces/:namespace/:plural/:name`, { schema: objectSchema(namespacedNameParams), config: MERGE_PATCH_ONLY }, patch)

  const remove = (request: FastifyRequest<{ Params: ResourceParams; Querystring: DeleteQuery; Body: DeleteBody | null | undefined }>): StoredResource => {
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
