import { PlanSpecError } from '@planspec/core'
import type { Policy } from './types.js'

/** Code of {@link InvalidPolicyError}. */
export const INVALID_POLICY_ERROR_CODE = 'PLANSPEC_ERR_ENGINE_POLICY'

/** Thrown (terminal) when the operator's {@link Policy} is malformed: a retry cannot help. */
export class InvalidPolicyError extends PlanSpecError {
  /** Creates the error; `data.field` and `data.index` say which entry is wrong. */
  constructor(message: string, data: Record<string, unknown>) {
    super(message, { code: INVALID_POLICY_ERROR_CODE, data, terminal: true })
  }
}

const URL_PATTERN = /^https?:\/\/(\[[^\]]*\]|[^/:]+)(?::([0-9]+|\*))?(\/.*)?$/i

/**
 * Checks a policy once, at start-up, so a typo fails loudly instead of silently allowing or
 * refusing everything: `allowCommands` entries are non-empty and NUL-free; `allowUrls` entries
 * are `http(s)://host[:port][/path]` patterns (userinfo, `#` and other schemes are rejected);
 * `maxOutputBytes` and `maxLogBytes`, when set, are positive integers. Pure; returns nothing.
 *
 * @throws InvalidPolicyError (terminal, code `PLANSPEC_ERR_ENGINE_POLICY`) on the first bad entry.
 * @example
 * ```ts
 * checkPolicy({ allowCommands: ['/usr/bin/make'], allowUrls: ['https://ci.example.com/hooks/*'] })
 * ```
 */
export function checkPolicy(policy: Policy): void {
  policy.allowCommands.forEach((entry, index) => {
    if (typeof entry !== 'string' || entry.length === 0 || entry.includes('\0')) {
      throw new InvalidPolicyError('allowCommands entries must be non-empty strings without NUL', { field: 'allowCommands', index })
    }
  })
  policy.allowUrls.forEach((entry, index) => {
    if (typeof entry !== 'string' || !URL_PATTERN.test(entry) || entry.includes('@') || entry.includes('#')) {
      throw new InvalidPolicyError('allowUrls entries must look like http(s)://host[:port][/path]', { field: 'allowUrls', index })
    }
  })
  ;(policy.allowEnv ?? []).forEach((entry, index) => {
    if (typeof entry !== 'string' || !/^[A-Za-z0-9_*]+$/.test(entry)) {
      throw new InvalidPolicyError('allowEnv entries must be variable names, with * for any run of characters', { field: 'allowEnv', index })
    }
  })
  for (const field of ['maxOutputBytes', 'maxLogBytes'] as const) {
    const max = policy[field]
    if (max !== undefined && (!Number.isInteger(max) || max <= 0)) throw new InvalidPolicyError(`${field} must be a positive integer`, { field })
  }
}
