import { PlanSpecError } from '@planspec/core'

/** One coded API error: its stable code, HTTP status and Kubernetes `reason`. */
export interface ApiErrorKind {
  readonly code: string
  readonly status: number
  readonly reason: string
}

/**
 * Every error the API answers with, in one place: code → HTTP status → Status `reason`
 * (Kubernetes conventions). Every thrown value is mapped to one of these by {@link toStatus}.
 */
export const API_ERRORS = {
  BadRequest: { code: 'PLANSPEC_ERR_API_BAD_REQUEST', status: 400, reason: 'BadRequest' },
  Unauthorized: { code: 'PLANSPEC_ERR_API_UNAUTHORIZED', status: 401, reason: 'Unauthorized' },
  Forbidden: { code: 'PLANSPEC_ERR_API_FORBIDDEN', status: 403, reason: 'Forbidden' },
  NotFound: { code: 'PLANSPEC_ERR_API_NOT_FOUND', status: 404, reason: 'NotFound' },
  AlreadyExists: { code: 'PLANSPEC_ERR_API_ALREADY_EXISTS', status: 409, reason: 'AlreadyExists' },
  Conflict: { code: 'PLANSPEC_ERR_API_CONFLICT', status: 409, reason: 'Conflict' },
  Gone: { code: 'PLANSPEC_ERR_API_GONE', status: 410, reason: 'Gone' },
  Expired: { code: 'PLANSPEC_ERR_API_EXPIRED', status: 410, reason: 'Expired' },
  RequestEntityTooLarge: { code: 'PLANSPEC_ERR_API_TOO_LARGE', status: 413, reason: 'RequestEntityTooLarge' },
  UnsupportedMediaType: { code: 'PLANSPEC_ERR_API_UNSUPPORTED_MEDIA_TYPE', status: 415, reason: 'UnsupportedMediaType' },
  Invalid: { code: 'PLANSPEC_ERR_API_INVALID', status: 422, reason: 'Invalid' },
  TooManyRequests: { code: 'PLANSPEC_ERR_API_TOO_MANY_REQUESTS', status: 429, reason: 'TooManyRequests' },
  Timeout: { code: 'PLANSPEC_ERR_API_TIMEOUT', status: 504, reason: 'Timeout' },
  InternalError: { code: 'PLANSPEC_ERR_API_INTERNAL', status: 500, reason: 'InternalError' },
  ServiceUnavailable: { code: 'PLANSPEC_ERR_API_UNAVAILABLE', status: 503, reason: 'ServiceUnavailable' },
} as const satisfies Record<string, ApiErrorKind>

/** The name of an entry of {@link API_ERRORS}. */
export type ApiErrorReason = keyof typeof API_ERRORS

/** One field-level problem inside a Status (Kubernetes `StatusCause`). */
export interface StatusCause {
  readonly reason: string
  readonly message: string
  readonly field?: string
}

/** Extra facts carried by a Status (Kubernetes `StatusDetails`). */
export interface StatusDetails {
  readonly name?: string
  readonly group?: string
  readonly kind?: string
  readonly uid?: string
  readonly causes?: readonly StatusCause[]
  readonly retryAfterSeconds?: number
}

/** A Kubernetes `Status` object as the API returns it for every failure. */
export interface StatusObject {
  readonly kind: 'Status'
  readonly apiVersion: 'v1'
  readonly metadata: Record<string, never>
  readonly status: 'Failure' | 'Success'
  readonly message: string
  readonly reason: string
  readonly details?: StatusDetails
  readonly code: number
}

/** A failure that maps straight to one catalog entry; the edge turns it into a Status. */
export class ApiError extends PlanSpecError {
  /** The catalog entry. */
  readonly kind: ApiErrorKind
  /** The catalog entry's name. */
  readonly reasonKey: ApiErrorReason
  /** Details for the Status object. */
  readonly details: StatusDetails | undefined

