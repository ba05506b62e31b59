/** Text put in place of every redacted value. */
export const REDACTED = '[REDACTED]'

/** Secrets shorter than this are not replaced: a one- or two-character "secret" would shred text. */
const MIN_SECRET_LENGTH = 3

// `scheme://user[:pass]@`: userinfo in any URL. Kept linear (Octokit tests its regex likewise): a
// scheme only starts at a word boundary (the lookbehind), and both runs are bounded, so no start
// position rescans the rest of the text.
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@]{0,1024}@/gi

/**
 * Returns `text` with every registered secret value, and the `user:pass@` part of every URL,
 * replaced by `[REDACTED]`. Each secret is also matched in its base64 and URL-encoded forms.
 * Secrets shorter than 3 characters are ignored. Pure: never mutates its arguments.
 *
 * @example
 * ```ts
 * redact('token s3cr3t for https://bob:pw@example.com/x', ['s3cr3t'])
 * // 'token [REDACTED] for https://[REDACTED]@example.com/x'
 * ```
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text
  const forms: string[] = []
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue
    forms.push(secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret))
  }
  // Longest first, so a secret that contains another is replaced whole.
  for (const form of [...new Set(forms)].sort((a, b) => b.length - a.length)) {
    out = out.split(form).join(REDACTED)
  }
  return out.replace(URL_USERINFO, `$1${REDACTED}@`)
}
