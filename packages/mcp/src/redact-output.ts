import { redact } from '@planspec/engine'

/**
 * Returns a copy of `value` with every string masked (engine's `redact`: the given secret values
 * in plain, base64 and URL-encoded form, and userinfo in URLs): what a tool returns never carries
 * a token or key the process knows. Keys are masked too. Never mutates its argument.
 *
 * @example
 * redactDeep({ url: 'https://bob:pw@git.example.com' }, []) // { url: 'https://[REDACTED]@git.example.com' }
 */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redact(value, secrets) as T
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets)) as T
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) out[redact(key, secrets)] = redactDeep(child, secrets)
  return out as T
}
