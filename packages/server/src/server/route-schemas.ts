/**
 * The JSON Schemas routes declare for their params, querystrings, bodies and responses (fastify is
 * schema-first). Resource bodies are checked by admission against the PlanSpec schemas, so here a
 * resource is only "a JSON object"; every failure response is a Kubernetes Status.
 */

/** A Kubernetes Status, the body of every error response. */
export const statusSchema = {
  $id: 'planspec-status',
  type: 'object',
  required: ['kind', 'apiVersion', 'status', 'message', 'reason', 'code'],
  properties: {
    kind: { type: 'string' },
    apiVersion: { type: 'string' },
    metadata: { type: 'object' },
    status: { type: 'string' },
    message: { type: 'string' },
    reason: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
    code: { type: 'integer' },
  },
} as const

/** Any stored resource (its exact shape is the PlanSpec schema of its kind, see `/openapi/v3`). */
export const objectSchema = {
  $id: 'planspec-object',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object', additionalProperties: true } },
  additionalProperties: true,
} as const

/** A typed list (`GoalList`, ...). */
export const listSchema = {
  $id: 'planspec-list',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'items'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' } } },
    items: { type: 'array', items: { $ref: 'planspec-object#' } },
  },
} as const

/** Every shared schema, added to the root instance once. */
export const SHARED_SCHEMAS = [statusSchema, objectSchema, listSchema] as const

/** Responses of a route that answers with a resource. */
export const objectResponses = (success: 200 | 201 = 200) => ({ [success]: { $ref: 'planspec-object#' }, '4xx': { $ref: 'planspec-status#' }, '5xx': { $ref: 'planspec-status#' } })

/** Error responses only (for routes whose success body is declared separately). */
export const errorResponses = { '4xx': { $ref: 'planspec-status#' }, '5xx': { $ref: 'planspec-status#' } } as const

const dnsLabel = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 } as const
const plural = { type: 'string', pattern: '^[a-z]+$', maxLength: 63 } as const
/** An object name on a path: any short string; admission reports names that are not DNS labels with 422. */
const nameParam = { type: 'string', minLength: 1, maxLength: 253 } as const

/** `:plural` */
export const pluralParams = { type: 'object', required: ['plural'], properties: { plural } } as const
/** `:namespace/:plural` */
export const namespacedParams = { type: 'object', required: ['namespace', 'plural'], properties: { namespace: dnsLabel, plural } } as const
/** `:plural/:name` */
export const clusterNameParams = { type: 'object', required: ['plural', 'name'], properties: { plural, name: nameParam } } as const
/** `:namespace/:plural/:name` */
export const namespacedNameParams = { type: 'object', required: ['namespace', 'plural', 'name'], properties: { namespace: dnsLabel, plural, name: nameParam } } as const
/** `:namespace/:name` (routes with a fixed plural). */
export const fixedNameParams = { type: 'object', required: ['namespace', 'name'], properties: { namespace: dnsLabel, name: nameParam } } as const
/** `:namespace` */
export const namespaceParams = { type: 'object', required: ['namespace'], properties: { namespace: dnsLabel } } as const

/** The querystring of list and watch. */
export const listQuerySchema = (maxLimit: number) =>
  ({
    type: 'object',
    properties: {
      labelSelector: { type: 'string', maxLength: 4096 },
      fieldSelector: { type: 'string', maxLength: 4096 },
      limit: { type: 'integer', minimum: 1, maximum: maxLimit },
      continue: { type: 'string', maxLength: 4096 },
      watch: { type: 'boolean' },
      resourceVersion: { type: 'string', maxLength: 32 },
      resourceVersionMatch: { type: 'string', enum: ['NotOlderThan', 'Exact'] },
      timeoutSeconds: { type: 'number', minimum: 0 },
      allowWatchBookmarks: { type: 'boolean' },
      sendInitialEvents: { type: 'boolean' },
      includeObject: { type: 'string', enum: ['None', 'Metadata', 'Object'] },
    },
  }) as const

/** The querystring of writes. */
export const writeQuerySchema = {
  type: 'object',
  // fieldValidation is accepted and always strict: PlanSpec refuses unknown fields (DECISIONS §2).
  properties: { dryRun: { type: 'string', enum: ['All'] }, fieldManager: { type: 'string', maxLength: 128 }, fieldValidation: { type: 'string', enum: ['Strict', 'Warn', 'Ignore'] } },
} as const

/** The querystring of deletes. */
export const deleteQuerySchema = {
  type: 'object',
  properties: { dryRun: { type: 'string', enum: ['All'] }, propagationPolicy: { type: 'string', enum: ['Background', 'Foreground', 'Orphan'] } },
} as const

/** The optional body of a delete (Kubernetes DeleteOptions, the parts that apply). */
export const deleteBodySchema = {
  type: ['object', 'null'],
  properties: {
    kind: { type: 'string' },
    apiVersion: { type: 'string' },
    propagationPolicy: { type: 'string', enum: ['Background', 'Foreground', 'Orphan'] },
    dryRun: { type: 'array', items: { type: 'string', enum: ['All'] } },
    preconditions: { type: 'object', properties: { uid: { type: 'string' }, resourceVersion: { type: 'string' } }, additionalProperties: false },
  },
} as const

/** A resource body: a JSON object, checked in depth by admission (422 with causes). */
export const resourceBodySchema = { type: 'object' } as const
