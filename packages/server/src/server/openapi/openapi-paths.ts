import { API_PREFIX, GROUP, KINDS, VERSION, kindByPlural, type KindEntry } from '../kinds.js'
import { STATUS_COMPONENT, kindComponent, type Json, type JsonMap } from './openapi-schemas.js'

/** A registered route as fastify's `onRoute` hook sees it: what the documents are generated from. */
export interface RouteRecord {
  readonly method: string | readonly string[]
  readonly url: string
  readonly schema?: Readonly<Record<string, unknown>>
  readonly config?: { readonly mediaTypes?: readonly string[]; readonly public?: boolean }
}

/** One operation of the documents, independent of the OpenAPI version. */
export interface OperationRecord {
  /** The path in OpenAPI form: `/apis/planspec.io/v1alpha1/namespaces/{namespace}/goals/{name}`. */
  readonly path: string
  /** Lower-case HTTP method. */
  readonly method: string
  /** The fastify route it documents (`:plural` routes yield one operation per kind). */
  readonly route: string
  readonly operationId: string
  readonly summary: string
  readonly kind: KindEntry | undefined
  readonly action: string
  readonly pathParams: readonly string[]
  readonly queryParams: readonly { readonly name: string; readonly schema: Json; readonly description: string }[]
  /** Request body media types and its schema (a component name, or an inline schema). */
  readonly body: { readonly mediaTypes: readonly string[]; readonly schema: { readonly component: string } | { readonly inline: Json } } | undefined
  /** The success status and its schema. */
  readonly success: { readonly status: string; readonly schema: { readonly component: string } | { readonly inline: Json } }
}

const QUERY_DOCS: Readonly<Record<string, string>> = {
  labelSelector: 'A Kubernetes label selector (a=b, a!=b, a in (x,y), a notin (x), a, !a).',
  fieldSelector: 'metadata.name, metadata.namespace or status.phase with =, == or !=.',
  limit: 'The page size; the response carries a continue token when more items remain.',
  continue: 'The opaque token of the previous page (410 Expired once its snapshot is compacted).',
  watch: 'Stream newline-delimited {type, object} events instead of a list.',
  resourceVersion: 'Watch: resume after this version (410 Gone when compacted).',
  resourceVersionMatch: 'NotOlderThan (Exact is not supported).',
  timeoutSeconds: 'Watch: end the stream after this many seconds.',
  allowWatchBookmarks: 'Watch: send BOOKMARK events.',
  sendInitialEvents: 'Watch: send the current objects first, then an initial-events-end BOOKMARK.',
  dryRun: 'All: run the write without storing it.',
  fieldManager: 'The name of the actor making the change, recorded in metadata.managedFields (required for apply patches).',
  fieldValidation: 'How unknown or duplicate fields are treated; PlanSpec always validates strictly (unknown fields are refused).',
  force: 'Apply patches only: take over fields other managers own instead of failing with a conflict.',
  propagationPolicy: 'What happens to dependents: Background and Foreground delete them, Orphan releases them.',
  includeObject: 'Table output: None, Metadata or Object in each row.',
}

/** Expands a fastify URL into concrete paths: `:plural` once per kind it serves, `:x` as `{x}`. */
function expand(url: string, method: string): { path: string; kind: KindEntry | undefined }[] {
  const literal = /^\/(?:namespaces\/:namespace\/)?([a-z]+)(?:\/:name|\/[a-z]+)*$/.exec(url.slice(API_PREFIX.length))
  const toPath = (u: string): string => u.replace(/:([A-Za-z]+)/g, '{$1}')
  if (!url.includes(':plural')) {
    const plural = url.startsWith(API_PREFIX) && literal !== null ? literal[1] : undefined
    return [{ path: toPath(url), kind: plural === undefined ? undefined : kindByPlural(plural) }]
  }
  const namespacedPath = url.includes('/namespaces/:namespace/')
  const named = url.includes(':name')
  const status = url.endsWith('/status')
  // resolveKind: a namespaced kind on a namespace path; a cluster kind on a cluster path; a
  // namespaced kind's list and watch also across namespaces.
  const serves = (entry: KindEntry): boolean => (status ? entry.hasStatus : true) && (namespacedPath ? entry.namespaced : !entry.namespaced || (!named && method === 'get'))
  return KINDS.filter(serves).map((entry) => ({ path: toPath(url.replace(':plural', entry.plural)), kind: entry }))
}

const ACTIONS: Readonly<Record<string, string>> = { get: 'get', post: 'post', put: 'put', patch: 'patch', delete: 'delete' }

function pascal(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _s, c: string) => c.toUpperCase())
}

