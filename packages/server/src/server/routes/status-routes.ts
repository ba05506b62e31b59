import type { StoredResource } from '@planspec/engine'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { invalid } from '../admit-object.js'
import { executionStatusProblems } from '../admit-execution-status.js'
import { admitStatus, statusDiagnostics } from '../admit-status.js'
import { ApiError } from '../error-catalog.js'
import { API_PREFIX, API_VERSION, type KindEntry } from '../kinds.js'
import { mergePatch } from '../merge-patch.js'
import { isDryRun, keyFor, rbacResource, resolveKind, type ResourceParams } from '../route-helpers.js'
import { clusterNameParams, namespacedNameParams, objectResponses, resourceBodySchema, writeQuerySchema } from '../route-schemas.js'
import type { Identity } from '../tokens.js'
import { authorize } from '../server-context.js'
import { readObject } from '../write-object.js'

type StatusWrite = FastifyRequest<{ Params: ResourceParams; Querystring: { dryRun?: string }; Body: Record<string, unknown> }>

/**
 * Registers the status subresource's writes: PUT `.../NAME/status` (the whole object; only
 * `status` is taken) and PATCH `.../NAME/status` (`application/merge-patch+json`). A status write
 * must carry `metadata.resourceVersion`: without it the server answers 422 rather than apply it
 * last-write-wins; a stale one gives 409. The status is validated (`admitStatus`) before storing.
 */
export async function statusRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const { store, validation } = context

  const entryOf = (request: StatusWrite): { entry: KindEntry; identity: Identity } => {
    const { params } = request
    const entry = resolveKind(params)
    if (!entry.hasStatus) throw new ApiError('NotFound', `${entry.plural} have no status subresource`, { group: 'planspec.io', kind: entry.plural })
    const identity = authorize(context, request, { verb: 'update', resource: rbacResource(entry), ...(params.namespace === undefined ? {} : { namespace: params.namespace }), name: params.name ?? '' })
    return { entry, identity }
  }
  // The status is validated against the stored object off the event loop, then written in one
  // transaction only if that object is still the stored one (else the write is stale: 409).
  const write = async (request: StatusWrite, { entry, identity }: { entry: KindEntry; identity: Identity }, next: (stored: StoredResource) => { status: unknown; resourceVersion: unknown }): Promise<StoredResource> => {
    const key = keyFor(entry, request.params)
    const seen = store.transact((tx) => readObject(tx, entry, key))
    const proposed = next(seen)
    const diagnostics = proposed.resourceVersion === seen.metadata.resourceVersion ? await statusDiagnostics(validation, seen, proposed.status) : []
    return store.transact(
      (tx) => {
        const stored = readObject(tx, entry, key)
        const { status, resourceVersion } = next(stored)
        if (typeof resourceVersion !== 'string' || resourceVersion === '') {
          throw invalid(entry, key.name, [{ reason: 'FieldValueRequired', message: 'must be specified for a status update', field: 'metadata.resourceVersion' }])
        }
        if (resourceVersion === stored.metadata.resourceVersion) {
          // Validated above against the version read then: a change in between makes the write stale.
          if (stored.metadata.resourceVersion !== seen.metadata.resourceVersion) throw new ApiError('Conflict', `${entry.plural} ${JSON.stringify(key.name)} changed while its status was validated; read it again`, { name: key.name, group: 'planspec.io', kind: entry.plural })
          admitStatus(stored, status, entry, diagnostics)
          // Controllers own an Execution's node results and the gates' verdicts (DECISIONS §9).
          const problems = entry.kind === 'Execution' ? executionStatusProblems(tx, stored, status as Record<string, unknown>, identity, context.controllerGroups) : []
          if (problems.length > 0) throw invalid(entry, key.name, problems)
        }
        return tx.updateStatus({ ...stored, metadata: { ...stored.metadata, resourceVersion }, status })
      },
      { dryRun: isDryRun(request.query) },
    )
  }

  const put = (request: StatusWrite): Promise<StoredResource> => {
    const target = entryOf(request)
    const { entry } = target
    const body = request.body
    const metadata = (body.metadata ?? {}) as { name?: unknown; namespace?: unknown; resourceVersion?: unknown }
    if (body.apiVersion !== API_VERSION || body.kind !== entry.kind) throw new ApiError('BadRequest', `the body must be a ${entry.kind} of ${API_VERSION}`)
    if (metadata.name !== undefined && metadata.name !== request.params.name) throw new ApiError('BadRequest', 'the name of the object does not match the name on the URL')
    if (metadata.namespace !== undefined && metadata.namespace !== request.params.namespace) throw new ApiError('BadRequest', 'the namespace of the object does not match the namespace on the URL')
    return write(request, target, () => ({ status: body.status, resourceVersion: metadata.resourceVersion }))
  }
  const patch = (request: StatusWrite): Promise<StoredResource> => {
    const target = entryOf(request)
    const patchMeta = (request.body.metadata ?? {}) as { resourceVersion?: unknown }
    return write(request, target, (stored) => ({ status: (mergePatch(stored, { status: request.body.status }) as { status?: unknown }).status, resourceVersion: patchMeta.resourceVersion }))
  }
  const schema = (params: object) => ({ params, querystring: writeQuerySchema, body: resourceBodySchema, response: objectResponses() })
  app.put(`${API_PREFIX}/:plural/:name/status`, { schema: schema(clusterNameParams), config: { mediaTypes: ['application/json'] } }, put)
  app.put(`${API_PREFIX}/namespaces/:namespace/:plural/:name/status`, { schema: schema(namespacedNameParams), config: { mediaTypes: ['application/json'] } }, put)
  app.patch(`${API_PREFIX}/:plural/:name/status`, { schema: schema(clusterNameParams), config: { mediaTypes: ['application/merge-patch+json'] } }, patch)
  app.patch(`${API_PREFIX}/namespaces/:namespace/:plural/:name/status`, { schema: schema(namespacedNameParams), config: { mediaTypes: ['application/merge-patch+json'] } }, patch)
}
