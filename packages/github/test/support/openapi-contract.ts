/**
 * GitHub's published REST description (@octokit/openapi, OpenAPI 3.0) as a contract the fake
 * GitHub checks every request and response against. The 13 MB file is read once per test process;
 * `components` is converted to JSON Schema once (OpenAPI `nullable` becomes a `null` type or an
 * `anyOf` with `null`; `x-*`, `example(s)` and `discriminator` are dropped); each operation's
 * parameter, body and response schemas are converted and compiled by ajv only when first touched.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

/** The slice of ajv 8 the contract uses (typed here: the workspace root resolves `ajv` to v6). */
interface AjvError {
  readonly instancePath: string
  readonly message?: string
  readonly params: Record<string, unknown>
}
interface ValidateFunction {
  (data: unknown): boolean
  errors?: AjvError[] | null
}
interface AjvInstance {
  addSchema(schema: object, key: string): AjvInstance
  addFormat(name: string, format: boolean): AjvInstance
  compile(schema: object): ValidateFunction
}

const ROOT = 'github-openapi'
const require = createRequire(import.meta.url)
const SPEC_PATH = require.resolve('@octokit/openapi/generated/api.github.com.json')

/**
 * Ajv 8, the very copy ajv-formats uses (formats and ajv must share their code generator): the
 * workspace root hoists ajv 6 for other tools, so a bare `ajv` may be the wrong major.
 */
function loadAjv(): { Ajv: new (options: object) => AjvInstance; addFormats: (ajv: AjvInstance) => void } {
  const formatsMain = require.resolve('ajv-formats')
  const beside = { paths: [dirname(formatsMain)] }
  const version = (JSON.parse(readFileSync(require.resolve('ajv/package.json', beside), 'utf8')) as { version: string }).version
  if (!version.startsWith('8.')) throw new Error(`the OpenAPI contract needs ajv 8, but ajv-formats resolves ajv ${version}`)
  const ajvModule = require(require.resolve('ajv', beside)) as { Ajv: new (options: object) => AjvInstance }
  const formatsModule = require(formatsMain) as { default: (ajv: AjvInstance) => void }
  return { Ajv: ajvModule.Ajv, addFormats: formatsModule.default }
}

/** One operation of the description, found by method and path template. */
export interface Operation {
  readonly id: string
  readonly method: string
  readonly template: string
  readonly spec: JsonObject
  /** Parameters declared on the path item and the operation, `$ref`s resolved. */
  readonly parameters: readonly JsonObject[]
}

/** A request matched to its operation, with its decoded path parameters. */
export interface MatchedRequest {
  readonly operation: Operation
  readonly params: Readonly<Record<string, string>>
}

interface Route {
  readonly operation: Operation
  readonly pattern: RegExp
  readonly names: readonly string[]
  readonly literals: number
}

/** The loaded description: routes, lazily compiled validators and the checks the fake runs. */
export interface OpenApiContract {
  /** Finds the operation for `method` and a raw (still percent-encoded) `path`. */
  match(method: string, path: string): MatchedRequest | undefined
  /** Checks path parameters, the query string and the JSON body of a request; returns violations. */
  checkRequest(matched: MatchedRequest, query: URLSearchParams, body: string, contentType: string | undefined): string[]
  /** Checks a response (status, JSON body) against the operation; returns violations. */
  checkResponse(matched: MatchedRequest, status: number, body: unknown): string[]
  /** Checks a webhook payload against `x-webhooks[name]` (e.g. `issue-comment-created`). */
  checkWebhook(name: string, payload: unknown): string[]
  /** Ids of the operations whose schemas were compiled so far, for the report. */
  readonly touched: ReadonlySet<string>
}

/**
 * Statuses GitHub may answer on any endpoint even where the description lists none (auth, rate
 * limits, outages, and 422 "Validation Failed", e.g. a commit status description over 140
 * characters); their body is checked against `basic-error`.
 */
const GENERIC_STATUSES = new Set([401, 403, 404, 422, 429, 500, 502, 503, 504])

let cached: OpenApiContract | undefined

/** Loads the description once per process and returns the contract. */
export function loadOpenApiContract(): OpenApiContract {
  cached ??= buildContract(JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as JsonObject)
  return cached
}

