import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { fetchPinned } from '../fetch-pinned.js'
import type { Redactor } from '@planspec/core'
import { maskText } from './mask-text.js'
import type { FailureReason, LookupFn, PinnedFetch, PinnedResponse, Policy } from '../types.js'
import { isUrlAllowed } from '../url-allowed.js'
import { isPublicAddress } from './address-check.js'
import { clip } from './outputs.js'

/** Default cap on an HTTP request's duration: 30 s. */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000

/** Effects and policy of outbound HTTP. */
export interface HttpDeps {
  policy: Policy
  fetch?: PinnedFetch
  lookup?: LookupFn
  secrets?: readonly string[]
  redactor?: Redactor
}

/** A request to vet and send. */
export interface HttpCall {
  url: string
  method: string
  headers?: Readonly<Record<string, string>>
  body?: string
  timeoutMs?: number
  signal?: AbortSignal
}

type Failure = { ok: false; reason: FailureReason; message: string }

/** The outcome of {@link vettedRequest}. */
export type HttpCallResult = { ok: true; url: URL; response: PinnedResponse } | Failure

const defaultLookup: LookupFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

/**
 * Vets a URL (THREATS T12) and sends one request to the vetted IP. Never throws.
 *
 * Order: parse; `http:`/`https:` only and no userinfo (`Refused`); `policy.allowUrls`
 * (`NotAllowed`); `localhost` names and IP literals (the WHATWG parser has already turned
 * decimal, octal and hex IPv4 forms into dotted quads) or else one DNS lookup; every address must
 * be public unless `policy.allowPrivateNetworks` (`Refused`); the request goes to the first
 * address. A 3xx answer is `Refused` (redirects are never followed); an over-cap body is
 * `OutputTooLarge`; the time budget is `Timeout`, an abort `Cancelled`, network errors `HttpError`.
 */
export async function vettedRequest(deps: HttpDeps, call: HttpCall): Promise<HttpCallResult> {
  const vetted = await vetUrl(deps, call.url)
  if (!vetted.ok) return vetted
  const { url, address } = vetted
  const timeoutMs = call.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout])
  const maxBytes = deps.policy.maxOutputBytes ?? 1024 * 1024
  const where = describe(url)
  let response: PinnedResponse
  try {
    response = await (deps.fetch ?? fetchPinned)({
      url,
      address,
      method: call.method,
      headers: call.headers ?? {},
      ...(call.body === undefined ? {} : { body: call.body }),
      maxBytes,
      signal,
    })
  } catch (err) {
    if (call.signal?.aborted === true) return fail(deps, 'Cancelled', `request to ${where} was cancelled`)
    if (timeout.aborted) return fail(deps, 'Timeout', `request to ${where} timed out after ${timeoutMs}ms`)
    return fail(deps, 'HttpError', `request to ${where} failed (${errorCode(err)})`)
  }
  if (response.status >= 300 && response.status < 400) {
    return fail(deps, 'Refused', `${where} answered ${response.status}: redirects are not followed`)
  }
  if (response.tooLarge) return fail(deps, 'OutputTooLarge', `response from ${where} exceeded ${maxBytes} bytes`)
  return { ok: true, url, response }
}

/** Vets a URL and resolves its host once; returns the address to connect to. */
export async function vetUrl(
  deps: HttpDeps,
  raw: string,
): Promise<{ ok: true; url: URL; address: string } | Failure> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return fail(deps, 'NotAllowed', `${JSON.stringify(maskText(deps, raw))} is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fail(deps, 'NotAllowed', `scheme ${url.protocol} is not allowed`)
  }
  if (url.username !== '' || url.password !== '') return fail(deps, 'Refused', 'credentials in URLs are not allowed')
  const where = describe(url)
  if (!isUrlAllowed(url, deps.policy.allowUrls)) return fail(deps, 'NotAllowed', `${where} is not on the allow-list (allow it with --allow-url)`)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const allowPrivate = deps.policy.allowPrivateNetworks === true
  if (!allowPrivate && /(^|\.)localhost\.?$/i.test(host)) {
    return fail(deps, 'Refused', `${where} names a loopback host`)
  }
  let addresses: readonly string[]
  if (isIP(host) !== 0) addresses = [host]
  else {
    try {
      addresses = (await (deps.lookup ?? defaultLookup)(host)).map((a) => a.address)
    } catch (err) {
      return fail(deps, 'HttpError', `could not resolve ${where} (${errorCode(err)})`)
    }
  }
  const first = addresses[0]
  if (first === undefined) return fail(deps, 'HttpError', `could not resolve ${where}`)
  if (!allowPrivate && !addresses.every(isPublicAddress)) {
    return fail(deps, 'Refused', `${where} resolves to a loopback, private, link-local or multicast address`)
  }
  return { ok: true, url, address: first }
}

/** Scheme, host and port only: paths and queries may carry tokens. */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}`
}

function fail(deps: HttpDeps, reason: FailureReason, message: string): Failure {
  return { ok: false, reason, message: clip(maskText(deps, message)) }
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code
  return err instanceof Error ? err.name : 'unknown'
}
