import type { FastifyInstance } from 'fastify'
import { ApiError } from '../error-catalog.js'
import { errorResponses } from '../route-schemas.js'
import { identityOf } from '../server-context.js'

const text = { type: 'string' } as const

/**
 * Registers `/healthz` and `/livez` (the process answers), `/readyz` (the store answers; 503
 * otherwise), all three without authentication, and `/metrics` (Prometheus text format, for
 * authenticated callers).
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const { store, metrics } = app.planspec
  const schema = { response: { 200: text, ...errorResponses } }
  const ok = async (): Promise<string> => 'ok'
  app.get('/healthz', { schema, config: { public: true } }, ok)
  app.get('/livez', { schema, config: { public: true } }, ok)
  app.get('/readyz', { schema, config: { public: true } }, async () => {
    if (!store.ping()) throw new ApiError('ServiceUnavailable', 'the store does not answer')
    return 'ok'
  })
  app.get('/metrics', { schema }, async (request, reply) => {
    identityOf(request)
    reply.type(metrics.registry.contentType)
    return metrics.registry.metrics()
  })
}
