import type { FastifyInstance } from 'fastify'
import type { Authorizer, Verb } from '../authorizer.js'
import { GROUP } from '../kinds.js'
import { PROTOBUF } from '../kube/protobuf-body.js'
import type { Identity } from '../tokens.js'
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

// kubectl sends reviews as protobuf (built-in kinds), JSON clients as JSON: both are read.
const REVIEW_MEDIA = { mediaTypes: ['application/json', PROTOBUF] }

// What any authenticated identity may read without a resource rule.
const NON_RESOURCE_RULES = [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/healthz', '/livez', '/readyz', '/metrics'] }]

const rulesReviewBody = {
  type: 'object',
  required: ['spec'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', properties: { namespace: { type: 'string', maxLength: 253 } } } },
} as const

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
 *   reason; a non-resource path only needs authentication;
 * - `POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews`: the caller's rules in
 *   `spec.namespace` (cluster-wide ones included), for `kubectl auth can-i --list`; an admin (or
 *   RBAC off) gets `*`.
 * All answer 201 like Kubernetes, and take JSON or Kubernetes protobuf bodies (kubectl's).
 */
export async function accessReviewRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  app.post(
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { schema: { response: { 201: { type: 'object', additionalProperties: true }, ...errorResponses } }, config: REVIEW_MEDIA },
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
    { schema: { body: accessReviewBody, response: { 201: { type: 'object', additionalProperties: true }, ...errorResponses } }, config: REVIEW_MEDIA },
    async (request, reply) => {
      const identity = identityOf(request)
      const { spec } = request.body
      const decision = spec.resourceAttributes !== undefined ? decide(spec.resourceAttributes, (access) => context.authorizer.allowed(identity, access)) : spec.nonResourceAttributes !== undefined ? { allowed: true } : undefined
      if (decision === undefined) throw new ApiError('Invalid', 'spec.resourceAttributes or spec.nonResourceAttributes is required', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.resourceAttributes' }] })
      reply.code(201)
      return { apiVersion: AUTHORIZATION, kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: context.now() }, spec, status: decision }
    },
  )
  app.post<{ Body: { spec: { namespace?: string } } }>(
    '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    { schema: { body: rulesReviewBody, response: { 201: { type: 'object', additionalProperties: true }, ...errorResponses } }, config: REVIEW_MEDIA },
    async (request, reply) => {
      const identity = identityOf(request)
      const namespace = request.body.spec.namespace || undefined
      reply.code(201)
      return { apiVersion: AUTHORIZATION, kind: 'SelfSubjectRulesReview', metadata: { creationTimestamp: context.now() }, spec: request.body.spec, status: rulesStatus(context.authorizer, identity, namespace) }
    },
  )
}

/** The caller's rules as a SelfSubjectRulesReview status: PlanSpec rules are in group `planspec.io`. */
function rulesStatus(authorizer: Authorizer, identity: Identity, namespace: string | undefined): Record<string, unknown> {
  const resourceRules = authorizer.unrestricted(identity)
    ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]
    : authorizer.rulesOf(identity, namespace).map((rule) => ({
        verbs: [...(rule.verbs ?? [])],
        apiGroups: (rule.resources ?? []).includes('namespaces') ? ['', GROUP] : [GROUP],
        resources: [...(rule.resources ?? [])],
        ...(rule.resourceNames === undefined || rule.resourceNames.length === 0 ? {} : { resourceNames: [...rule.resourceNames] }),
      }))
  return { resourceRules, nonResourceRules: NON_RESOURCE_RULES, incomplete: false }
}

/** Decides one resource access review; `allowed: false` with a reason for what PlanSpec does not serve. */
function decide(attributes: ResourceAttributes, allowed: (access: { verb: Verb; resource: string; namespace?: string; name?: string }) => boolean): { allowed: boolean; denied?: boolean; reason?: string } {
  const group = attributes.group ?? ''
  const resource = attributes.resource ?? ''
  const verb = attributes.subresource === 'status' && (attributes.verb === 'patch' || attributes.verb === 'update') ? 'update' : VERBS.get(attributes.verb ?? '')
  if (verb === undefined) return { allowed: false, reason: `PlanSpec knows no verb ${JSON.stringify(attributes.verb ?? '')}` }
  const entry = group === 'planspec.io' ? kindByPlural(resource) : undefined
  const base = entry !== undefined ? rbacResource(entry) : group === '' && resource === 'namespaces' ? 'namespaces' : undefined
  // The log subresource has its own permission (`executions/log`, like `pods/log`); other subresources count as the resource.
  const served = base === 'executions' && attributes.subresource === 'log' ? 'executions/log' : base
  if (served === undefined) return { allowed: false, reason: `PlanSpec serves no resource ${JSON.stringify(resource)} in group ${JSON.stringify(group)}` }
  const access = { verb, resource: served, ...(attributes.namespace ? { namespace: attributes.namespace } : {}), ...(attributes.name ? { name: attributes.name } : {}) }
  return allowed(access) ? { allowed: true, reason: 'allowed by PlanSpec RBAC' } : { allowed: false, reason: 'no PlanSpec role grants it' }
}
