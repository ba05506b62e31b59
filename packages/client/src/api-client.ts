import { PlanSpecError } from '@planspec/core'
import { fetchTrusting } from './trusting-fetch.js'
import type { ServerKind } from './server-kinds.js'

/** An object as the API returns it. */
export interface ApiObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string; readonly creationTimestamp?: string; readonly generation?: number; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> }
  readonly spec?: unknown
  readonly status?: unknown
  readonly [key: string]: unknown
}

/** One result of a server-side apply. */
export interface ApplyOutcome {
  readonly subject: string
  readonly kind: string
  readonly namespace?: string
  readonly name: string
  readonly action: 'created' | 'configured' | 'unchanged'
  readonly object: ApiObject
}

/** A field-level problem the server reported. */
export interface ApiCause {
  readonly reason?: string
  readonly message?: string
  readonly field?: string
}

/** Code of {@link ApiRequestError}. */
export const API_REQUEST_ERROR_CODE = 'PLANSPEC_ERR_CLI_API_REQUEST'
/** Code of {@link ServerUnreachableError}. */
export const SERVER_UNREACHABLE_ERROR_CODE = 'PLANSPEC_ERR_CLI_SERVER_UNREACHABLE'

/** The server answered with a Kubernetes `Status` failure (4xx, 5xx). */
export class ApiRequestError extends PlanSpecError {
  readonly status: number
  readonly reason: string
  readonly causes: readonly ApiCause[]
  constructor(status: number, reason: string, message: string, causes: readonly ApiCause[]) {
    super(message, { code: API_REQUEST_ERROR_CODE, data: { status, reason } })
    this.status = status
    this.reason = reason
    this.causes = causes
  }
}

/** The server could not be reached (connection refused, DNS, TLS, reset) or did not answer in time. */
export class ServerUnreachableError extends PlanSpecError {
  /** `url` (safe to print) names the request that failed, when known. */
  constructor(server: string, cause: unknown, url?: string, code: string = SERVER_UNREACHABLE_ERROR_CODE) {
    const detail = (cause as { cause?: { code?: string; message?: string } })?.cause
    super(`cannot reach ${url ?? server}: ${detail?.code ?? detail?.message ?? (cause as Error)?.message ?? String(cause)}`, { code, data: { server, ...(url === undefined ? {} : { url }) }, cause })
  }
}

/** Code of {@link RequestTimeoutError}. */
export const REQUEST_TIMEOUT_ERROR_CODE = 'PLANSPEC_ERR_CLI_REQUEST_TIMEOUT'

/** The server did not answer a request within the request timeout. */
export class RequestTimeoutError extends ServerUnreachableError {
  readonly timeoutMs: number
  /** `url` is the request's URL without credentials. */
  constructor(server: string, url: string, timeoutMs: number) {
    super(server, new Error(`no answer within ${formatSeconds(timeoutMs)} (--request-timeout)`), url, REQUEST_TIMEOUT_ERROR_CODE)
    this.timeoutMs = timeoutMs
  }
}

/** The default time a request may take until its answer is read (30 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

const formatSeconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`)

/** Where the client talks to and as whom. The token is sent as a bearer header and never printed. */
export interface ApiClientOptions {
  readonly server: string
  readonly token?: string
  /** The `fetch` to use (default the global one, or one that trusts `ca`). */
  readonly fetch?: typeof fetch
  /**
   * The User-Agent (default `planspec`): the server records writes without an explicit
   * `fieldManager` under its first word, so edits and applies made with planspec share one field
   * manager and never conflict with each other.
   */
  readonly userAgent?: string
  /** PEM certificate(s) of the CA that signed the server's certificate (a self-signed server's own). */
  readonly ca?: string
  /** How long a request may take until its answer is read (default {@link DEFAULT_REQUEST_TIMEOUT_MS}; a watch: until its headers). */
  readonly timeoutMs?: number
  /** Aborts every request (Ctrl-C); the request then rejects with the signal's reason (an `AbortError`). */
  readonly signal?: AbortSignal
}

/** What a request sends. */
export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>>
  readonly body?: unknown
  readonly contentType?: string
  readonly signal?: AbortSignal
}

/** A small client of the PlanSpec REST API over `fetch`. */
export interface ApiClient {
  /** The server URL without credentials, for messages. */
  readonly server: string
  request<T>(method: string, path: string, options?: RequestOptions): Promise<{ readonly body: T; readonly warnings: readonly string[] }>
  /** Opens a streaming request (watch); rejects with {@link ApiRequestError} on a non-2xx answer. */
  stream(path: string, options?: RequestOptions): Promise<ReadableStream<Uint8Array>>
  /** Lists every object of a kind (following `continue` tokens), in a namespace or across all. */
  list(kind: ServerKind, options?: { readonly namespace?: string; readonly labelSelector?: string; readonly fieldSelector?: string }): Promise<ApiObject[]>
  /** Reads one object; undefined when it does not exist. */
  get(kind: ServerKind, namespace: string | undefined, name: string): Promise<ApiObject | undefined>
  /** The path of a kind's collection, or of one object. */
  pathOf(kind: ServerKind, namespace: string | undefined, name?: string): string
}

/** The API group-version prefix. */
export const API_PREFIX = '/apis/planspec.io/v1alpha1'

