/** The PlanSpec API group version every resource is served under. */
export const API_PREFIX = '/apis/planspec.io/v1alpha1'

/** Object metadata as the API returns it. */
export interface Metadata {
  readonly name: string
  readonly namespace?: string
  readonly uid?: string
  readonly generation?: number
  readonly resourceVersion?: string
  readonly creationTimestamp?: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

/** A resource as the API returns it; `spec` and `status` are read defensively (they are user data). */
export interface Resource {
  readonly apiVersion?: string
  readonly kind: string
  readonly metadata: Metadata
  readonly spec?: Record<string, unknown>
  readonly status?: Record<string, unknown>
}

/** One event of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  readonly object: Resource & { readonly code?: number; readonly message?: string }
}

/** Who the token belongs to (a SelfSubjectReview), with the PlanSpec subject and teams the server derived. */
export interface Viewer {
  readonly username: string
  readonly groups: readonly string[]
  /** `user:NAME`: how Gates name this person. */
  readonly subject: string
  /** `team:ORG/SLUG` entries this person is a member of. */
  readonly teams: readonly string[]
}

/** An API answer that was not 2xx: the HTTP status and the Kubernetes Status reason, when given. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** What the app asks of the API. */
export interface ApiClient {
  list(plural: string): Promise<{ readonly items: readonly Resource[]; readonly resourceVersion: string }>
  /** Streams changes after `resourceVersion` until the server ends the stream, `signal` aborts, or it fails (an ApiError; 410 means re-list). */
  watch(plural: string, resourceVersion: string, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void>
  whoAmI(): Promise<Viewer>
  /** Asks the server whether the caller may do `verb` on `resource` (a SelfSubjectAccessReview). */
  canI(verb: string, resource: string, namespace: string, name?: string): Promise<boolean>
  review(namespace: string, gate: string, action: 'approve' | 'reject', body: { comment?: string; execution?: string; digest?: string; targetGeneration?: number }): Promise<Resource>
}

/**
 * Creates the API client. Every request carries the bearer token in the `Authorization` header
 * (never a cookie, so another site cannot make the browser act for the user: no CSRF), and asks
 * for JSON. Errors become {@link ApiError} with the Status message.
 *
 * @example
 * const api = createApiClient({ token })
 * const { items } = await api.list('executions')
 */
export function createApiClient(options: { readonly token: string; readonly fetch?: typeof fetch; readonly base?: string }): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const base = options.base ?? ''
  const headers = { authorization: `Bearer ${options.token}`, accept: 'application/json' }
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await doFetch(`${base}${path}`, { ...init, headers: { ...headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) }, credentials: 'omit', cache: 'no-store' })
    if (!response.ok) throw await errorOf(response)
    return response
  }
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await request(path, init)).json()) as T
  return {
    async list(plural) {
      const list = await json<{ items?: Resource[]; metadata?: { resourceVersion?: string } }>(`${API_PREFIX}/${plural}`)
      return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '0' }
    },
    async watch(plural, resourceVersion, onEvent, signal) {
      const response = await request(`${API_PREFIX}/${plural}?watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${encodeURIComponent(resourceVersion)}`, { signal })
      if (response.body === null) return
      const reader = response.body.getReader()
      const decoder = new TextDecoder()
      let buffered = ''
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        buffered += decoder.decode(value, { stream: true })
        let newline = buffered.indexOf('\n')
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim()
          buffered = buffered.slice(newline + 1)
          if (line !== '') onEvent(JSON.parse(line) as WatchEvent)
          newline = buffered.indexOf('\n')
        }
      }
    },
    async whoAmI() {
      const review = await json<{ status?: { userInfo?: { username?: string; groups?: string[]; extra?: Record<string, string[]> } } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        method: 'POST',
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      })
      const info = review.status?.userInfo ?? {}
      const username = info.username ?? ''
      return { username, groups: info.groups ?? [], subject: info.extra?.['planspec.io/subject']?.[0] ?? `user:${username}`, teams: info.extra?.['planspec.io/teams'] ?? [] }
    },
    async canI(verb, resource, namespace, name) {
      const review = await json<{ status?: { allowed?: boolean } }>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        method: 'POST',
        body: JSON.stringify({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { group: 'planspec.io', resource, verb, namespace, ...(name === undefined ? {} : { name }) } },
        }),
      })
      return review.status?.allowed === true
    },
    async review(namespace, gate, action, body) {
      return json<Resource>(`${API_PREFIX}/namespaces/${encodeURIComponent(namespace)}/gates/${encodeURIComponent(gate)}/${action}`, { method: 'POST', body: JSON.stringify(body) })
    },
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`
  let reason: string | undefined
  try {
    const status = (await response.json()) as { message?: unknown; reason?: unknown }
    if (typeof status.message === 'string') message = status.message
    if (typeof status.reason === 'string') reason = status.reason
  } catch {
    // Not a Status object: keep the HTTP status line.
  }
  return new ApiError(response.status, message, reason)
}
