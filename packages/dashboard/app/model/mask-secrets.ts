/** What a masked value is shown as. */
export const MASK = '••••••'

// The names the CLI and the engine treat as secrets (a variable whose name contains one of these).
const SECRET_NAME = /token|secret|password|passwd|api[_-]?key|private[_-]?key|credential|authorization|cookie/i
// Values that are credentials whatever their name (the validator's PS6001 prefixes).
const SECRET_VALUE = /^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}|xox[baprs]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)/

/**
 * Returns a copy of a JSON value (inputs, outputs, parameters) with secrets masked: the value of
 * any key whose name says it is a secret (`token`, `password`, `apiKey`, ...), and any string that
 * looks like a credential (GitHub, AWS, Slack, OpenAI-style keys, private keys). The server and
 * the agent already mask known secret values before they store anything; this is the last line,
 * so that a screen never shows one by accident.
 *
 * @example
 * maskSecrets({ user: 'ann', apiToken: 'abc' }) // { user: 'ann', apiToken: '••••••' }
 */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? MASK : value
  if (value === null || typeof value !== 'object' || depth > 32) return value
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1))
  const masked: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  for (const [key, item] of Object.entries(value)) masked[key] = SECRET_NAME.test(key) ? MASK : maskSecrets(item, depth + 1)
  return masked
}