/**
 * Creates an API client. Every request carries `Authorization: Bearer <token>` when a token is
 * given; failures become {@link ApiRequestError} (with the server's reason and causes) or
 * {@link ServerUnreachableError}. Credentials in the server URL are dropped from every message.
 *
 * @example
 * const client = createApiClient({ server: 'http://127.0.0.1:8080', token: io.env.PLANSPEC_TOKEN })
 * const executions = await client.list(resolveServerKind('executions'), { namespace: 'default' })
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.server.replace(/\/+$/, '')
  const server = displayServer(base)
  const doFetch = options.fetch ?? (options.ca === undefined ? fetch : fetchTrusting(options.ca))
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const headersFor = (request: RequestOptions): Record<string, string> => ({
    accept: 'application/json',
    'user-agent': options.userAgent ?? 'planspec',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(request.body === undefined ? {} : { 'content-type': request.contentType ?? 'application/json' }),
  })
  const urlOf = (path: string, query: RequestOptions['query']): string => {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, value)
    const text = params.toString()
    return `${base}${path}${text ? `?${text}` : ''}`
  }
  /**
   * Sends a request under the timeout and the signals; `read` consumes the answer while the timer
   * still runs (a watch's stream reads nothing: the timer covers its headers only).
   */
  const send = async <T>(method: string, path: string, request: RequestOptions, read: (response: Response) => Promise<T>): Promise<T> => {
    const url = urlOf(path, request.query)
    const shown = displayServer(url)
    const timer = new AbortController()
    const timeout = setTimeout(() => timer.abort(new RequestTimeoutError(server, shown, timeoutMs)), timeoutMs)
    const signals = [timer.signal, ...[request.signal, options.signal].filter((s): s is AbortSignal => s !== undefined)]
    const signal = signals.length === 1 ? timer.signal : AbortSignal.any(signals)
    try {
      let response: Response
      try {
        response = await doFetch(url, { method, headers: headersFor(request), ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }), signal })
      } catch (error) {
        throw unreachable(error, signal, shown)
      }
      if (!response.ok) throw await failure(response)
      try {
        return await read(response)
      } catch (error) {
        throw unreachable(error, signal, shown)
      }
    } finally {
      clearTimeout(timeout)
    }
  }
  const unreachable = (error: unknown, signal: AbortSignal, url: string): unknown => {
    if (signal.aborted) return signal.reason instanceof RequestTimeoutError ? signal.reason : error
    if ((error as Error)?.name === 'AbortError') return error
    if (error instanceof SyntaxError) return error
    return new ServerUnreachableError(server, error, url)
  }
  const pathOf = (kind: ServerKind, namespace: string | undefined, name?: string): string =>
    `${API_PREFIX}${kind.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${kind.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`
  const client: ApiClient = {
    server,
    pathOf,
    async request<T>(method: string, path: string, request: RequestOptions = {}) {
      return send(method, path, request, async (response) => {
        const warnings = [...(response.headers.get('warning') ?? '').matchAll(/299 - ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string)
        return { body: (await response.json()) as T, warnings }
      })
    },
    async stream(path, request = {}) {
      // The stream outlives the timeout (a watch is long), so only the request's own signal and
      // the client's stay attached to it.
      const signals = [request.signal, options.signal].filter((s): s is AbortSignal => s !== undefined)
      const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals)
      const body = await send('GET', path, { ...request, ...(signal === undefined ? {} : { signal }) }, async (response) => response.body)
      if (body === null) throw new ServerUnreachableError(server, new Error('empty watch response'))
      return body
    },
    async list(kind, listOptions = {}) {
      const items: ApiObject[] = []
      let token: string | undefined
      do {
        const { body } = await client.request<{ items: ApiObject[]; metadata?: { continue?: string } }>('GET', pathOf(kind, listOptions.namespace), {
          query: { labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector, limit: '500', continue: token },
        })
        items.push(...body.items.map((item) => ({ ...item, apiVersion: item.apiVersion ?? 'planspec.io/v1alpha1', kind: item.kind ?? kind.kind })))
        token = body.metadata?.continue || undefined
      } while (token !== undefined)
      return items
    },
    async get(kind, namespace, name) {
      try {
        return (await client.request<ApiObject>('GET', pathOf(kind, namespace, name))).body
      } catch (error) {
        if (error instanceof ApiRequestError && error.status === 404) return undefined
        throw error
      }
    },
  }
  return client
}

async function failure(response: Response): Promise<ApiRequestError> {
  const text = await response.text().catch(() => '')
  let status: { message?: unknown; reason?: unknown; details?: { causes?: ApiCause[] } } = {}
  try {
    status = JSON.parse(text) as typeof status
  } catch {
    // Not a Status object (a proxy, a crash): keep the HTTP status line.
  }
  const message = typeof status.message === 'string' ? status.message : `HTTP ${response.status} ${response.statusText}`.trim()
  return new ApiRequestError(response.status, typeof status.reason === 'string' ? status.reason : String(response.status), message, status.details?.causes ?? [])
}

/** A server URL without userinfo, query or fragment: safe to print. */
export function displayServer(server: string): string {
  try {
    const url = new URL(server)
    url.username = ''
    url.password = ''
    url.search = ''
    url.hash = ''
    return url.toString().replace(/\/+$/, '')
  } catch {
    return '<invalid server URL>'
  }
}
