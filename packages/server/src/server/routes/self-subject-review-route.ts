import type { FastifyInstance } from 'fastify'
import { errorResponses } from '../route-schemas.js'
import { identityOf } from '../server-context.js'

const review = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'status'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', properties: { creationTimestamp: { type: 'string' } }, additionalProperties: false },
    status: {
      type: 'object',
      required: ['userInfo'],
      properties: { userInfo: { type: 'object', required: ['username', 'groups'], properties: { username: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } } }, additionalProperties: false } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const

/**
 * Registers `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (what `kubectl auth whoami`
 * calls): the caller's own user name and groups, as the bearer token authenticates them. Any
 * authenticated caller may ask; nothing is stored. Tools acting as a token's identity (`planspec
 * mcp`) learn who they are from it.
 */
export async function selfSubjectReviewRoute(app: FastifyInstance): Promise<void> {
  app.post(
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { schema: { body: { type: ['object', 'null'] }, response: { 201: review, ...errorResponses } }, config: { mediaTypes: ['application/json'] } },
    async (request, reply) => {
      const identity = identityOf(request)
      reply.code(201)
      return { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: app.planspec.now() }, status: { userInfo: { username: identity.user, groups: [...identity.groups] } } }
    },
  )
}
