import { createHash } from 'node:crypto'
import { API_VERSION, GROUP, VERSION } from '../kinds.js'
import { documentGroupOf, operationsOf, type OperationRecord, type RouteRecord } from './openapi-paths.js'
import { schemaComponents, STATUS_COMPONENT, type Json, type JsonMap } from './openapi-schemas.js'

/** The OpenAPI documents the server serves, each as JSON text (generated once per server). */
export interface OpenApiDocuments {
  /** `/openapi/v3`: the index, `paths.<group>.serverRelativeURL` per document. */
  readonly index: string
  /** `/openapi/v3/<group>` → the OpenAPI 3.0 document of that group (`apis/planspec.io/v1alpha1`, `api/v1`, ...). */
  readonly groups: ReadonlyMap<string, string>
  /** `/openapi/v2`: one Swagger 2.0 document of every path. */
  readonly v2: string
}

const INFO = { title: 'PlanSpec', version: API_VERSION, description: 'The PlanSpec API: Kubernetes-style REST over PlanSpec resources. Errors are Kubernetes Status objects.' }
const gvk = (op: OperationRecord): Json => (op.kind === undefined ? null : { group: GROUP, version: VERSION, kind: op.kind.kind })

function v3Operation(op: OperationRecord): JsonMap {
  const ref = (schema: OperationRecord['success']['schema']): Json => ('component' in schema ? { $ref: `#/components/schemas/${schema.component}` } : schema.inline)
  const produces = op.action === 'list' ? ['application/json', 'application/json;stream=watch'] : ['application/json']
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: op.summary,
    tags: [op.kind === undefined ? documentGroupOf(op.path) : `${GROUP}_${VERSION}`],
    parameters: [
      ...op.pathParams.map((name) => ({ name, in: 'path', required: true, description: name === 'namespace' ? 'object name and auth scope, such as for teams and projects' : `name of the ${op.kind?.kind ?? 'object'}`, schema: { type: 'string', uniqueItems: true } })),
      ...op.queryParams.map((q) => ({ name: q.name, in: 'query', description: q.description, schema: q.schema, uniqueItems: true })),
    ],
    ...(op.body === undefined ? {} : { requestBody: { required: op.method !== 'delete', content: Object.fromEntries(op.body.mediaTypes.map((type) => [type, { schema: ref(op.body!.schema) }])) } }),
    responses: {
      [op.success.status]: { description: 'OK', content: Object.fromEntries(produces.map((type) => [type, { schema: ref(op.success.schema) }])) },
      default: { description: 'A Kubernetes Status describing the failure', content: { 'application/json': { schema: { $ref: `#/components/schemas/${STATUS_COMPONENT}` } } } },
    },
    'x-kubernetes-action': op.action,
    ...(op.kind === undefined ? {} : { 'x-kubernetes-group-version-kind': gvk(op) }),
  }
}

function v2Operation(op: OperationRecord): JsonMap {
  const ref = (schema: OperationRecord['success']['schema']): Json => ('component' in schema ? { $ref: `#/definitions/${schema.component}` } : toV2(schema.inline))
  return {
    operationId: op.operationId,
    description: op.summary,
    tags: [op.kind === undefined ? documentGroupOf(op.path) : `${GROUP}_${VERSION}`],
    ...(op.body === undefined ? {} : { consumes: [...op.body.mediaTypes] }),
    produces: op.action === 'list' ? ['application/json', 'application/json;stream=watch'] : ['application/json'],
    schemes: ['https'],
    parameters: [
      ...op.pathParams.map((name) => ({ name, in: 'path', required: true, type: 'string', uniqueItems: true, description: name })),
      ...op.queryParams.map((q) => ({ name: q.name, in: 'query', description: q.description, uniqueItems: true, ...scalarOf(q.schema) })),
      ...(op.body === undefined ? [] : [{ name: 'body', in: 'body', required: op.method !== 'delete', schema: ref(op.body.schema) }]),
    ],
    responses: { [op.success.status]: { description: 'OK', schema: ref(op.success.schema) }, default: { description: 'A Kubernetes Status', schema: { $ref: `#/definitions/${STATUS_COMPONENT}` } } },
    'x-kubernetes-action': op.action,
    ...(op.kind === undefined ? {} : { 'x-kubernetes-group-version-kind': gvk(op) }),
  }
}

/** A Swagger 2.0 query parameter carries its type inline (no `schema`). */
function scalarOf(schema: Json): JsonMap {
  const s = (schema ?? {}) as JsonMap
  const out: JsonMap = { type: typeof s.type === 'string' ? s.type : 'string' }
  if (Array.isArray(s.enum)) out.enum = s.enum
  return out
}

/** Rewrites inline 3.0 refs for Swagger 2.0 (`#/components/schemas/` → `#/definitions/`); `nullable` goes. */
function toV2(node: Json): Json {
  if (Array.isArray(node)) return node.map(toV2)
  if (node === null || typeof node !== 'object') return node
  const out: JsonMap = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable') continue
    out[key] = key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', '#/definitions/') : toV2(value)
  }
  return out
}

function pathsOf(operations: readonly OperationRecord[], render: (op: OperationRecord) => JsonMap): JsonMap {
  const paths: JsonMap = {}
  for (const op of operations) {
    const item = (paths[op.path] ??= {}) as JsonMap
    item[op.method] = render(op)
  }
  return paths
}

/**
 * Generates the OpenAPI documents from the registered routes and `@planspec/schemas`, in the shapes
 * Kubernetes serves and kubectl reads: the v3 index (`paths."apis/planspec.io/v1alpha1".serverRelativeURL`
 * with a content hash), one OpenAPI 3.0 document per group (PATCH operations list their media
 * types and the `fieldValidation` parameter, so kubectl validates on the server and never sends a
 * strategic merge patch; operations and kinds carry `x-kubernetes-group-version-kind`, so
 * `kubectl explain` finds each kind's documentation), and the Swagger 2.0 document of `/openapi/v2`.
 * Nothing is written per route or per kind: a new route or schema field appears by itself.
 */
export function buildOpenApiDocuments(routes: readonly RouteRecord[]): OpenApiDocuments {
  const operations = operationsOf(routes)
  const v3Schemas = schemaComponents('#/components/schemas/')
  const byGroup = new Map<string, OperationRecord[]>()
  for (const op of operations) byGroup.set(documentGroupOf(op.path), [...(byGroup.get(documentGroupOf(op.path)) ?? []), op])
  const groups = new Map<string, string>()
  const index: JsonMap = {}
  for (const [group, ops] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    const text = JSON.stringify({
      openapi: '3.0.0',
      info: INFO,
      paths: pathsOf(ops, v3Operation),
      components: { schemas: v3Schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } } },
      security: [{ BearerToken: [] }],
    })
    groups.set(group, text)
    index[group] = { serverRelativeURL: `/openapi/v3/${group}?hash=${createHash('sha512').update(text).digest('hex').slice(0, 128)}` }
  }
  const v2 = JSON.stringify({
    swagger: '2.0',
    info: INFO,
    paths: pathsOf(operations, v2Operation),
    definitions: schemaComponents('#/definitions/'),
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  })
  return { index: JSON.stringify({ paths: index }), groups, v2 }
}