function buildContract(doc: JsonObject): OpenApiContract {
  const { Ajv, addFormats } = loadAjv()
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false })
  addFormats(ajv)
  for (const format of ['int32', 'int64', 'timestamp', 'binary', 'byte', 'repo.nwo', 'ssh-key']) ajv.addFormat(format, true)
  const components = asObject(doc['components'])
  ajv.addSchema({ components: { schemas: convertMap(asObject(components['schemas'])) } }, ROOT)

  const routes = buildRoutes(doc, components)
  const compiled = new Map<string, ValidateFunction>()
  const touched = new Set<string>()
  const validatorFor = (key: string, operation: string, schema: Json): ValidateFunction => {
    let validate = compiled.get(key)
    if (validate === undefined) {
      touched.add(operation)
      validate = ajv.compile(convertSchema(schema) as object)
      compiled.set(key, validate)
    }
    return validate
  }
  const check = (key: string, operation: string, schema: Json, data: unknown, where: string): string[] => {
    const validate = validatorFor(key, operation, schema)
    if (validate(data)) return []
    return (validate.errors ?? []).slice(0, 10).map((e) => `${where}${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`)
  }
  const resolveResponse = (response: Json | undefined): JsonObject | undefined => {
    if (response === undefined) return undefined
    const object = asObject(response)
    const ref = object['$ref']
    return typeof ref === 'string' ? asObject(asObject(components['responses'])[ref.split('/').pop() as string]) : object
  }

  return {
    touched,
    match(method, path) {
      const candidates = routes.get(method.toLowerCase()) ?? []
      for (const route of candidates) {
        const found = route.pattern.exec(path)
        if (found === null) continue
        const params: Record<string, string> = {}
        route.names.forEach((name, index) => (params[name] = decodeURIComponent(found[index + 1] as string)))
        return { operation: route.operation, params }
      }
      return undefined
    },
    checkRequest({ operation, params }, query, body, contentType) {
      const problems: string[] = []
      const declaredQuery = new Set<string>()
      for (const parameter of operation.parameters) {
        const name = parameter['name'] as string
        const location = parameter['in'] as string
        const schema = parameter['schema'] ?? {}
        const key = `${operation.id} ${location} ${name}`
        if (location === 'path') {
          problems.push(...check(key, operation.id, schema, coerce(params[name] ?? '', schema), `path parameter ${name}`))
        } else if (location === 'query') {
          declaredQuery.add(name)
          const values = query.getAll(name)
          if (values.length === 0) {
            if (parameter['required'] === true) problems.push(`query parameter ${name} is required`)
            continue
          }
          problems.push(...check(key, operation.id, schema, coerce(values.join(','), schema), `query parameter ${name}`))
        }
      }
      for (const name of new Set(query.keys())) if (!declaredQuery.has(name)) problems.push(`query parameter ${name} is not declared by ${operation.id}`)
      const requestBody = operation.spec['requestBody'] === undefined ? undefined : asObject(operation.spec['requestBody'])
      if (requestBody === undefined) {
        if (body.length > 0) problems.push(`${operation.id} takes no request body`)
        return problems
      }
      if (body.length === 0) {
        if (requestBody['required'] === true) problems.push(`${operation.id} requires a request body`)
        return problems
      }
      const json = asObject(asObject(requestBody['content'])['application/json'] ?? {})
      if (!(contentType ?? '').startsWith('application/json')) problems.push(`request body content-type ${contentType ?? '(none)'} is not application/json`)
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch {
        return [...problems, 'request body is not JSON']
      }
      return [...problems, ...check(`${operation.id} body`, operation.id, json['schema'] ?? {}, parsed, 'request body')]
    },
    checkResponse({ operation }, status, body) {
      const responses = asObject(operation.spec['responses'])
      let response = resolveResponse(responses[String(status)])
      let key = `${operation.id} ${status}`
      if (response === undefined) {
        if (!GENERIC_STATUSES.has(status)) return [`${operation.id} does not document status ${status}`]
        response = { content: { 'application/json': { schema: { $ref: '#/components/schemas/basic-error' } } } }
        key = `generic ${status}`
      }
      const content = response['content'] === undefined ? undefined : asObject(response['content'])
      const json = content?.['application/json']
      if (json === undefined) {
        if (body === undefined) return []
        // GitHub sends its error object even where the description lists a bare 4xx.
        if (status >= 400) return check('basic-error', operation.id, { $ref: '#/components/schemas/basic-error' }, body, `response ${status} body`)
        return [`${operation.id} ${status} documents no body, but one was sent`]
      }
      if (body === undefined) return [`${operation.id} ${status} sent no body`]
      return check(key, operation.id, asObject(json)['schema'] ?? {}, body, `response ${status} body`)
    },
    checkWebhook(name, payload) {
      const hook = asObject(asObject(doc['x-webhooks'])[name] ?? {})
      const post = hook['post']
      if (post === undefined) return [`no webhook named ${name}`]
      const schema = asObject(asObject(asObject(asObject(post)['requestBody'])['content'])['application/json'])['schema'] ?? {}
      return check(`webhook ${name}`, `webhook/${name}`, schema, payload, `webhook ${name}`)
    },
  }
}

