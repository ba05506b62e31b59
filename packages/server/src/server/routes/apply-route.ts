import { type ObjectKey, type StoredResource, canonicalJson } from '@planspec/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { StoreTransaction } from '../../store/api-store.js'
import { admitObject, realWarnings, type Admitted, type AdmissionWarning } from '../admit-object.js'
import { authorizeGrant } from '../authorize-grant.js'
import { ApiError } from '../error-catalog.js'
import { API_PREFIX, API_VERSION, kindByName, type KindEntry } from '../kinds.js'
import { isDryRun, rbacResource, setWarnings } from '../route-helpers.js'
import { errorResponses, namespaceParams, resourceBodySchema, writeQuerySchema } from '../route-schemas.js'
import { authorize, type ServerContext } from '../server-context.js'
import { conflictError, fieldManagerOf, SERVER_ANNOTATIONS, withManagedFields } from '../ssa/field-manager.js'
import { applyConfiguration, managedFieldsOf, managedView, withManagedView, type FieldManagerWrite } from '../ssa/managed-fields.js'
import { createObject, replaceObject } from '../write-object.js'

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
 * one resource or a `List`. Each item is applied as Kubernetes' server-side apply does
 * (`applyConfiguration`): by the field manager `fieldManager` (default: the User-Agent), with
 * `managedFields` per manager and a 409 naming the conflicting fields and managers unless
 * `force=true`. Every merged item is admitted and authorized (`create` when new, `update` when it
 * exists); all of them are written in ONE transaction, so the batch is atomic: any failure rolls
 * everything back and answers with the first error, its fields prefixed with `items[i]`. Each
 * result says `created`, `configured` or `unchanged` (no write at all); status is never taken
 * from the input and never wiped. `?dryRun=All` reports the same without storing.
 */
export async function applyRoute(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const handler = async (request: ApplyRequest, reply: FastifyReply) => {
    const body = request.body
    const items = body.kind === 'List' && body.apiVersion === API_VERSION ? body.items : [body]
    if (!Array.isArray(items)) throw new ApiError('BadRequest', 'a List must carry an "items" array')
    const dryRun = isDryRun(request.query)
    const write = { manager: fieldManagerOf(request.query, request.headers['user-agent']), now: context.now(), apiVersion: API_VERSION }
    for (let attempt = 1; ; attempt++) {
      // Every item is merged with its live object and validated (off the event loop) before the one
      // transaction that writes them all, which goes ahead only if no live object changed meanwhile.
      const planned: PlannedItem[] = []
      for (const [index, item] of items.entries()) planned.push(await planItem(context, request, item, index, write))
      const warnings: AdmissionWarning[] = []
      const results = await context.store.transact(
        (tx) => {
          if (planned.some((item) => tx.get(item.key)?.metadata.resourceVersion !== item.live?.metadata.resourceVersion)) return undefined
          const applied = planned.map((item) => applyItem(context, request, tx, item, warnings))
          setWarnings(reply, realWarnings(warnings, (ref) => tx.get(ref) !== undefined))
          return applied
        },
        { dryRun },
      )
      if (results !== undefined) return { apiVersion: API_VERSION, kind: 'ApplyResult', dryRun, results }
      if (attempt >= 10) throw new ApiError('Conflict', 'the objects of the batch keep changing; try the apply again')
    }
  }
  const querystring = { type: 'object', properties: { ...writeQuerySchema.properties, force: { type: 'boolean' } } } as const
  const schema = (params?: object) => ({ ...(params === undefined ? {} : { params }), querystring, body: resourceBodySchema, response: { 200: resultSchema, ...errorResponses } })
  const config = { mediaTypes: ['application/json'] }
  app.post(`${API_PREFIX}/apply`, { schema: schema(), config }, handler)
  app.post(`${API_PREFIX}/namespaces/:namespace/apply`, { schema: schema(namespaceParams), config }, handler)
}

type ApplyRequest = FastifyRequest<{ Params: { namespace?: string }; Querystring: { dryRun?: string; fieldManager?: string; force?: boolean }; Body: Record<string, unknown> }>

