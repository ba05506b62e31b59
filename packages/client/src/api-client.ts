import { PlanSpecError } from '@planspec/core'
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

/** The server could not be reached (connection refused, DNS, TLS, reset). */
export class ServerUnreachableError extends PlanSpecError {
  constructor(server: string, cause: unknown) {
    const detail = (cause as { cause?: { code?: string; message?: string } })?.cause
    super(`cannot reach ${server}: ${detail?.code ?? detail?.message ?? (cause as Error)?.message ?? String(cause)}`, { code: SERVER_UNREACHABLE_ERROR_CODE, data: { server }, cause })
  }
}

/** Where the client talks to and as whom. The token is sent as a bearer header and never printed. */
export interface ApiClientOptions {
  readonly server: string
  readonly token?: string
  /** The `fetch` to use (default the global one). */
  readonly fetch?: typeof fetch
  /**
   * The User-Agent (default `planspec`): the server records writes without an explicit
   * `fieldManager` under its first word, so edits and applies made with planspec share one field
   * manager and never conflict with each other.
   */
  readonly userAgent?: string
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
  const doFetch = options.fetch ?? fetch
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
  const send = async (method: string, path: string, request: RequestOptions): Promise<Response> => {
    let response: Response
    try {
      response = await doFetch(urlOf(path, request.query), { method, headers: headersFor(request), ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }), ...(request.signal ? { signal: request.signal } : {}) })
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error
      throw new ServerUnreachableError(server, error)
    }
    if (!response.ok) throw await failure(response)
    return response
  }
  const pathOf = (kind: ServerKind, namespace: string | undefined, name?: string): string =>
    `${API_PREFIX}${kind.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${kind.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`
  const client: ApiClient = {
    server,
    pathOf,
    async request<T>(method: string, path: string, request: RequestOptions = {}) {
      const response = await send(method, path, request)
      const warnings = [...(response.headers.get('warning') ?? '').matchAll(/299 - ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string)
      return { body: (await response.json()) as T, warnings }
    },
    async stream(path, request = {}) {
      const response = await send('GET', path, request)
      if (response.body === null) throw new ServerUnreachableError(server, new Error('empty watch response'))
      return response.body
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
