import { GitHubApiError, redactToken } from '@planspec/github'
import { PlanSpecError } from '@planspec/core'

/**
 * Turns anything thrown into the one line `setFailed` prints: a GitHub failure with its status
 * and code, a PlanSpec failure with its code, another error's message, or a description of a
 * thrown non-error value (STYLE: every throw maps to something). Tokens are redacted.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof GitHubApiError) {
    const hint = error.status === 401 ? ' Check the token input.' : error.code === 'PLANSPEC_ERR_GITHUB_RATE_LIMITED' ? ' Try again after the rate limit resets.' : ''
    return redactToken(`${error.message} (${error.code}).${hint}`)
  }
  if (error instanceof PlanSpecError) return redactToken(`${error.message} (${error.code})`)
  if (error instanceof Error) return redactToken(error.message === '' ? error.name : `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`)
  if (typeof error === 'string') return redactToken(error === '' ? 'failed with an empty error' : error)
  return `failed with a thrown ${error === null ? 'null' : typeof error} value`
}
