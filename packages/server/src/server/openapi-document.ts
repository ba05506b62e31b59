import { schemas } from '@planspec/schemas'
import { API_PREFIX, API_VERSION, KINDS, type KindEntry } from './kinds.js'
import { listSchema, objectSchema, statusSchema } from './route-schemas.js'

const SCHEMA_BASE = 'https://planspec.io/schemas/v1alpha1/'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Operation = Record<string, Json>

/** The component name of a schema document: its kind (`Goal`), or `Common` for the shared definitions. */
function componentName(id: string): string {
  const file = id.slice(SCHEMA_BASE.length).replace(/\.json$/, '')
  return file === 'common' ? 'Common' : file.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())
}

/** Copies a schema, pointing every `$ref` (cross-file or local) into `#/components/schemas`. */
function rewrite(node: unknown, owner: string): Json {
  if (Array.isArray(node)) return node.map((child) => rewrite(child, owner))
  if (node === null || typeof node !== 'object') return node as Json
  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id' || key === '$schema') continue
    if (key === '$ref' && typeof value === 'string') {
      const [target, fragment = ''] = value.split('#') as [string, string?]
      out[key] = `#/components/schemas/${target === '' ? owner : componentName(target)}${fragment}`
    } else out[key] = rewrite(value, owner)
  }
  return out
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Json): Json => ({ 'application/json': { schema } })
const errors: Json = { default: { description: 'A Kubernetes Status describing the failure', content: json(ref('Status')) } }
const param = (name: string, where: 'path' | 'query', schema: Json, description: string): Json => ({ name, in: where, required: where === 'path', schema, description })
const DRY_RUN = param('dryRun', 'query', { type: 'string', enum: ['All'] }, 'Run the write without storing it')
const LIST_PARAMS: Json[] = [
  param('labelSelector', 'query', { type: 'string' }, 'Kubernetes label selector (a=b, a!=b, a in (x,y), a notin (x), a, !a)'),
  param('fieldSelector', 'query', { type: 'string' }, 'metadata.name, metadata.namespace or status.phase with =, == or !='),
  param('limit', 'query', { type: 'integer', minimum: 1 }, 'Page size'),
  param('continue', 'query', { type: 'string' }, 'Opaque token from the previous page (410 Expired once too old)'),
  param('watch', 'query', { type: 'boolean' }, 'Stream newline-delimited {type, object} events'),
  param('resourceVersion', 'query', { type: 'string' }, 'Watch: resume after this version (410 Gone when compacted)'),
  param('allowWatchBookmarks', 'query', { type: 'boolean' }, 'Watch: send BOOKMARK events'),
  param('sendInitialEvents', 'query', { type: 'boolean' }, 'Watch: send the current objects first, then an initial-events-end BOOKMARK'),
  param('timeoutSeconds', 'query', { type: 'number', minimum: 0 }, 'Watch: end the stream after this many seconds'),
]

function op(summary: string, operationId: string, parameters: Json[], success: [string, Json], body?: [string, Json]): Operation {
  return {
    summary,
    operationId,
    parameters,
    ...(body === undefined ? {} : { requestBody: { required: true, content: { [body[0]]: { schema: body[1] } } } }),
    responses: { [success[0]]: { description: 'OK', content: json(success[1]) }, ...(errors as { [key: string]: Json }) },
  }
}

function kindPaths(entry: KindEntry): Record<string, Json> {
  const Kind = entry.kind
  const scope = entry.namespaced ? `${API_PREFIX}/namespaces/{namespace}/${entry.plural}` : `${API_PREFIX}/${entry.plural}`
  const ns: Json[] = entry.namespaced ? [param('namespace', 'path', { type: 'string' }, 'Namespace')] : []
  const named: Json[] = [...ns, param('name', 'path', { type: 'string' }, 'Object name')]
  const paths: Record<string, Json> = {
    [scope]: {
      get: op(`List or watch ${entry.plural}`, `list${Kind}`, [...ns, ...LIST_PARAMS], ['200', ref('ObjectList')]),
      post: op(`Create a ${Kind}`, `create${Kind}`, [...ns, DRY_RUN], ['201', ref(Kind)], ['application/json', ref(Kind)]),
    },
    [`${scope}/{name}`]: {
      get: op(`Read a ${Kind}`, `read${Kind}`, named, ['200', ref(Kind)]),
      put: op(`Replace a ${Kind} (metadata.resourceVersion required)`, `replace${Kind}`, [...named, DRY_RUN], ['200', ref(Kind)], ['application/json', ref(Kind)]),
      patch: op(`Merge-patch a ${Kind}`, `patch${Kind}`, [...named, DRY_RUN], ['200', ref(Kind)], ['application/merge-patch+json', { type: 'object' }]),
      delete: op(`Delete a ${Kind}`, `delete${Kind}`, [...named, DRY_RUN, param('propagationPolicy', 'query', { type: 'string', enum: ['Background', 'Foreground', 'Orphan'] }, 'Dependents')], ['200', ref(Kind)]),
    },
  }
  if (entry.namespaced) paths[`${API_PREFIX}/${entry.plural}`] = { get: op(`List or watch ${entry.plural} across namespaces`, `list${Kind}AllNamespaces`, LIST_PARAMS, ['200', ref('ObjectList')]) }
  if (entry.hasStatus) {
    paths[`${scope}/{name}/status`] = {
      get: op(`Read the status of a ${Kind}`, `read${Kind}Status`, named, ['200', ref(Kind)]),
      put: op(`Replace the status of a ${Kind}`, `replace${Kind}Status`, [...named, DRY_RUN], ['200', ref(Kind)], ['application/json', ref(Kind)]),
      patch: op(`Merge-patch the status of a ${Kind}`, `patch${Kind}Status`, [...named, DRY_RUN], ['200', ref(Kind)], ['application/merge-patch+json', { type: 'object' }]),
    }
  }
  return paths
}

