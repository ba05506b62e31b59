import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git'

/** Default bound on one request, and on each pause while a response streams in. */
export const DEFAULT_TIMEOUT_MS = 30_000

function timeoutError(ms: number, what: string): Error {
  return Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(ms, what)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function* idleBounded(body: AsyncIterableIterator<Uint8Array>, ms: number): AsyncIterableIterator<Uint8Array> {
  for (;;) {
    const next = await withTimeout(body.next(), ms, 'reading the response')
    if (next.done) return
    yield next.value
  }
}

/**
 * Wraps an isomorphic-git HTTP client so that no request waits forever (THREATS T4, and
 * isomorphic-git #1439): the response must start within `ms`, and the body may not stall for more
 * than `ms` between chunks. A timeout rejects with an error whose `code` is `ETIMEDOUT`.
 */
export function timedHttp(http: HttpClient, ms: number): HttpClient {
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      const response = await withTimeout(http.request(request), ms, `${request.method ?? 'GET'} request`)
      return response.body ? { ...response, body: idleBounded(response.body, ms) } : response
    },
  }
}
