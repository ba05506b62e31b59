import { canonicalJson } from '@planspec/core'
import type { ObjectKey, StoredResource } from '@planspec/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { admitObject, realWarnings } from '../admit-object.js'
import { authorizeGrant } from '../authorize-grant.js'
import { ApiError } from '../error-catalog.js'
import { API_PREFIX, API_VERSION, type KindEntry } from '../kinds.js'
import { applyJsonPatch } from '../kube/json-patch.js'
import { mergePatch } from '../merge-patch.js'
import { isDryRun, keyFor, mediaTypeOf, rbacResource, resolveKind, setWarnings, type ResourceParams } from '../route-helpers.js'
import { clusterNameParams, namespacedNameParams, objectResponses } from '../route-schemas.js'
import { authorize, type ServerContext } from '../server-context.js'
import { isObject } from '../ssa/field-set.js'
import { conflictError, fieldManagerOf, recordUpdate, SERVER_ANNOTATIONS, withManagedFields } from '../ssa/field-manager.js'
import { applyConfiguration, managedFieldsOf, managedView, withManagedView } from '../ssa/managed-fields.js'
import type { Identity } from '../tokens.js'
import { createObject, readObject, replaceObject } from '../write-object.js'

/** The patch types Kubernetes serves for a custom resource (strategic merge is not one of them). */
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'] as const

interface PatchQuery {
  readonly dryRun?: string
  readonly fieldManager?: string
  readonly force?: boolean
}
type PatchRequest = FastifyRequest<{ Params: ResourceParams; Querystring: PatchQuery; Body: unknown }>

const patchQuerySchema = {
  type: 'object',
  properties: { dryRun: { type: 'string', enum: ['All'] }, fieldManager: { type: 'string', maxLength: 128 }, force: { type: 'boolean' }, fieldValidation: { type: 'string', enum: ['Strict', 'Warn', 'Ignore'] } },
} as const

/**
 * Registers PATCH of every kind with the patch types Kubernetes serves for a custom resource:
 * - `application/merge-patch+json` (RFC 7386) and `application/json-patch+json` (RFC 6902, `test`
 *   included), computed against the latest stored object and recorded as an Update of the field
 *   manager (`fieldManager`, else the User-Agent);
 * - `application/apply-patch+yaml` (server-side apply, JSON or YAML): `fieldManager` required,
 *   `managedFields` per manager, conflicts 409 unless `force=true`; it creates a missing object;
 * - `application/strategic-merge-patch+json` is 415, as Kubernetes answers for custom resources.
 * Every result is admitted (422 with causes) and written only if the object it was computed from
 * is still the latest (else computed again), so concurrent patches never lose each other's changes.
 */
export async function patchRoute(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  // Patches of one object take turns (a keyed chain), so concurrent ones do not keep
  // invalidating each other's validation; a write by any other route makes a patch compute again.
  const turns = new Map<string, Promise<unknown>>()
  const inTurn = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = turns.get(key) ?? Promise.resolve()
    const mine = previous.then(work, work)
    const settled = mine.then(() => undefined, () => undefined)
    turns.set(key, settled)
    void settled.then(() => turns.get(key) === settled && turns.delete(key))
    return mine
  }
  const patch = async (request: PatchRequest, reply: FastifyReply): Promise<StoredResource> => {
    const { params } = request
    const entry = resolveKind(params)
    const key = keyFor(entry, params)
    const type = mediaTypeOf(request.headers['content-type'])
    const manager = fieldManagerOf(request.query, request.headers['user-agent'])
    if (type === 'application/apply-patch+yaml') {
      if (request.query.fieldManager === undefined) throw new ApiError('BadRequest', 'PATCH requests with an apply patch must set fieldManager')
      const access = { resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: key.name }
      return inTurn(`${key.kind}/${key.namespace}/${key.name}`, () => applyInTurn(context, request, reply, entry, key, manager, access))
    }
    if (request.query.force !== undefined) throw new ApiError('BadRequest', 'force may only be set on apply patches')
    const identity = authorize(context, request, { verb: 'update', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: key.name })
    const compute = (stored: StoredResource): unknown => (type === 'application/json-patch+json' ? applyJsonPatch(entry, key.name, stored, request.body) : mergePatch(stored, request.body))
    return inTurn(`${key.kind}/${key.namespace}/${key.name}`, () => patchInTurn(context, request, reply, entry, key, identity, manager, compute))
  }
  const config = { mediaTypes: [...PATCH_TYPES] }
  // A JSON patch is an array and an apply patch may be YAML: each body is checked by its patch type.
  const bodyFree = (params: object) => ({ params, querystring: patchQuerySchema, response: objectResponses() })
  app.patch(`${API_PREFIX}/:plural/:name`, { schema: bodyFree(clusterNameParams), config }, patch)
  app.patch(`${API_PREFIX}/namespaces/:namespace/:plural/:name`, { schema: bodyFree(namespacedNameParams), config }, patch)
}

