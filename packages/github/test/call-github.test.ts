import { describe, expect, it } from 'vitest'
import { DEFAULT_GITHUB_RETRY_POLICY, GITHUB_ERROR_CODES, GitHubApiError, RedactedRequestError } from '../src/index.js'
import { callGitHub } from '../src/internal/call-github.js'
import { codeForStatus, readHttpFailure } from '../src/github-api-error.js'
import { createVirtualClock } from './support/virtual-clock.js'

/** An error shaped like Octokit's RequestError. */
function httpError(status: number, headers: Record<string, string> = {}, message = 'failed'): Error {
  return Object.assign(new Error(message), { name: 'HttpError', status, response: { headers, data: { message } }, request: { method: 'GET', url: 'https://api.github.com/x?access_token=abc123' } })
}

/** Calls `callGitHub` with answers taken in turn (an Error is thrown, anything else returned). */
async function call(answers: unknown[], clock = createVirtualClock()): Promise<{ value: unknown; sleeps: number[] }> {
  const run = async (): Promise<unknown> => {
    const answer = answers.shift()
    if (answer instanceof Error || typeof answer === 'string') throw answer
    return answer
  }
  const value = await clock.drive(callGitHub('test.op', { clock, policy: DEFAULT_GITHUB_RETRY_POLICY }, run).catch((e: unknown) => e))
  return { value, sleeps: clock.sleeps }
}

describe('callGitHub', () => {
  it('waits retry-after given as an HTTP date', async () => {
    const clock = createVirtualClock()
    const at = new Date(clock.now() + 90_000).toUTCString()
    expect(await call([httpError(429, { 'retry-after': at }), 'ok'].map((a) => (a === 'ok' ? { ok: true } : a)), clock)).toEqual({ value: { ok: true }, sleeps: [90_000] })
  })

  it('waits a minute, then two, on a secondary rate limit without headers', async () => {
    const limited = (): Error => httpError(403, {}, 'You have exceeded a secondary rate limit')
    expect(await call([limited(), limited(), { ok: 1 }])).toEqual({ value: { ok: 1 }, sleeps: [60_000, 120_000] })
  })

  it('gives up after the allowed rate-limit waits', async () => {
    const limited = (): Error => httpError(429, { 'retry-after': '1' })
    const { value, sleeps } = await call([limited(), limited(), limited(), limited(), { ok: 1 }])
    expect(value).toMatchObject({ code: GITHUB_ERROR_CODES.rateLimited, status: 429, terminal: false })
    expect(sleeps).toEqual([1000, 1000, 1000])
  })

  it('treats a plain 403 as forbidden, at once', async () => {
    expect(await call([httpError(403, {}, 'Resource not accessible by integration')])).toMatchObject({ value: { code: GITHUB_ERROR_CODES.forbidden, terminal: true }, sleeps: [] })
  })

  it('retries a failure that is not an HTTP answer, then reports it as unavailable', async () => {
    const { value, sleeps } = await call([new TypeError('socket hang up'), new TypeError('socket hang up'), new TypeError('socket hang up'), 'still down'])
    expect(value).toBeInstanceOf(GitHubApiError)
    expect(value).toMatchObject({ code: GITHUB_ERROR_CODES.unavailable, status: 0, message: 'GitHub test.op failed: still down', data: { operation: 'test.op', status: 0 } })
    expect(sleeps).toEqual([1000, 2000, 4000])
  })

  it('keeps only a redacted copy of the cause, without mutating it', async () => {
    const original = httpError(409, { 'x-github-request-id': 'ABC' }, 'token ghs_abcdefghijklmnopqrstuvwxyz is wrong')
    const { value } = await call([original])
    const error = value as GitHubApiError
    expect(error).toMatchObject({ code: GITHUB_ERROR_CODES.request, status: 409, data: { requestId: 'ABC' } })
    expect(error.cause).toBeInstanceOf(RedactedRequestError)
    expect(error.cause).toMatchObject({ status: 409, message: 'token [REDACTED] is wrong', request: { method: 'GET', url: 'https://api.github.com/x?access_token=[REDACTED]' } })
    expect(original.message).toBe('token ghs_abcdefghijklmnopqrstuvwxyz is wrong')
  })
})

describe('error mapping', () => {
  it('maps every status to its code', () => {
    expect([401, 403, 404, 410, 422, 429, 500, 503, 0, 400, 409].map(codeForStatus)).toEqual([
      GITHUB_ERROR_CODES.unauthorized,
      GITHUB_ERROR_CODES.forbidden,
      GITHUB_ERROR_CODES.notFound,
      GITHUB_ERROR_CODES.notFound,
      GITHUB_ERROR_CODES.invalid,
      GITHUB_ERROR_CODES.rateLimited,
      GITHUB_ERROR_CODES.unavailable,
      GITHUB_ERROR_CODES.unavailable,
      GITHUB_ERROR_CODES.unavailable,
      GITHUB_ERROR_CODES.request,
      GITHUB_ERROR_CODES.request,
    ])
  })

  it('reads HTTP failures only from errors with a numeric status', () => {
    expect(readHttpFailure('boom')).toBeUndefined()
    expect(readHttpFailure(new Error('x'))).toBeUndefined()
    expect(readHttpFailure(Object.assign(new Error('x'), { status: 502 }))).toEqual({ status: 502, message: 'x', headers: {} })
  })

  it('copies thrown non-errors into a redacted cause', () => {
    expect(new RedactedRequestError('plain ghp_abcdefghijklmnopqrstuvwx')).toMatchObject({ name: 'Error', status: 0, message: 'plain [REDACTED]', request: { method: '', url: '' } })
    expect(new RedactedRequestError(undefined).message).toBe('undefined')
  })
})
