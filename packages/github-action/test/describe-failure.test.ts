import { PlanSpecError } from '@planspec/core'
import { GITHUB_ERROR_CODES, GitHubApiError } from '@planspec/github'
import { describe, expect, it } from 'vitest'
import { describeFailure } from '../src/internal/describe-failure.js'

const apiError = (code: (typeof GITHUB_ERROR_CODES)[keyof typeof GITHUB_ERROR_CODES], status: number): GitHubApiError =>
  new GitHubApiError(`GitHub pulls.listFiles answered ${status}: nope`, { code, data: { operation: 'pulls.listFiles', status } })

describe('describeFailure', () => {
  it.each([
    [apiError(GITHUB_ERROR_CODES.unauthorized, 401), 'GitHub pulls.listFiles answered 401: nope (PLANSPEC_ERR_GITHUB_UNAUTHORIZED). Check the token input.'],
    [apiError(GITHUB_ERROR_CODES.rateLimited, 403), 'GitHub pulls.listFiles answered 403: nope (PLANSPEC_ERR_GITHUB_RATE_LIMITED). Try again after the rate limit resets.'],
    [apiError(GITHUB_ERROR_CODES.notFound, 404), 'GitHub pulls.listFiles answered 404: nope (PLANSPEC_ERR_GITHUB_NOT_FOUND).'],
    [new PlanSpecError('plan broke', { code: 'PLANSPEC_ERR_CORE_X' }), 'plan broke (PLANSPEC_ERR_CORE_X)'],
    [new TypeError('x is not a function'), 'TypeError: x is not a function'],
    [new Error('plain failure with ghp_abcdefghijklmnopqrstuvwxyz12'), 'plain failure with [REDACTED]'],
    [new RangeError(''), 'RangeError'],
    ['a thrown string', 'a thrown string'],
    ['', 'failed with an empty error'],
    [null, 'failed with a thrown null value'],
    [42, 'failed with a thrown number value'],
    [undefined, 'failed with a thrown undefined value'],
    [{ toString: () => 'sneaky' }, 'failed with a thrown object value'],
  ])('describes %s', (error, text) => {
    expect(describeFailure(error)).toBe(text)
  })
})
