import { UsageError } from './io.js'

/** Parses a size flag such as `1MiB`, `512k` or `1048576` into bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim())
  if (!match) throw new UsageError(`invalid size "${text}"; use a number of bytes or a suffix such as 512KiB or 1MiB`)
  const unit = (match[2] ?? 'b').toLowerCase()[0]
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1
  return Math.floor(Number(match[1]) * factor)
}

/** The `maxLogBytes` of a policy from `--max-log-bytes` (a size of at least 1 KiB), or nothing when the flag is absent. */
export function maxLogBytesOf(text: string | undefined): { maxLogBytes?: number } {
  if (text === undefined) return {}
  const bytes = parseSize(text)
  if (bytes < 1024) throw new UsageError(`--max-log-bytes must be at least 1KiB, got "${text}"`)
  return { maxLogBytes: bytes }
}
