import type { FastifyInstance } from 'fastify'
import type { Verb } from '../authorizer.js'
import { ApiError } from '../error-catalog.js'
import { kindByPlural } from '../kinds.js'
import { rbacResource } from '../route-helpers.js'
import { errorResponses } from '../route-schemas.js'
import { identityOf } from '../server-context.js'
import { teamsOf } from '../gate-review.js'
import { subjectOf } from '../write-object.js'

const AUTHENTICATION = 'authentication.k8s.io/v1'
const AUTHORIZATION = 'authorization.k8s.io/v1'
/** `userInfo.extra` keys: how Gates name the caller (`user:alice`) and the teams its groups make it a member of. */
export const SUBJECT_EXTRA = 'planspec.io/subject'
export const TEAMS_EXTRA = 'planspec.io/teams'

// Kubernetes verbs that PlanSpec's RBAC profile counts as another verb (DECISIONS §8).
const VERBS: ReadonlyMap<string, Verb> = new Map([
  ['get', 'get'],
  ['list', 'list'],
  ['watch', 'watch'],
  ['create', 'create'],
  ['update', 'update'],
  ['patch', 'update'],
  ['delete', 'delete'],
  ['approve', 'approve'],
  ['cancel', 'update'],
  ['retry', 'update'],
])

const attributes = {
  type: 'object',
  properties: {
    namespace: { type: 'string', maxLength: 253 },
    verb: { type: 'string', maxLength: 64 },
    group: { type: 'string', maxLength: 253 },
    version: { type: 'string', maxLength: 64 },
    resource: { type: 'string', maxLength: 253 },
    subresource: { type: 'string', maxLength: 253 },
    name: { type: 'string', maxLength: 253 },
  },
} as const

const accessReviewBody = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        resourceAttributes: attributes,
        nonResourceAttributes: { type: 'object', properties: { path: { type: 'string', maxLength: 1024 }, verb: { type: 'string', maxLength: 64 } } },
      },
    },
  },
} as const

interface ResourceAttributes {
  readonly namespace?: string
  readonly verb?: string
  readonly group?: string
  readonly resource?: string
  readonly subresource?: string
  readonly name?: string
}

/**
 * Registers Kubernetes' self-review endpoints, answered from PlanSpec's tokens and RBAC with
 * Kubernetes' request and response shapes (so `kubectl auth whoami` and `kubectl auth can-i` work
 * against `planspec serve`, and the dashboard can hide what the API would refuse):
 * - `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`: who the bearer token is
 *   (`status.userInfo.username`, `groups`, and in `extra` the PlanSpec subject and team
 *   memberships Gates see);
 * - `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: whether the caller may do
 *   `verb` on `resource` (optionally `name`) in `namespace` of group `planspec.io` (or the core
 *   group for `namespaces`). `patch`, `cancel` and `retry` count as `update`, a `status`
 *   subresource as `update` of the resource. Anything else is answered `allowed: false` with a
 *   reason; a non-resource path only needs authentication. Both answer 201 like Kubernetes.
 */
export async function accessReviewRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  app.post(
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { schema: { response: { 201: { type: 'object', additionalProperties: true }, ...errorResponses } }, config: { mediaTypes: ['application/json'] } },
    async (request, reply) => {
      const identity = identityOf(request)
      reply.code(201)
      return {
        apiVersion: AUTHENTICATION,
        kind: 'SelfSubjectReview',
        metadata: { creationTimestamp: context.now() },
        status: { userInfo: { username: identity.user, groups: [...identity.groups], extra: { [SUBJECT_EXTRA]: [subjectOf(identity)], [TEAMS_EXTRA]: teamsOf(identity) } } },
      }
    },
  )
  app.post<{ Body: { spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: { path?: string; verb?: string } } } }>(
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    { schema: { body: accessReviewBody, response: { 201: { type: 'object', additionalProperties: true }, ...errorResponses } }, config: { mediaTypes: ['application/json'] } },
    async (request, reply) => {
      const identity = identityOf(request)
      const { spec } = request.body
      const decision = spec.resourceAttributes !== undefined ? decide(spec.resourceAttributes, (access) => context.authorizer.allowed(identity, access)) : spec.nonResourceAttributes !== undefined ? { allowed: true } : undefined
      if (decision === undefined) throw new ApiError('Invalid', 'spec.resourceAttributes or spec.nonResourceAttributes is required', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.resourceAttributes' }] })
      reply.code(201)
      return { apiVersion: AUTHORIZATION, kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: context.now() }, spec, status: decision }
    },
  )
}

/** Decides one resource access review; `allowed: false` with a reason for what PlanSpec does not serve. */
function decide(attributes: ResourceAttributes, allowed: (access: { verb: Verb; resource: string; namespace?: string; name?: string }) => boolean): { allowed: boolean; denied?: boolean; reason?: string } {
  const group = attributes.group ?? ''
  const resource = attributes.resource ?? ''
  const verb = attributes.subresource === 'status' && (attributes.verb === 'patch' || attributes.verb === 'update') ? 'update' : VERBS.get(attributes.verb ?? '')
  if (verb === undefined) return { allowed: false, reason: `PlanSpec knows no verb ${JSON.stringify(attributes.verb ?? '')}` }
  const entry = group === 'planspec.io' ? kindByPlural(resource) : undefined
  const served = entry !== undefined ? rbacResource(entry) : group === '' && resource === 'namespaces' ? 'namespaces' : undefined
  if (served === undefined) return { allowed: false, reason: `PlanSpec serves no resource ${JSON.stringify(resource)} in group ${JSON.stringify(group)}` }
  const access = { verb, resource: served, ...(attributes.namespace ? { namespace: attributes.namespace } : {}), ...(attributes.name ? { name: attributes.name } : {}) }
  return allowed(access) ? { allowed: true, reason: 'allowed by PlanSpec RBAC' } : { allowed: false, reason: 'no PlanSpec role grants it' }
}
