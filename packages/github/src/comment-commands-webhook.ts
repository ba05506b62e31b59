import { Webhooks } from '@octokit/webhooks'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { RepositoryAccessLookup } from './authorize-gate-action.js'
import type { CommandComment, CommandResolver, OnCommand } from './comment-command-types.js'
import { handleCommentCommands, type CommentCommandsOutcome } from './handle-comment-commands.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** Options of the {@link commentCommandsWebhook} plugin. */
export interface CommentCommandsWebhookOptions {
  /** The webhook secret configured on GitHub: every delivery must carry its HMAC (`X-Hub-Signature-256`). */
  readonly secret: string
  readonly octokit: GitHubClient
  readonly resolver: CommandResolver
  readonly onCommand: OnCommand
  /** Only this repository's events are handled; others are acknowledged and ignored. */
  readonly repository?: { readonly owner: string; readonly repo: string }
  /** Route path; default `/github/webhook`. */
  readonly path?: string
  /** Largest accepted delivery in bytes; default 1 MiB (a comment is at most 65,536 characters). */
  readonly bodyLimit?: number
  /**
   * Comments handled at once at most (default 32); a delivery beyond gets 429 and is not handled,
   * so a flood cannot pile up work (the polling fallback picks such comments up later).
   */
  readonly maxInFlight?: number
  readonly lookup?: RepositoryAccessLookup
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
  /** Told each handled comment (logs, metrics, tests). */
  readonly onHandled?: (outcome: CommentCommandsOutcome, comment: CommandComment) => void
  /** Told a failure of the handler itself (it never reaches the HTTP answer). */
  readonly onError?: (error: unknown) => void
}

const NAME = 'planspec-comment-commands'

/**
 * A fastify plugin that receives GitHub webhook deliveries for comment commands (DECISIONS §7):
 * `POST /github/webhook` (JSON content type). It checks the `X-Hub-Signature-256` HMAC with
 * `@octokit/webhooks` before reading anything (401 on a bad or missing signature, 400 when the
 * delivery headers are missing), answers `ping`, and for `issue_comment` with action `created`
 * on a pull request answers 202 at once and handles the comment in the background with
 * {@link handleCommentCommands} (authorization, `onCommand`, reply). Every other event is
 * acknowledged with 202 and ignored: the payload only triggers work, it is never trusted for
 * anything but the comment it names. Bodies are capped (`bodyLimit`) and so is the handling in
 * flight (`maxInFlight`, then 429). Closing the fastify instance waits for handling in flight.
 *
 * Encapsulated: its JSON parser (raw text, for the HMAC) applies to its own route only.
 *
 * @example
 * app.register(commentCommandsWebhook, { secret, octokit, resolver, onCommand: (request) => agent.record(request) })
 */
export const commentCommandsWebhook: FastifyPluginAsync<CommentCommandsWebhookOptions> = Object.assign(
  async function commentCommandsWebhookPlugin(app: FastifyInstance, options: CommentCommandsWebhookOptions): Promise<void> {
    const webhooks = new Webhooks({ secret: options.secret })
    const inFlight = new Set<Promise<void>>()
    const bodyLimit = options.bodyLimit ?? 1024 * 1024
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body))
    app.addHook('onClose', async () => {
      await Promise.allSettled([...inFlight])
    })
    app.post(options.path ?? '/github/webhook', { bodyLimit }, async (request, reply) => {
      const header = (name: string): string | undefined => {
        const value = request.headers[name]
        return typeof value === 'string' && value !== '' ? value : undefined
      }
      const signature = header('x-hub-signature-256')
      const event = header('x-github-event')
      const raw = typeof request.body === 'string' ? request.body : ''
      if (signature === undefined || !(await webhooks.verify(raw, signature).catch(() => false))) {
        return reply.code(401).send({ message: 'signature does not match the payload and secret' })
      }
      if (event === undefined || header('x-github-delivery') === undefined) return reply.code(400).send({ message: 'missing X-GitHub-Event or X-GitHub-Delivery header' })
      if (event === 'ping') return reply.code(200).send({ message: 'pong' })
      let payload: unknown
      try {
        payload = JSON.parse(raw)
      } catch {
        return reply.code(400).send({ message: 'the payload is not JSON' })
      }
      const comment = event === 'issue_comment' ? commentOf(payload) : undefined
      const wanted = options.repository
      if (comment !== undefined && inFlight.size >= (options.maxInFlight ?? 32)) return reply.code(429).send({ message: 'too many comments in flight; try again later' })
      if (comment === undefined || (wanted !== undefined && (comment.owner.toLowerCase() !== wanted.owner.toLowerCase() || comment.repo.toLowerCase() !== wanted.repo.toLowerCase()))) {
        return reply.code(202).send({ message: 'ignored' })
      }
      const task = handleCommentCommands({
        octokit: options.octokit,
        comment,
        resolver: options.resolver,
        onCommand: options.onCommand,
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.policy === undefined ? {} : { policy: options.policy }),
      })
        .then((outcome) => options.onHandled?.(outcome, comment))
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => inFlight.delete(task))
      inFlight.add(task)
      return reply.code(202).send({ message: 'accepted' })
    })
  },
  { [Symbol.for('plugin-meta')]: { name: NAME, fastify: '5.x' }, [Symbol.for('fastify.display-name')]: NAME },
)

/** Reads the comment of an `issue_comment` `created` delivery on a pull request; undefined for anything else. */
function commentOf(payload: unknown): CommandComment | undefined {
  const root = record(payload)
  const comment = record(root['comment'])
  const issue = record(root['issue'])
  const repository = record(root['repository'])
  const user = record(comment['user'])
  const fields = {
    id: comment['id'],
    body: comment['body'],
    author: user['login'],
    url: comment['html_url'],
    createdAt: comment['created_at'],
    issueNumber: issue['number'],
    pullRequestAuthor: record(issue['user'])['login'],
    owner: record(repository['owner'])['login'],
    repo: repository['name'],
  }
  if (root['action'] !== 'created' || typeof issue['pull_request'] !== 'object' || issue['pull_request'] === null) return undefined
  if (typeof fields.id !== 'number' || typeof fields.issueNumber !== 'number') return undefined
  const strings = [fields.body, fields.author, fields.url, fields.createdAt, fields.pullRequestAuthor, fields.owner, fields.repo]
  if (!strings.every((value): value is string => typeof value === 'string')) return undefined
  return {
    id: fields.id,
    owner: fields.owner as string,
    repo: fields.repo as string,
    issueNumber: fields.issueNumber,
    body: fields.body as string,
    author: fields.author as string,
    ...(typeof user['type'] === 'string' ? { authorType: user['type'] } : {}),
    url: fields.url as string,
    createdAt: fields.createdAt as string,
    pullRequestAuthor: fields.pullRequestAuthor as string,
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}