interface PlannedItem {
  readonly index: number
  readonly entry: KindEntry
  readonly namespace: string | undefined
  readonly key: ObjectKey
  readonly live: StoredResource | undefined
  readonly admitted: Admitted
  /** The admitted object with its new managedFields: what is written. */
  readonly object: StoredResource
}

async function planItem(context: ServerContext, request: ApplyRequest, item: unknown, index: number, write: FieldManagerWrite): Promise<PlannedItem> {
  const kindName = item !== null && typeof item === 'object' ? (item as { kind?: unknown }).kind : undefined
  const entry = typeof kindName === 'string' ? kindByName(kindName) : undefined
  if (entry === undefined) throw new ApiError('BadRequest', `items[${index}]: unknown kind ${JSON.stringify(kindName ?? null)}`)
  const itemNamespace = (item as { metadata?: { namespace?: unknown } }).metadata?.namespace
  const namespace = entry.namespaced ? (typeof itemNamespace === 'string' && itemNamespace !== '' ? itemNamespace : (request.params.namespace ?? 'default')) : undefined
  const target = { entry, ...(namespace === undefined ? {} : { namespace }) }
  // The item alone first: its identity, shape and resourceVersion precondition.
  const checked = await prefixedAsync(index, () => admitObject(item, target, context.validation))
  const key = { kind: entry.kind, namespace: namespace ?? '', name: checked.object.metadata.name }
  const live = await context.store.transact((tx) => tx.get(key))
  const outcome = applyConfiguration(live === undefined ? undefined : managedView(live, SERVER_ANNOTATIONS), managedView(checked.object, SERVER_ANNOTATIONS), managedFieldsOf(live), write, request.query.force === true)
  if ('conflicts' in outcome) throw withIndex(index, conflictError(entry, key.name, API_VERSION, outcome.conflicts))
  if (live === undefined) return { index, entry, namespace, key, live, admitted: checked, object: withManagedFields(checked.object, outcome.managedFields) }
  const { status: _status, ...merged } = withManagedView(checked.object, outcome.view, SERVER_ANNOTATIONS)
  const admitted = await prefixedAsync(index, () => admitObject(merged, { ...target, name: key.name }, context.validation))
  return { index, entry, namespace, key, live, admitted: { ...admitted, resourceVersion: checked.resourceVersion }, object: withManagedFields(admitted.object, outcome.managedFields) }
}

function applyItem(context: ServerContext, request: ApplyRequest, tx: StoreTransaction, item: PlannedItem, warnings: AdmissionWarning[]): ApplyResult {
  const { index, entry, namespace, key, live, admitted, object } = item
  warnings.push(...admitted.warnings)
  const access = { resource: rbacResource(entry), ...(namespace === undefined ? {} : { namespace }), name: key.name }
  const identity = authorize(context, request, { verb: live === undefined ? 'create' : 'update', ...access })
  prefixed(index, () => authorizeGrant(context.authorizer, identity, admitted.object, tx))
  const result = (action: ApplyAction, stored: StoredResource): ApplyResult => ({ subject: `${entry.kind.toLowerCase()}/${namespace ?? ''}/${key.name}`, kind: entry.kind, ...(namespace === undefined ? {} : { namespace }), name: key.name, action, object: stored })
  if (live === undefined) return result('created', prefixed(index, () => createObject(tx, entry, object, identity)))
  if (admitted.resourceVersion === undefined && sameDesiredState(object, live)) return result('unchanged', live)
  // Apply is "make it so": without a client version it applies over the live one it was merged with.
  return result('configured', prefixed(index, () => replaceObject(tx, entry, key, object, admitted.resourceVersion ?? live.metadata.resourceVersion)))
}

/** Compares what apply owns: the managed fields of the object and who manages them. */
function sameDesiredState(desired: StoredResource, stored: StoredResource): boolean {
  const owned = (object: StoredResource): string => canonicalJson({ view: managedView(object, SERVER_ANNOTATIONS), managedFields: managedFieldsOf(object) })
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
