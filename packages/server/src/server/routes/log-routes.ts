import { Readable } from 'node:stream'
import { createLogFollower, renderAttemptLogs, selectAttemptLogs, type AttemptLog, type LogQuery, type StoredResource } from '@planspec/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../error-catalog.js'
import { API_PREFIX } from '../kinds.js'
import { errorResponses, fixedNameParams } from '../route-schemas.js'
import { authorize } from '../server-context.js'
import type { ServerContext } from '../server-context.js'

/** The RBAC resource of the log subresource: `get` on it reads an Execution's logs (like `pods/log`). */
export const EXECUTION_LOG_RESOURCE = 'executions/log'

interface LogQueryString {
  readonly node?: string
  readonly attempt?: number
  readonly allAttempts?: boolean
  readonly stream?: 'stdout' | 'stderr'
  readonly tailLines?: number
  readonly follow?: boolean
}
type LogRequest = FastifyRequest<{ Params: { namespace: string; name: string }; Querystring: LogQueryString }>

const logQuerySchema = {
  type: 'object',
  properties: {
    node: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
    attempt: { type: 'integer', minimum: 1 },
    allAttempts: { type: 'boolean' },
    stream: { type: 'string', enum: ['stdout', 'stderr'] },
    tailLines: { type: 'integer', minimum: 0 },
    follow: { type: 'boolean' },
  },
  additionalProperties: false,
} as const

const logItem = {
  type: 'object',
  required: ['node', 'attempt', 'stream', 'text', 'bytes', 'truncated'],
  properties: { node: { type: 'string' }, attempt: { type: 'integer' }, stream: { type: 'string', enum: ['stdout', 'stderr'] }, text: { type: 'string' }, bytes: { type: 'integer' }, truncated: { type: 'boolean' } },
} as const
const logList = { type: 'object', required: ['kind', 'apiVersion', 'items'], properties: { kind: { type: 'string' }, apiVersion: { type: 'string' }, items: { type: 'array', items: logItem } } } as const

const FINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Cancelled', 'Skipped'])
const FOLLOW_POLL_MS = 1000

/**
 * Registers the log subresource of Executions, `GET .../namespaces/{ns}/executions/{name}/log`
 * (RBAC: `get` on `executions/log`): the kept output of its attempts, each node's last attempt
 * by default (`node`, `attempt`, `allAttempts`, `stream`, `tailLines` as `planspec logs`).
 * `Accept: application/json` answers `{kind: ExecutionLogList, items: [{node, attempt, stream,
 * text, bytes, truncated}]}` (what clients use); anything else the text `planspec logs` prints.
 * With `follow=true` the text is streamed: what each attempt prints as it is kept (every second
 * while it runs), until `node` (when given) or the
 * Execution reaches a final phase or is deleted, or the client goes.
 */
export async function logRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  app.get(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/log`,
    { schema: { params: fixedNameParams, querystring: logQuerySchema, response: { 200: logList, ...errorResponses } } },
    async (request: LogRequest, reply: FastifyReply) => {
      const { namespace, name } = request.params
      authorize(context, request, { verb: 'get', resource: EXECUTION_LOG_RESOURCE, namespace, name })
      const execution = await readExecution(context, namespace, name)
      const q = request.query
      const query: LogQuery = { ...(q.node === undefined ? {} : { node: q.node }), ...(q.attempt === undefined ? {} : { attempt: q.attempt }), ...(q.allAttempts ? { allAttempts: true } : {}), ...(q.stream === undefined ? {} : { stream: q.stream }) }
      const render = (logs: readonly AttemptLog[], headers: boolean): string => renderAttemptLogs(logs, { headers, ...(q.tailLines === undefined ? {} : { tail: q.tailLines }) })
      if (q.follow === true) {
        reply.type('text/plain; charset=utf-8')
        return reply.send(Readable.from(follow(context, execution, query, q.tailLines, request)))
      }
      const logs = selectAttemptLogs(await context.store.logs.read(identity(execution)), query)
      if ((request.headers.accept ?? '').includes('application/json')) return { kind: 'ExecutionLogList', apiVersion: 'planspec.io/v1alpha1', items: logs }
      reply.type('text/plain; charset=utf-8')
      return render(logs, logs.length > 1)
    },
  )
}

async function readExecution(context: ServerContext, namespace: string, name: string): Promise<StoredResource> {
  const execution = await context.store.get({ kind: 'Execution', namespace, name })
  if (execution === undefined) throw new ApiError('NotFound', `executions ${JSON.stringify(name)} not found`, { name, group: 'planspec.io', kind: 'executions' })
  return execution
}

function identity(execution: StoredResource): { namespace: string; name: string; uid: string } {
  return { namespace: execution.metadata.namespace ?? 'default', name: execution.metadata.name, uid: String(execution.metadata.uid) }
}

/** Yields each selected log once it is kept, until the Execution ends, is deleted or replaced, or the request closes. */
async function* follow(context: ServerContext, execution: StoredResource, query: LogQuery, tailLines: number | undefined, request: FastifyRequest): AsyncGenerator<string> {
  const closed = new AbortController()
  request.raw.once('close', () => closed.abort())
  const stop = (): void => closed.abort()
  context.watches.add(stop)
  // Headers whenever more than one log can be printed (as `planspec logs -f`).
  const headers = !(query.node !== undefined && query.stream !== undefined && query.attempt !== undefined)
  const follower = createLogFollower({ headers })
  const who = identity(execution)
  try {
    for (let first = true; !closed.signal.aborted; first = false) {
      const current = await context.store.get({ kind: 'Execution', namespace: who.namespace, name: who.name })
      const logs = selectAttemptLogs(await context.store.logs.read(who), first || query.attempt !== undefined ? query : { ...query, allAttempts: true })
      const fresh = first && tailLines !== undefined ? (follower.next(logs), renderAttemptLogs(logs, { headers, tail: tailLines })) : follower.next(logs)
      if (fresh !== '') yield fresh
      const status = current?.status as { phase?: string; nodeStatuses?: Record<string, { phase?: string } | undefined> } | undefined
      const nodePhase = query.node === undefined ? undefined : status?.nodeStatuses?.[query.node]?.phase
      if (current === undefined || current.metadata.uid !== execution.metadata.uid || FINAL_PHASES.has(status?.phase ?? '') || FINAL_PHASES.has(nodePhase ?? '')) return
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FOLLOW_POLL_MS)
        closed.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
      })
    }
  } finally {
    context.watches.delete(stop)
  }
}