/**
 * Turns the registered routes into operations: every method of every route (HEAD aside), `:plural`
 * routes once per kind they serve. Parameters come from the route's params and querystring
 * schemas, bodies from its accepted media types, responses from its response schema (a resource
 * route answers with its kind's component, a list with the kind's list).
 */
export function operationsOf(routes: readonly RouteRecord[]): OperationRecord[] {
  const operations: OperationRecord[] = []
  for (const route of routes) {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m: string) => m.toLowerCase()).filter((m) => m !== 'head')
    for (const method of methods) {
      for (const { path, kind } of expand(route.url, method)) {
        const pathParams = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]!)
        const schema = route.schema ?? {}
        const query = (schema.querystring as { properties?: Record<string, Json> } | undefined)?.properties ?? {}
        const queryParams = Object.entries(query).map(([name, s]) => ({ name, schema: s, description: QUERY_DOCS[name] ?? name }))
        const list = method === 'get' && kind !== undefined && !pathParams.includes('name') && path.endsWith(`/${kind.plural}`)
        const objectPath = kind !== undefined && route.url.includes(':plural')
        const responses = (schema.response ?? {}) as Record<string, unknown>
        const status = Object.keys(responses).find((code) => /^2\d\d$/.test(code)) ?? '200'
        const success = list ? { status, schema: { component: kindComponent(kind.kind, true) } } : objectPath || isObjectResponse(responses[status]) ? { status, schema: kind === undefined ? { inline: { type: 'object' } as Json } : { component: kindComponent(kind.kind) } } : { status, schema: { inline: inline(responses[status]) } }
        const mediaTypes = route.config?.mediaTypes
        const body = mediaTypes === undefined || method === 'get' ? undefined : { mediaTypes, schema: objectPath && kind !== undefined && (method === 'post' || method === 'put') ? { component: kindComponent(kind.kind) } : { inline: inline(schema.body ?? { type: 'object' }) } }
        const scope = kind === undefined ? '' : path.includes('/namespaces/{namespace}/') ? 'Namespaced' : kind.namespaced ? 'ForAllNamespaces' : ''
        const tail = pascal(path.replace(/\{[^}]+\}/g, '').split('/').filter(Boolean).slice(-1)[0] ?? 'Root')
        const verb = list ? 'list' : (ACTIONS[method] ?? method)
        const operationId = kind === undefined ? `${method}${pascal(path.replace(/[{}]/g, ''))}` : `${verb}${scope}${kind.kind}${objectPath ? (path.endsWith('/status') ? 'Status' : '') : tail === kind.plural ? '' : tail}`
        operations.push({
          path,
          method,
          route: route.url,
          operationId,
          summary: typeof schema.summary === 'string' ? schema.summary : `${method.toUpperCase()} ${path}`,
          kind,
          action: list ? 'list' : method,
          pathParams,
          queryParams,
          body,
          success,
        })
      }
    }
  }
  return operations
}

function isObjectResponse(schema: unknown): boolean {
  return (schema as { $ref?: unknown } | undefined)?.$ref === 'planspec-object#'
}

/** Copies a route schema for the documents: fastify's shared `$ref`s become components. */
function inline(schema: unknown): Json {
  if (Array.isArray(schema)) return schema.map(inline)
  if (schema === null || typeof schema !== 'object') return (schema ?? { type: 'object' }) as Json
  const out: JsonMap = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id') continue
    if (key === '$ref' && value === 'planspec-status#') return { $ref: `#/components/schemas/${STATUS_COMPONENT}` }
    if (key === '$ref' && typeof value === 'string') return { type: 'object', additionalProperties: true }
    if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((t) => t !== 'null')
      out.type = types[0] ?? 'object'
      if (types.length < value.length) out.nullable = true
    } else out[key] = inline(value)
  }
  return out
}

/** The OpenAPI v3 document group of a path, as Kubernetes splits them: `apis/planspec.io/v1alpha1`, `api/v1`, `apis`, `healthz`. */
export function documentGroupOf(path: string): string {
  const parts = path.split('/').filter(Boolean)
  if (parts[0] === 'apis' && parts.length >= 3) return `apis/${parts[1]}/${parts[2]}`
  if (parts[0] === 'api' && parts.length >= 2) return `api/${parts[1]}`
  if (parts[0] === 'apis' && parts.length === 2) return `apis/${parts[1]}`
  if (parts.length === 0 || parts[0] === 'index.html' || parts[0] === 'favicon.svg' || parts[0] === 'assets') return 'dashboard'
  return parts[0]!
}

/** The group and version of PlanSpec resources' document. */
export const RESOURCE_GROUP_DOCUMENT = `apis/${GROUP}/${VERSION}`
