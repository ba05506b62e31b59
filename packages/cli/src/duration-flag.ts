import { parseDuration } from '@planspec/core'
import { UsageError } from './io.js'

/**
 * Reads a positive Go-style duration flag (`30s`, `1m30s`) as milliseconds; anything else is a
 * usage error (exit 2) naming the flag.
 *
 * @example
 * durationFlag('15s', '--lease') // 15000
 */
export function durationFlag(text: string, flag: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok || parsed.ms <= 0) throw new UsageError(`${flag} must be a duration such as 30s or 1m, got ${JSON.stringify(text)}`)
  return parsed.ms
}
