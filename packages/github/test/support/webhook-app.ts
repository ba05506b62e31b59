import Fastify, { type FastifyInstance } from 'fastify'
import { commentCommandsWebhook, type CommandComment, type CommentCommandsOutcome, type GitHubClient } from '../../src/index.js'
import type { CommandWorld } from './command-world.js'
import { loadOpenApiContract } from './openapi-contract.js'
import { deliveryHeaders } from './webhook-payloads.js'

export const SECRET = 'webhook-secret-for-tests'

/** A fastify app with the webhook plugin, and a way to wait for the background handling. */
export interface WebhookApp {
  readonly app: FastifyInstance
  readonly handled: { outcome: CommentCommandsOutcome; comment: CommandComment }[]
  readonly errors: unknown[]
  /** Delivers `payload` (checked against the description first), signed unless `signature` is given. */
  deliver(event: string, payload: unknown, options?: { secret?: string; signature?: string | null }): Promise<{ statusCode: number; body: string }>
  /** Resolves once `count` comments were handled in total. */
  waitForHandled(count: number): Promise<void>
}

export async function startWebhookApp(options: { octokit: GitHubClient; world: CommandWorld; repository?: { owner: string; repo: string }; maxInFlight?: number }): Promise<WebhookApp> {
  const handled: WebhookApp['handled'] = []
  const errors: unknown[] = []
  const waiters: (() => void)[] = []
  const app = Fastify({ logger: false })
  await app.register(commentCommandsWebhook, {
    secret: SECRET,
    octokit: options.octokit,
    resolver: options.world.resolver,
    onCommand: (request) => options.world.onCommand(request),
    ...(options.repository === undefined ? {} : { repository: options.repository }),
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
    onHandled: (outcome, comment) => {
      handled.push({ outcome, comment })
      waiters.splice(0).forEach((wake) => wake())
    },
    onError: (error) => errors.push(error),
  })
  await app.ready()
  return {
    app,
    handled,
    errors,
    async deliver(event, payload, deliverOptions = {}) {
      if (event === 'issue_comment') {
        const violations = loadOpenApiContract().checkWebhook('issue-comment-created', payload)
        if (violations.length > 0) throw new Error(`test payload breaks the description: ${violations.join('; ')}`)
      }
      const raw = JSON.stringify(payload)
      const headers = deliveryHeaders(event, raw, deliverOptions.secret ?? SECRET)
      if (deliverOptions.signature === null) delete headers['x-hub-signature-256']
      else if (deliverOptions.signature !== undefined) headers['x-hub-signature-256'] = deliverOptions.signature
      const response = await app.inject({ method: 'POST', url: '/github/webhook', headers, payload: raw })
      return { statusCode: response.statusCode, body: response.body }
    },
    async waitForHandled(count) {
      while (handled.length < count) await new Promise<void>((resolve) => waiters.push(resolve))
    },
  }
}
