import type { AttemptLog } from '@planspec/core'
import { API_PREFIX, ApiRequestError, type ApiClient, type ApiObject, type ApplyOutcome } from './api-client.js'
import { ClientRefusedError } from './errors.js'
import type { ApplyPreview, ClientAction, ClientIdentity, ClientRequestOptions, ClientRequestOutcome, ClientRequestTarget, ResourceClient, ResourceView } from './resource-types.js'
import { resolveServerKind } from './server-kinds.js'
import { findByName } from './server-target.js'
import { refusalMessage } from './record-git-request.js'
import { serverVerdict } from './server-verdict.js'
import { watchObjects } from './watch-objects.js'

/** Options of {@link createHttpResourceClient}. */
export interface HttpResourceClientOptions {
  /** The API client (`createApiClient`): the server and the bearer token the client acts as. */
  readonly api: ApiClient
  /** Waits between watch reconnections (tests pass a fast one). */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
}

const CLAIM_PREFIX = 'planspec.io/claim.'
const REVIEW_REFUSALS: ReadonlySet<string> = new Set(['SelfApproval', 'NotEligible', 'AgentCannotDecide', 'StaleGeneration', 'DigestMismatch', 'NotWaiting', 'AlreadyDecided'])
const STATUS_REASONS: Readonly<Record<number, string>> = { 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid' }

/**
 * Creates the server-mode client: every read and action goes through the API's own routes, as the
 * token's identity, with the server's RBAC and checks (`POST .../gates/NAME/approve|reject|comment`,
 * `POST .../executions/NAME/cancel|retry|claim|complete`, `POST .../apply?dryRun=All`). A refusal
 * (403, 404, 409, 422) becomes a `refused` outcome whose reason is the server's first cause (e.g.
 * `AgentCannotDecide`, `AlreadyClaimed`, `MissingOutputs`), else the HTTP reason; an unreachable
 * server, 401 or 5xx throws (`ServerUnreachableError`, `ApiRequestError`).
 *
 * @example
 * const client = createHttpResourceClient({ api: createApiClient({ server, token }) })
 * await client.request('claim', { kind: 'Execution', name: 'docs-1', node: 'write' }, { via: 'mcp:claude-code/1.0' })
 */
export function createHttpResourceClient(options: HttpResourceClientOptions): ResourceClient {
  const { api } = options
  let identity: Promise<ClientIdentity> | undefined
  const view = (object: ApiObject): ResourceView => {
    const { status, ...manifest } = object
    const createdBy = object.metadata.annotations?.['planspec.io/created-by']
    const claims = claimsOf(object.metadata.annotations)
    return { kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace ?? '', object: manifest, metadata: object.metadata, spec: object.spec, ...(status === undefined ? {} : { status }), ...(createdBy === undefined ? {} : { changeAuthor: createdBy }), ...(claims === undefined ? {} : { claims }) }
  }
  const client: ResourceClient = {
    mode: 'server',
    target: api.server,
    whoami() {
      identity ??= (async () => {
        try {
          const { body } = await api.request<{ status?: { userInfo?: { username?: string; extra?: Record<string, unknown> } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } })
          const user = body.status?.userInfo?.username
          if (typeof user !== 'string' || user === '') throw new ClientRefusedError('Unauthorized', `${api.server} did not say who the token is`)
          // The subject Gates see for this token (the server says; else its user, read as `user:` without a prefix).
          const named = body.status?.userInfo?.extra?.['planspec.io/subject']
          const subject = Array.isArray(named) && typeof named[0] === 'string' ? named[0] : user.includes(':') ? user : `user:${user}`
          return { subject: subject.toLowerCase(), source: `token of ${user} at ${api.server}` }
        } catch (error) {
          identity = undefined
          if (error instanceof ApiRequestError && error.status === 401) throw new ClientRefusedError('Unauthorized', `${api.server} does not know the token (set PLANSPEC_TOKEN, or tokenEnv in the context)`)
          throw error
        }
      })()
      return identity
    },
    async list(kindText, listOptions = {}) {
      const kind = resolveServerKind(kindText)
      const items = await api.list(kind, { ...(listOptions.namespace === undefined ? {} : { namespace: listOptions.namespace }), ...(listOptions.labelSelector ? { labelSelector: listOptions.labelSelector } : {}) })
      return items.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name)).map(view)
    },
    async get(kindText, name, namespace) {
      const found = await findByName(api, resolveServerKind(kindText), name, namespace)
      return found === undefined ? undefined : view(found)
    },
    async watch(kinds, onChange, signal, scope = {}) {
      await Promise.all(kinds.map((text) => watchObjects(api, resolveServerKind(text), { signal, ...scope, ...(options.sleep ? { sleep: options.sleep } : {}) }, (type, object) => onChange({ type, resource: view(object) }))))
    },
    async logs(name, namespace) {
      const found = await findByName(api, resolveServerKind('Execution'), name, namespace)
      if (found === undefined) return undefined
      const { body } = await api.request<{ items?: readonly AttemptLog[] }>('GET', `${api.pathOf(resolveServerKind('Execution'), found.metadata.namespace, found.metadata.name)}/log`, { query: { allAttempts: 'true' } })
      return { execution: view(found), logs: body.items ?? [] }
    },
    async followLogs(name, namespace, query, onText, signal) {
      const found = await findByName(api, resolveServerKind('Execution'), name, namespace)
      if (found === undefined) return false
      const path = `${api.pathOf(resolveServerKind('Execution'), found.metadata.namespace, found.metadata.name)}/log`
      const flag = (value: boolean | undefined): string | undefined => (value ? 'true' : undefined)
      const text = (value: number | undefined): string | undefined => (value === undefined ? undefined : String(value))
      const stream = await api.stream(path, { query: { follow: 'true', node: query.node, attempt: text(query.attempt), allAttempts: flag(query.allAttempts), stream: query.stream, tailLines: text(query.tail) }, ...(signal === undefined ? {} : { signal }) })
      const decoder = new TextDecoder()
      try {
        for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }))
      } catch (error) {
        if ((error as Error)?.name !== 'AbortError' || signal?.aborted !== true) throw error
      }
      return true
    },
    async request(action, target, requestOptions = {}) {
      return serverRequest(api, action, target, requestOptions)
    },
    verdict: (action, recorded, verdictOptions) => serverVerdict(api, action, recorded, verdictOptions),
    async dryRunApply(objects) {
      const { body } = await api.request<{ results: readonly ApplyOutcome[] }>('POST', `${API_PREFIX}/apply`, { body: { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: objects }, query: { dryRun: 'All' } })
      return body.results.map((r): ApplyPreview => ({ kind: r.kind, name: r.name, ...(r.namespace === undefined ? {} : { namespace: r.namespace }), action: r.action }))
    },
  }
  return client
}

