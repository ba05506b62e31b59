import type { StoredResource } from '@planspec/engine'
import { canonicalJson } from '@planspec/validator'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { StoreTransaction } from '../../store/api-store.js'
import { admitObject, type Admitted } from '../admit-object.js'
import { authorizeGrant } from '../authorize-grant.js'
import { ApiError } from '../error-catalog.js'
import { API_PREFIX, API_VERSION, kindByName, type KindEntry } from '../kinds.js'
import { isDryRun, rbacResource, setWarnings } from '../route-helpers.js'
import { errorResponses, namespaceParams, resourceBodySchema, writeQuerySchema } from '../route-schemas.js'
import { authorize, type ServerContext } from '../server-context.js'
import { CREATED_BY_ANNOTATION, createObject, replaceObject } from '../write-object.js'

/** What apply did to one resource: the closed, past-tense outcome set. */
export type ApplyAction = 'created' | 'configured' | 'unchanged'

interface ApplyResult {
  readonly subject: string
  readonly kind: string
  readonly namespace?: string
  readonly name: string
  readonly action: ApplyAction
  readonly object: StoredResource
}

const resultSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'dryRun', 'results'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    dryRun: { type: 'boolean' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['subject', 'kind', 'name', 'action', 'object'],
        properties: { subject: { type: 'string' }, kind: { type: 'string' }, namespace: { type: 'string' }, name: { type: 'string' }, action: { type: 'string', enum: ['created', 'configured', 'unchanged'] }, object: { $ref: 'planspec-object#' } },
      },
    },
  },
} as const

/**
 * Registers server-side apply of a batch: `POST /apis/planspec.io/v1alpha1/apply` (and
 * `.../namespaces/NS/apply`, whose namespace is the default for items without one). The body is
 * one resource or a `List`. Every item is admitted and authorized (`create` when new, `update`
 * when it exists); all of them are written in ONE transaction, so the batch is atomic: any
 * failure rolls everything back and answers with the first error, its fields prefixed with
 * `items[i]`. Each result says `created`, `configured` or `unchanged` (no write at all); status is
 * never taken from the input and never wiped. `?dryRun=All` reports the same without storing.
 */
export async function applyRoute(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const handler = async (request: FastifyRequest<{ Params: { namespace?: string }; Querystring: { dryRun?: string }; Body: Record<string, unknown> }>, reply: FastifyReply) => {
    const body = request.body
    const items = body.kind === 'List' && body.apiVersion === API_VERSION ? body.items : [body]
    if (!Array.isArray(items)) throw new ApiError('BadRequest', 'a List must carry an "items" array')
    const dryRun = isDryRun(request.query)
    const warnings: string[] = []
    // Every item is validated (off the event loop) before the one transaction that writes them all.
    const admitted: AdmittedItem[] = []
    for (const [index, item] of items.entries()) admitted.push(await admitItem(context, request, item, index))
    const results = context.store.transact((tx) => admitted.map((item) => applyItem(context, request, tx, item, warnings)), { dryRun })
    setWarnings(reply, warnings)
    return { apiVersion: API_VERSION, kind: 'ApplyResult', dryRun, results }
  }
  const schema = (params?: object) => ({ ...(params === undefined ? {} : { params }), querystring: writeQuerySchema, body: resourceBodySchema, response: { 200: resultSchema, ...errorResponses } })
  const config = { mediaTypes: ['application/json'] }
  app.post(`${API_PREFIX}/apply`, { schema: schema(), config }, handler)
  app.post(`${API_PREFIX}/namespaces/:namespace/apply`, { schema: schema(namespaceParams), config }, handler)
}

interface AdmittedItem {
  readonly index: number
  readonly entry: KindEntry
  readonly namespace: string | undefined
  readonly admitted: Admitted
}

async function admitItem(context: ServerContext, request: FastifyRequest<{ Params: { namespace?: string } }>, item: unknown, index: number): Promise<AdmittedItem> {
  const kindName = item !== null && typeof item === 'object' ? (item as { kind?: unknown }).kind : undefined
  const entry = typeof kindName === 'string' ? kindByName(kindName) : undefined
  if (entry === undefined) throw new ApiError('BadRequest', `items[${index}]: unknown kind ${JSON.stringify(kindName ?? null)}`)
  const itemNamespace = (item as { metadata?: { namespace?: unknown } }).metadata?.namespace
  const namespace = entry.namespaced ? (typeof itemNamespace === 'string' && itemNamespace !== '' ? itemNamespace : (request.params.namespace ?? 'default')) : undefined
  const admitted = await prefixedAsync(index, () => admitObject(item, { entry, ...(namespace === undefined ? {} : { namespace }) }, context.validation))
  return { index, entry, namespace, admitted }
}

function applyItem(context: ServerContext, request: FastifyRequest<{ Params: { namespace?: string } }>, tx: StoreTransaction, item: AdmittedItem, warnings: string[]): ApplyResult {
  const { index, entry, namespace, admitted } = item
  warnings.push(...admitted.warnings)
  const name = admitted.object.metadata.name
  const key = { kind: entry.kind, namespace: namespace ?? '', name }
  const existing = tx.get(key)
  const access = { resource: rbacResource(entry), ...(namespace === undefined ? {} : { namespace }), name }
  const identity = authorize(context, request, { verb: existing === undefined ? 'create' : 'update', ...access })
  prefixed(index, () => authorizeGrant(context.authorizer, identity, admitted.object, tx))
  const result = (action: ApplyAction, object: StoredResource): ApplyResult => ({ subject: `${entry.kind.toLowerCase()}/${namespace ?? ''}/${name}`, kind: entry.kind, ...(namespace === undefined ? {} : { namespace }), name, action, object })
  if (existing === undefined) return result('created', prefixed(index, () => createObject(tx, entry, admitted.object, identity)))
  if (admitted.resourceVersion === undefined && sameDesiredState(entry, admitted.object, existing)) return result('unchanged', existing)
  // Apply is "make it so": without a client version it applies over the latest stored one.
  return result('configured', prefixed(index, () => replaceObject(tx, entry, key, admitted.object, admitted.resourceVersion ?? existing.metadata.resourceVersion)))
}

/** Compares what apply owns: the body (spec, or RBAC fields) and the client metadata. */
function sameDesiredState(entry: KindEntry, desired: StoredResource, stored: StoredResource): boolean {
  const owned = (object: StoredResource): string => {
    const { metadata, status: _status, apiVersion: _a, kind: _k, ...body } = object
    const annotations = { ...metadata.annotations }
    delete annotations[CREATED_BY_ANNOTATION]
    return canonicalJson({
      body,
      labels: metadata.labels ?? {},
      annotations,
      finalizers: metadata.finalizers ?? [],
      ownerReferences: metadata.ownerReferences ?? [],
      namespaced: entry.namespaced,
    })
  }
  return owned(desired) === owned(stored)
}

function prefixed<T>(index: number, work: () => T): T {
  try {
    return work()
  } catch (error) {
    throw withIndex(index, error)
  }
}

async function prefixedAsync<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw withIndex(index, error)
  }
}

/** Prefixes an API error's message and fields with `items[i]`; other errors pass unchanged. */
function withIndex(index: number, error: unknown): unknown {
  if (!(error instanceof ApiError)) return error
  const causes = error.details?.causes?.map((cause) => ({ ...cause, field: `items[${index}]${cause.field ? `.${cause.field}` : ''}` }))
  return new ApiError(error.reasonKey, `items[${index}]: ${error.message}`, { ...error.details, ...(causes === undefined ? {} : { causes }) })
}