function extraPaths(): Record<string, Json> {
  const nsName: Json[] = [param('namespace', 'path', { type: 'string' }, 'Namespace'), param('name', 'path', { type: 'string' }, 'Object name')]
  const object = { type: 'object' } as Json
  const action = (what: string, id: string, kind: string): Json => ({ post: op(what, id, [...nsName, DRY_RUN], ['200', ref(kind)], ['application/json', object]) })
  return {
    [`${API_PREFIX}/namespaces/{namespace}/plans/{name}/graph`]: { get: op("Read a Plan's graph (spec.graph plus normalized edges)", 'readPlanGraph', nsName, ['200', object]) },
    [`${API_PREFIX}/namespaces/{namespace}/gates/{name}/approve`]: action('Approve a Gate', 'approveGate', 'Gate'),
    [`${API_PREFIX}/namespaces/{namespace}/gates/{name}/reject`]: action('Reject a Gate', 'rejectGate', 'Gate'),
    [`${API_PREFIX}/namespaces/{namespace}/executions/{name}/cancel`]: action('Request cancellation of an Execution', 'cancelExecution', 'Execution'),
    [`${API_PREFIX}/namespaces/{namespace}/executions/{name}/retry`]: action('Request a retry of a Failed Execution', 'retryExecution', 'Execution'),
    [`${API_PREFIX}/namespaces/{namespace}/executions/{name}/claim`]: action('Claim a node waiting for a worker (the first claim holds it)', 'claimExecutionNode', 'Execution'),
    [`${API_PREFIX}/namespaces/{namespace}/executions/{name}/complete`]: action('Complete a node waiting for a worker, with its outputs', 'completeExecutionNode', 'Execution'),
    [`${API_PREFIX}/namespaces/{namespace}/gates/{name}/comment`]: action('Add a comment to a Gate\'s review history (never decides)', 'commentGate', 'Gate'),
    '/apis/authentication.k8s.io/v1/selfsubjectreviews': { post: op('Who the bearer token authenticates (kubectl auth whoami)', 'createSelfSubjectReview', [], ['201', object], ['application/json', object]) },
    [`${API_PREFIX}/apply`]: { post: op('Apply a batch of resources atomically', 'apply', [DRY_RUN], ['200', object], ['application/json', object]) },
    [`${API_PREFIX}/validate`]: { post: op('Validate manifests', 'validate', [], ['200', object], ['application/json', object]) },
    '/api/v1/namespaces': { get: op('List namespaces', 'listNamespaces', [], ['200', ref('ObjectList')]), post: op('Create a namespace', 'createNamespace', [DRY_RUN], ['201', object], ['application/json', object]) },
    '/api/v1/namespaces/{namespace}': {
      get: op('Read a namespace', 'readNamespace', [nsName[0]!], ['200', object]),
      delete: op('Delete a namespace and everything in it', 'deleteNamespace', [nsName[0]!, DRY_RUN], ['200', object]),
    },
  }
}

/**
 * Generates the OpenAPI 3.1 document of the API from the PlanSpec JSON Schemas (draft 2020-12,
 * which OpenAPI 3.1 uses as is): every schema document becomes a component, with `$ref`s rewritten
 * to point inside the document, and the paths are derived from the kind table. Nothing is
 * hand-written per kind, so the document cannot drift from `schemas/`.
 */
export function buildOpenApiDocument(): Record<string, Json> {
  const components: Record<string, Json> = {}
  for (const schema of schemas) {
    if (!schema.$id.endsWith('repository-config.json')) components[componentName(schema.$id)] = rewrite(schema, componentName(schema.$id))
  }
  const strip = (schema: object): Json => rewrite(schema, '')
  components.Status = strip(statusSchema)
  components.Object = strip(objectSchema)
  const { $id: _id, ...list } = listSchema
  components.ObjectList = { ...(list as unknown as { [key: string]: Json }), properties: { ...(list.properties as unknown as { [key: string]: Json }), items: { type: 'array', items: ref('Object') } } }
  const paths: Record<string, Json> = {}
  for (const entry of KINDS) Object.assign(paths, kindPaths(entry))
  Object.assign(paths, extraPaths())
  return {
    openapi: '3.1.0',
    info: { title: 'PlanSpec API', version: API_VERSION, description: 'Kubernetes-style REST API over PlanSpec resources. Errors are Kubernetes Status objects.' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }],
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  }
}
