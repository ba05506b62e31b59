import { PlanSpecError } from '@planspec/core'

/** The stable codes of {@link GitHubApiError}, one per way a call to GitHub can fail. */
export const GITHUB_ERROR_CODES = {
  /** 401: the token is missing, expired or revoked. Terminal. */
  unauthorized: 'PLANSPEC_ERR_GITHUB_UNAUTHORIZED',
  /** 403 without rate-limit headers: the token may not do this (a read-only fork token, say). Terminal. */
  forbidden: 'PLANSPEC_ERR_GITHUB_FORBIDDEN',
  /** 404 or 410: the repository, pull request, comment or file does not exist (or is hidden from the token). Terminal. */
  notFound: 'PLANSPEC_ERR_GITHUB_NOT_FOUND',
  /** 422: GitHub refused the payload (a body over 65,536 characters, a description over 140). Terminal. */
  invalid: 'PLANSPEC_ERR_GITHUB_INVALID',
  /** Any other 4xx. Terminal. */
  request: 'PLANSPEC_ERR_GITHUB_REQUEST',
  /** Still rate-limited after the allowed waits, or the reset is too far away; `data.retryAt` says when to try again. */
  rateLimited: 'PLANSPEC_ERR_GITHUB_RATE_LIMITED',
  /** 5xx or a network failure, still failing after the retries. */
  unavailable: 'PLANSPEC_ERR_GITHUB_UNAVAILABLE',
} as const

/** One of {@link GITHUB_ERROR_CODES}. */
export type GitHubErrorCode = (typeof GITHUB_ERROR_CODES)[keyof typeof GITHUB_ERROR_CODES]

// GitHub token formats (https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/)
// and `token`/`Bearer` credentials. Bounded runs and no nested quantifiers keep the scan linear.
const TOKEN_PATTERN = /\b(?:gh[pousr]_[A-Za-z0-9]{16,255}|github_pat_[A-Za-z0-9_]{22,255})\b|\b((?:token|bearer)\s{1,8})[^\s"',;]{8,1024}/gi
const URL_USERINFO = /(\bhttps?:\/\/)[^\s/?#@]{1,1024}@/gi

/**
 * Replaces GitHub tokens (`ghp_…`, `ghs_…`, `github_pat_…`), `token …`/`Bearer …` credentials
 * and the `user:pass@` part of URLs with `[REDACTED]`. Runs in linear time. Pure.
 *
 * @example
 * redactToken('token ghs_abcdefghijklmnop1234 failed') // 'token [REDACTED] failed'
 */
export function redactToken(text: string): string {
  return text
    .replace(TOKEN_PATTERN, (_match: string, prefix: string | undefined) => `${prefix ?? ''}[REDACTED]`)
    .replace(URL_USERINFO, '$1[REDACTED]@')
}

/** What a {@link GitHubApiError} records (JSON-able, never a token). */
export interface GitHubApiErrorData extends Record<string, unknown> {
  /** The Octokit method, e.g. `issues.createComment`. */
  readonly operation: string
  /** HTTP status; 0 when no answer came back (network failure). */
  readonly status: number
  /** GitHub's `x-github-request-id`, for support requests. */
  readonly requestId?: string
  readonly documentationUrl?: string
  /** Epoch ms after which a rate-limited call may succeed. */
  readonly retryAt?: number
}

/**
 * Represents a failed call to GitHub, with a stable `code` (see {@link GITHUB_ERROR_CODES}), the
 * HTTP `status`, and a redacted copy of the Octokit error as `cause` (a {@link RedactedRequestError}:
 * GitHub may echo a credential in its message). The message is GitHub's, tokens redacted. 401, 403, 404,
 * 410, 422 and other 4xx are terminal; rate limits and 5xx are not.
 */
export class GitHubApiError extends PlanSpecError {
  /** HTTP status, 0 for a network failure. */
  readonly status: number
  declare readonly data: GitHubApiErrorData

  /** Creates the error; `code` must be one of {@link GITHUB_ERROR_CODES}. */
  constructor(message: string, options: { readonly code: GitHubErrorCode; readonly data: GitHubApiErrorData; readonly cause?: unknown }) {
    super(redactToken(message), {
      code: options.code,
      data: options.data,
      ...('cause' in options ? { cause: options.cause instanceof PlanSpecError ? options.cause : new RedactedRequestError(options.cause) } : {}),
      terminal: options.code !== GITHUB_ERROR_CODES.rateLimited && options.code !== GITHUB_ERROR_CODES.unavailable,
    })
    this.status = options.data.status
  }
}

/**
 * A copy of a failed request's error that is safe to keep as `cause`: its name, status, method
 * and URL, with the message and URL redacted. The caller's error object is never mutated.
 */
export class RedactedRequestError extends Error {
  readonly status: number
  readonly request: { readonly method: string; readonly url: string }

  /** Copies `error` (an Octokit `RequestError` or anything thrown), redacting its text. */
  constructor(error: unknown) {
    super(redactToken(error instanceof Error ? error.message : String(error)))
    this.name = error instanceof Error ? error.name : 'Error'
    const source = typeof error === 'object' && error !== null ? (error as { status?: unknown; request?: { method?: unknown; url?: unknown } }) : {}
    this.status = typeof source.status === 'number' ? source.status : 0
    this.request = { method: String(source.request?.method ?? ''), url: redactToken(String(source.request?.url ?? '')).replace(/([?&](?:access_token|client_secret)=)[^&]*/g, '$1[REDACTED]') }
  }
}

/** The parts of an Octokit `RequestError` this package reads. */
export interface HttpFailure {
  readonly status: number
  readonly message: string
  readonly headers: Readonly<Record<string, string | number | undefined>>
  readonly githubMessage?: string
  readonly documentationUrl?: string
}

/**
 * Reads an HTTP failure out of a thrown value: Octokit's `RequestError` (status, response headers
 * and body). Returns undefined for anything else (a network failure, a bug).
 */
export function readHttpFailure(error: unknown): HttpFailure | undefined {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') return undefined
  const response = 'response' in error && typeof error.response === 'object' && error.response !== null ? (error.response as Record<string, unknown>) : {}
  const headers = typeof response['headers'] === 'object' && response['headers'] !== null ? (response['headers'] as Record<string, string | number | undefined>) : {}
  const data = typeof response['data'] === 'object' && response['data'] !== null ? (response['data'] as Record<string, unknown>) : {}
  return {
    status: error.status,
    message: error.message,
    headers,
    ...(typeof data['message'] === 'string' ? { githubMessage: data['message'] } : {}),
    ...(typeof data['documentation_url'] === 'string' ? { documentationUrl: data['documentation_url'] } : {}),
  }
}

/** The code for a final HTTP status. */
export function codeForStatus(status: number): GitHubErrorCode {
  if (status === 401) return GITHUB_ERROR_CODES.unauthorized
  if (status === 403) return GITHUB_ERROR_CODES.forbidden
  if (status === 404 || status === 410) return GITHUB_ERROR_CODES.notFound
  if (status === 422) return GITHUB_ERROR_CODES.invalid
  if (status === 429) return GITHUB_ERROR_CODES.rateLimited
  if (status >= 500 || status === 0) return GITHUB_ERROR_CODES.unavailable
  return GITHUB_ERROR_CODES.request
}