/** Indexes every operation by method; templates with more literal segments are tried first. */
function buildRoutes(doc: JsonObject, components: JsonObject): Map<string, Route[]> {
  const parameters = asObject(components['parameters'])
  const resolve = (parameter: Json): JsonObject => {
    const object = asObject(parameter)
    const ref = object['$ref']
    return typeof ref === 'string' ? asObject(parameters[ref.split('/').pop() as string]) : object
  }
  const routes = new Map<string, Route[]>()
  for (const [template, item] of Object.entries(asObject(doc['paths']))) {
    const pathItem = asObject(item)
    const shared = asArray(pathItem['parameters']).map(resolve)
    for (const [method, value] of Object.entries(pathItem)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const spec = asObject(value)
      const own = asArray(spec['parameters']).map(resolve)
      const all = [...shared.filter((p) => !own.some((o) => o['name'] === p['name'] && o['in'] === p['in'])), ...own]
      const names: string[] = []
      const segments = template.split('/').map((segment) => {
        const param = /^\{([^}]+)\}$/.exec(segment)
        if (param === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        const name = param[1] as string
        names.push(name)
        const multi = all.some((p) => p['name'] === name && p['x-multi-segment'] === true)
        return multi ? '(.+)' : '([^/]+)'
      })
      const route: Route = {
        operation: { id: String(spec['operationId']), method, template, spec, parameters: all },
        pattern: new RegExp(`^${segments.join('/')}$`),
        names,
        literals: template.split('/').filter((s) => s !== '' && !s.startsWith('{')).length,
      }
      const list = routes.get(method) ?? []
      list.push(route)
      routes.set(method, list)
    }
  }
  for (const list of routes.values()) list.sort((a, b) => b.literals - a.literals || a.names.length - b.names.length)
  return routes
}

/** Turns a query or path string into the type its schema declares, so ajv sees what GitHub parses. */
function coerce(value: string, schema: Json): unknown {
  const type = asObject(schema)['type']
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value
  if (type === 'array') return value.split(',')
  return value
}

/** Converts an OpenAPI 3.0 schema object to JSON Schema (draft-07 as ajv reads it). */
function convertSchema(schema: Json): Json {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-') || key === 'example' || key === 'examples' || key === 'discriminator' || key === 'nullable' || key === 'externalDocs') continue
    if (key === '$ref' && typeof value === 'string') out[key] = value.startsWith('#/') ? `${ROOT}${value}` : value
    else if (key === 'properties' || key === 'patternProperties') out[key] = convertMap(asObject(value))
    else if (key === 'items' || key === 'additionalProperties' || key === 'not') out[key] = convertSchema(value)
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = asArray(value).map(convertSchema)
    else out[key] = value
  }
  if (schema['nullable'] !== true) return out
  if (typeof out['type'] === 'string') {
    out['type'] = [out['type'], 'null']
    if (Array.isArray(out['enum'])) out['enum'] = [...out['enum'], null]
    return out
  }
  return Object.keys(out).length === 0 || Object.keys(out).every((k) => k === 'description' || k === 'title') ? out : { anyOf: [out, { type: 'null' }] }
}

function convertMap(map: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const [name, schema] of Object.entries(map)) out[name] = convertSchema(schema)
  return out
}

function asObject(value: Json | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
}

function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : []
}