/** The claim holders the server recorded (`planspec.io/claim.<node>` = `{ by, at }`). */
function claimsOf(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  const claims: Record<string, string> = {}
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!key.startsWith(CLAIM_PREFIX)) continue
    try {
      const by = (JSON.parse(value) as { by?: unknown }).by
      if (typeof by === 'string') claims[key.slice(CLAIM_PREFIX.length)] = by
    } catch {
      // Not a claim record: ignored.
    }
  }
  return Object.keys(claims).length === 0 ? undefined : claims
}

async function serverRequest(api: ApiClient, action: ClientAction, target: ClientRequestTarget, options: ClientRequestOptions): Promise<ClientRequestOutcome> {
  const kind = resolveServerKind(target.kind)
  const subject = `${kind.kind.toLowerCase()}/${target.name}`
  const found = await findByName(api, kind, target.name, target.namespace)
  if (found === undefined) return { status: 'refused', subject, reason: 'NotFound', message: refusalMessage(subject, action, 'NotFound', `${kind.kind.toLowerCase()} "${target.name}" not found${target.namespace ? ` in namespace "${target.namespace}"` : ''}`) }
  const via = options.via === undefined ? {} : { via: options.via }
  const body =
    action === 'approve' || action === 'reject' || action === 'comment'
      ? { ...(options.comment === undefined ? {} : { comment: options.comment }), targetGeneration: found.metadata.generation ?? 1, ...(target.execution === undefined ? {} : { execution: target.execution }), ...via }
      : action === 'retry'
        ? { ...(target.node === undefined ? {} : { nodes: [target.node] }) }
        : action === 'claim'
          ? { node: target.node, ...via }
          : action === 'complete'
            ? { node: target.node, ...(target.outputs === undefined ? {} : { outputs: target.outputs }), ...(target.failed ? { failed: true } : {}), ...(options.comment === undefined ? {} : { message: options.comment }), ...via }
            : {}
  const path = `${api.pathOf(kind, found.metadata.namespace, found.metadata.name)}/${action}`
  try {
    const { body: result } = await api.request<ApiObject>('POST', path, { body, query: { dryRun: options.dryRun ? 'All' : undefined } })
    const namespace = found.metadata.namespace ?? ''
    if (options.dryRun) return { status: 'dry-run', subject, namespace, notes: [] }
    const execution = target.execution ?? boundExecution(action, found, result)
    const decided = action === 'approve' || action === 'reject' || action === 'comment' || action === 'claim'
    return { status: 'recorded', subject, kind: target.kind, name: target.name, namespace, ...(target.node === undefined ? {} : { node: target.node }), id: result.metadata.resourceVersion ?? '', ...(decided ? { counted: true } : {}), notes: [], object: result, ...(execution === undefined ? {} : { execution }) }
  } catch (error) {
    if (!(error instanceof ApiRequestError) || STATUS_REASONS[error.status] === undefined) throw error
    const cause = error.causes.find((c) => typeof c.reason === 'string' && /^[A-Z][A-Za-z]+$/.test(c.reason) && c.reason !== 'FieldValueInvalid')
    const reason = cause?.reason ?? error.reason ?? STATUS_REASONS[error.status]!
    // The server records a refused review in the Gate's history (counted: false) before answering.
    const recorded = (action === 'approve' || action === 'reject') && cause !== undefined && REVIEW_REFUSALS.has(cause.reason!)
    const why = error.causes.length > 0 ? error.causes.map((c) => c.message ?? c.reason).join('; ') : error.message
    return { status: 'refused', subject, reason, message: refusalMessage(subject, action, reason, why), ...(recorded ? { recorded: { id: found.metadata.name } } : {}) }
  }
}

/** The one Execution a review was recorded for (the new entries of the Gate's history), when there is exactly one. */
function boundExecution(action: ClientAction, before: ApiObject, after: ApiObject): string | undefined {
  if (action !== 'approve' && action !== 'reject' && action !== 'comment') return undefined
  const history = (object: ApiObject): readonly { action?: string; execution?: { name?: string } }[] => ((object.status as { reviewHistory?: { action?: string; execution?: { name?: string } }[] } | undefined)?.reviewHistory ?? [])
  const names = new Set(history(after).slice(history(before).length).filter((entry) => entry.action === action).map((entry) => entry.execution?.name).filter((name): name is string => name !== undefined))
  return names.size === 1 ? [...names][0] : undefined
}
