import { parseDuration } from '@planspec/core'
import { UsageError } from './io.js'

/**
 * Parses the value of a duration flag (`30s`, `2m`, `1h30m`) into milliseconds; a `UsageError`
 * naming the flag when it is not a positive duration.
 *
 * @example
 * durationFlag('45s', '--request-timeout') // 45000
 */
export function durationFlag(text: string, flag: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok || parsed.ms <= 0) throw new UsageError(`${flag} must be a duration such as 30s or 2m, got ${JSON.stringify(text)}`)
  return parsed.ms
}