  /** Creates the error for catalog entry `reason`. */
  constructor(reason: ApiErrorReason, message: string, details?: StatusDetails, options: { cause?: unknown } = {}) {
    const kind = API_ERRORS[reason]
    super(message, { code: kind.code, data: { reason: kind.reason, ...(details === undefined ? {} : { details }) }, ...options })
    this.kind = kind
    this.reasonKey = reason
    this.details = details
  }
}

/** Builds a failure Status for catalog entry `kind`. */
export function statusObject(kind: ApiErrorKind, message: string, details?: StatusDetails): StatusObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: kind.reason, ...(details === undefined ? {} : { details }), code: kind.status }
}

/** What the edge sends for a thrown value. */
export interface MappedError {
  readonly status: StatusObject
  /** True when the value was not a known failure: log it, and never echo its message. */
  readonly unexpected: boolean
  /** Close the connection after answering (the request body was refused unread). */
  readonly closeConnection: boolean
}

const STORE_ERRORS: Readonly<Record<string, ApiErrorReason>> = {
  PLANSPEC_ERR_STORE_NOT_FOUND: 'NotFound',
  PLANSPEC_ERR_STORE_EXISTS: 'AlreadyExists',
  PLANSPEC_ERR_STORE_CONFLICT: 'Conflict',
  PLANSPEC_ERR_STORE_GONE: 'Gone',
}

const FASTIFY_ERRORS: Readonly<Record<string, { reason: ApiErrorReason; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { reason: 'RequestEntityTooLarge', message: 'the request body is larger than the server accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { reason: 'UnsupportedMediaType', message: 'unsupported media type: send application/json (application/merge-patch+json for PATCH)' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { reason: 'BadRequest', message: 'the request body size did not match Content-Length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { reason: 'BadRequest', message: 'the request body is empty but its content type is JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { reason: 'BadRequest', message: 'the request body is not valid JSON' },
}

/**
 * Maps any thrown value to a Status: `ApiError`s by their catalog entry, store errors by code,
 * fastify's body and validation errors to 400/413/415, and everything else (including values that
 * are not errors) to a 500 whose message reveals nothing.
 */
export function toStatus(error: unknown): MappedError {
  if (error instanceof ApiError) return known(statusObject(error.kind, error.message, error.details))
  if (error instanceof PlanSpecError && STORE_ERRORS[error.code] !== undefined) {
    const reason = STORE_ERRORS[error.code]!
    const data = error.data as { kind?: unknown; name?: unknown }
    const details: StatusDetails = {
      ...(typeof data.name === 'string' ? { name: data.name } : {}),
      ...(typeof data.kind === 'string' ? { group: 'planspec.io', kind: data.kind } : {}),
    }
    return known(statusObject(API_ERRORS[reason], error.message, Object.keys(details).length ? details : undefined))
  }
  if (error instanceof Error) {
    const coded = error as Error & { code?: unknown; statusCode?: unknown; validation?: unknown }
    const fastify = typeof coded.code === 'string' ? FASTIFY_ERRORS[coded.code] : undefined
    if (fastify !== undefined) {
      const status = statusObject(API_ERRORS[fastify.reason], fastify.message)
      return { status, unexpected: false, closeConnection: fastify.reason === 'RequestEntityTooLarge' }
    }
    // Schema validation of params, querystring and body: one 400 code for all of them.
    if (coded.validation !== undefined) return known(statusObject(API_ERRORS.BadRequest, `invalid request: ${error.message}`))
    // The JSON parser's syntax and prototype-poisoning errors carry statusCode 400.
    if (coded.statusCode === 400) return known(statusObject(API_ERRORS.BadRequest, 'the request body is not valid JSON'))
  }
  return { status: statusObject(API_ERRORS.InternalError, 'an internal error occurred'), unexpected: true, closeConnection: false }
}

function known(status: StatusObject): MappedError {
  return { status, unexpected: false, closeConnection: false }
}