async function patchInTurn(context: ServerContext, request: PatchRequest, reply: FastifyReply, entry: KindEntry, key: ObjectKey, identity: Identity, manager: string, compute: (stored: StoredResource) => unknown): Promise<StoredResource> {
  const { params } = request
  for (let attempt = 1; ; attempt++) {
    const { status: _status, ...stored } = await context.store.transact((tx) => readObject(tx, entry, key))
    const admitted = await admitObject(compute(stored), { entry, ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: key.name }, context.validation)
    const saved = await context.store.transact(
      (tx) => {
        const latest = readObject(tx, entry, key)
        if (latest.metadata.resourceVersion !== stored.metadata.resourceVersion) return undefined
        if (admitted.resourceVersion === undefined || admitted.resourceVersion === latest.metadata.resourceVersion) {
          // A patch that changes nothing writes nothing (the resourceVersion stays), as in Kubernetes.
          if (unchanged(latest, admitted.object)) return latest
        }
        authorizeGrant(context.authorizer, identity, admitted.object, tx)
        setWarnings(reply, realWarnings(admitted.warnings, (ref) => tx.get(ref) !== undefined))
        return replaceObject(tx, entry, key, recordUpdate(latest, admitted.object, manager, context.now()), admitted.resourceVersion ?? latest.metadata.resourceVersion)
      },
      { dryRun: isDryRun(request.query) },
    )
    if (saved !== undefined) return saved
    if (attempt >= 10) throw keepsChanging(entry, key)
  }
}

async function applyInTurn(context: ServerContext, request: PatchRequest, reply: FastifyReply, entry: KindEntry, key: ObjectKey, manager: string, access: { resource: string; namespace?: string; name: string }): Promise<StoredResource> {
  const applied = request.body
  if (!isObject(applied)) throw new ApiError('BadRequest', 'an apply patch must be one object')
  if (applied.apiVersion !== API_VERSION || applied.kind !== entry.kind) throw new ApiError('BadRequest', `an apply patch must set apiVersion ${API_VERSION} and kind ${entry.kind}`)
  const name = isObject(applied.metadata) ? applied.metadata.name : undefined
  if (name !== undefined && name !== key.name) throw new ApiError('BadRequest', `the name of the object (${JSON.stringify(name)}) does not match the name on the URL (${key.name})`)
  const force = request.query.force === true
  const write = { manager, now: context.now(), apiVersion: API_VERSION }
  for (let attempt = 1; ; attempt++) {
    const live = await context.store.transact((tx) => tx.get(key))
    const identity = authorize(context, request, { verb: live === undefined ? 'create' : 'update', ...access })
    const outcome = applyConfiguration(live === undefined ? undefined : managedView(live, SERVER_ANNOTATIONS), managedView(applied, SERVER_ANNOTATIONS), managedFieldsOf(live), write, force)
    if ('conflicts' in outcome) throw conflictError(entry, key.name, API_VERSION, outcome.conflicts)
    const base: StoredResource = live ?? { apiVersion: API_VERSION, kind: entry.kind, metadata: { name: key.name, ...(entry.namespaced ? { namespace: key.namespace } : {}) } }
    // Applying what is already there writes nothing (the resourceVersion stays), as in Kubernetes.
    if (live !== undefined && unchanged(live, withManagedFields(withManagedView(live, outcome.view, SERVER_ANNOTATIONS), outcome.managedFields), true)) return live
    const { status: _status, ...desired } = withManagedView(base, outcome.view, SERVER_ANNOTATIONS)
    const admitted = await admitObject(desired, { entry, ...(entry.namespaced ? { namespace: key.namespace } : {}), name: key.name }, context.validation)
    const object = withManagedFields(admitted.object, outcome.managedFields)
    const saved = await context.store.transact(
      (tx) => {
        const latest = tx.get(key)
        if (latest?.metadata.resourceVersion !== live?.metadata.resourceVersion) return undefined
        authorizeGrant(context.authorizer, identity, admitted.object, tx)
        const result = latest === undefined ? createObject(tx, entry, object, identity) : replaceObject(tx, entry, key, object, latest.metadata.resourceVersion)
        setWarnings(reply, realWarnings(admitted.warnings, (ref) => tx.get(ref) !== undefined))
        return result
      },
      { dryRun: isDryRun(request.query) },
    )
    if (saved !== undefined) {
      if (live === undefined) reply.code(201)
      return saved
    }
    if (attempt >= 10) throw keepsChanging(entry, key)
  }
}

/** Whether `desired` has the same body and client metadata as `live` (and, with `withManagers`, the same managedFields). */
function unchanged(live: StoredResource, desired: StoredResource, withManagers = false): boolean {
  const view = (object: StoredResource): string => canonicalJson(managedView(object, SERVER_ANNOTATIONS))
  return view(live) === view(desired) && (!withManagers || canonicalJson(managedFieldsOf(desired)) === canonicalJson(managedFieldsOf(live)))
}

function keepsChanging(entry: KindEntry, key: ObjectKey): ApiError {
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${entry.plural} ${JSON.stringify(key.name)}: the object keeps changing; try the patch again`, { name: key.name, group: 'planspec.io', kind: entry.plural })
}
