/** Text put in place of every redacted value. */
export const REDACTED = '[REDACTED]'

/** Secrets shorter than this are not replaced: a one- or two-character "secret" would shred text. */
const MIN_SECRET_LENGTH = 3

// `scheme://user[:pass]@`: userinfo in any URL. Kept linear (Octokit tests its regex likewise): a
// scheme only starts at a word boundary (the lookbehind), and both runs are bounded, so no start
// position rescans the rest of the text.
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@]{0,1024}@/gi

// Names of variables whose values are secrets, as CI systems mask them (DECISIONS §9).
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i

/**
 * Tells whether a variable name says its value is a secret: it contains TOKEN, SECRET, PASSWORD,
 * PASSWD, KEY or CREDENTIAL (any case). Pure.
 *
 * @example
 * looksSecret('PLANSPEC_GIT_TOKEN') // true
 * looksSecret('HOME')               // false
 */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name)
}

/**
 * Returns the values of an environment's secret-looking variables (see {@link looksSecret}), for
 * a shell to register on its redactor. Pure.
 *
 * @example
 * secretEnvValues({ PLANSPEC_DEPLOY_TOKEN: 'abc123', HOME: '/root' }) // ['abc123']
 */
export function secretEnvValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env).flatMap(([name, value]) => (value !== undefined && value !== '' && looksSecret(name) ? [value] : []))
}

/** Masks known secret values; one per process (or per run), shared by every sink it writes. */
export interface Redactor {
  /** Registers more secret values (e.g. a credential a Binding names, learned while running). */
  add(values: Iterable<string>): void
  /** Returns `text` with every registered secret (and the forms of {@link secretForms}) and every URL's userinfo replaced by `[REDACTED]`. */
  redact(text: string): string
  /**
   * Returns a copy of a JSON-like value whose strings (object keys included) are redacted; parts
   * that need no change are shared, and the value itself is returned when nothing changed.
   */
  redactValue<T>(value: T): T
  /** How many values are registered. */
  readonly size: number
}

/**
 * Returns the forms a secret takes in text: as it is, JSON-escaped (inside a JSON string),
 * URL-encoded, and base64 (standard and URL-safe; whole, and its complete 3-byte groups, which is
 * what a longer base64 text that starts with the secret contains). Secrets shorter than 3
 * characters have no forms. Pure.
 *
 * @example
 * secretForms('s3cr3t!') // ['s3cr3t!', 's3cr3t%21', 'czNjcjN0IQ==', 'czNjcjN0', 'czNjcjN0IQ']
 */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return []
  const bytes = utf8(secret)
  const whole = base64(bytes)
  const groups = base64(bytes.slice(0, bytes.length - (bytes.length % 3)))
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), whole, groups, whole.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')]
  return [...new Set(forms.filter((form) => form.length >= MIN_SECRET_LENGTH))]
}

/**
 * Creates a redactor over known secret values (THREATS T13, DECISIONS §9): one module masks every
 * sink (logs, state files, status commits, API responses, database rows, PR comments). The shells
 * collect the values (secret-looking environment variables, credentials, HMAC keys, values a
 * Binding marks secret) and may add more while running. Longer forms are replaced first, so a
 * secret that contains another is replaced whole. Never mutates its arguments.
 *
 * @example
 * const redactor = createRedactor(['s3cr3t-value'])
 * redactor.redact('token=s3cr3t-value for https://bob:pw@example.com/x') // 'token=[REDACTED] for https://[REDACTED]@example.com/x'
 */
export function createRedactor(values: Iterable<string> = []): Redactor {
  const secrets = new Set<string>()
  let forms: string[] = []
  const add = (more: Iterable<string>): void => {
    let changed = false
    for (const value of more) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || secrets.has(value)) continue
      secrets.add(value)
      changed = true
    }
    if (changed) forms = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length)
  }
  const redact = (text: string): string => {
    let out = text
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED)
    return out.includes('://') ? out.replace(URL_USERINFO, `$1${REDACTED}@`) : out
  }
  const redactValue = (value: unknown): unknown => {
    if (typeof value === 'string') return redact(value)
    if (Array.isArray(value)) {
      const items = value.map(redactValue)
      return items.some((item, index) => item !== value[index]) ? items : value
    }
    if (value === null || typeof value !== 'object') return value
    let changed = false
    const entries = Object.entries(value).map(([key, item]) => {
      const next: [string, unknown] = [redact(key), redactValue(item)]
      if (next[0] !== key || next[1] !== item) changed = true
      return next
    })
    return changed ? Object.fromEntries(entries) : value
  }
  add(values)
  return {
    add,
    redact,
    redactValue: <T>(value: T): T => redactValue(value) as T,
    get size() {
      return secrets.size
    },
  }
}

/**
 * Returns `text` with every given secret value (see {@link secretForms}) and the `user:pass@` part
 * of every URL replaced by `[REDACTED]`. Pure: a one-off {@link createRedactor}.
 *
 * @example
 * redactSecrets('token s3cr3t for https://bob:pw@example.com/x', ['s3cr3t'])
 * // 'token [REDACTED] for https://[REDACTED]@example.com/x'
 */
export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  return createRedactor(secrets).redact(text)
}

function utf8(text: string): number[] {
  const bytes: number[] = []
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (code < 0x80) bytes.push(code)
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63))
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
  }
  return bytes
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function base64(bytes: readonly number[]): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]]
    const n = (a << 16) | (b << 8) | c
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '='
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : '='
  }
  return out
}
