import type { Redactor } from '@planspec/core'
import { redact } from '../redact.js'

/** Where the secrets to mask come from: fixed values and/or the shell's shared redactor. */
export interface MaskDeps {
  /** Fixed secret values (e.g. a provider's own HMAC key). */
  readonly secrets?: readonly string[]
  /** The process-wide redactor; values registered on it later are masked too. */
  readonly redactor?: Redactor
}

/** Masks known secrets and URL userinfo in a message (core's one redaction module). */
export function maskText(deps: MaskDeps, text: string): string {
  return redact(deps.redactor === undefined ? text : deps.redactor.redact(text), deps.secrets ?? [])
}
