import { verify } from '@octokit/webhooks-methods'
import Fastify, { type FastifyInstance } from 'fastify'
import type { AgentMetrics } from './agent-metrics.js'
import { agentViewRoutes, type AgentViewOptions } from './agent-view-routes.js'

/** What the agent's HTTP endpoints read and do. */
export interface AgentServerDeps {
  readonly metrics: AgentMetrics
  /** Whether the last sync round succeeded recently enough to call the agent ready. */
  readonly ready: () => { readonly ready: boolean; readonly reason: string }
  /** Wakes the sync loop at once (it carries no payload: the round re-reads everything). */
  readonly trigger: () => void
  /** Shared secret of push webhooks (GitHub `X-Hub-Signature-256`); without it the webhook is off. */
  readonly webhookSecret?: string
  /** The read-only view (the dashboard and `GET` of the resources in the agent's memory); absent: not served. */
  readonly view?: AgentViewOptions
}

/**
 * Builds (without listening) the agent's HTTP app: `/healthz` (the process answers), `/readyz`
 * (the last sync succeeded recently; 503 with the reason otherwise), `/metrics` (Prometheus
 * text) and `POST /webhook`, which verifies the HMAC signature of a push event and triggers a
 * sync at once (202), or answers 401 for a missing or bad signature. With `view`, it also serves
 * the read-only view (`agentViewRoutes`): the web dashboard at `/` and the resources it shows.
 *
 * @example
 * const app = buildAgentServer({ metrics, ready: () => ({ ready: true, reason: 'synced' }), trigger })
 * await app.listen({ host: '127.0.0.1', port: 9090 })
 */
export function buildAgentServer(deps: AgentServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true })
  // Keep the raw body: the signature covers the exact bytes sent.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const state = deps.ready()
    return reply.code(state.ready ? 200 : 503).send({ status: state.ready ? 'ready' : 'not ready', reason: state.reason })
  })
  app.get('/metrics', async (_request, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()))
  if (deps.view !== undefined) app.register(agentViewRoutes, deps.view)
  app.post('/webhook', async (request, reply) => {
    if (deps.webhookSecret === undefined) return reply.code(404).send({ error: 'webhook disabled: start the agent with a webhook secret' })
    const signature = request.headers['x-hub-signature-256']
    const body = typeof request.body === 'string' ? request.body : ''
    if (typeof signature !== 'string' || !(await verify(deps.webhookSecret, body, signature).catch(() => false))) {
      return reply.code(401).send({ error: 'bad or missing X-Hub-Signature-256' })
    }
    deps.trigger()
    return reply.code(202).send({ status: 'sync triggered' })
  })
  return app
}
