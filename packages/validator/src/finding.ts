import type { DiagnosticFix, Severity } from '@planspec/core'
import { CODES, type Code } from './codes.js'

/**
 * A finding before it is positioned: a code, a message and a source range as offsets into the
 * file text (`from` inclusive, `to` exclusive), or a JSON pointer resolved later.
 */
export interface Finding {
  readonly code: Code
  readonly severity: Severity
  readonly message: string
  readonly from: number
  readonly to: number
  readonly path?: string
  readonly fix?: DiagnosticFix
}

/** Creates a finding with the code's default severity unless one is given. */
export function finding(code: Code, message: string, from: number, to: number, extra: { severity?: Severity; path?: string; fix?: DiagnosticFix } = {}): Finding {
  return { code, severity: extra.severity ?? CODES[code].severity, message, from, to, path: extra.path, fix: extra.fix }
}

/**
 * A finding positioned by JSON pointer into a resource, before its source range is known.
 * `key` underlines the mapping key instead of the value; `within` narrows the range to part of
 * a string value (offsets into the string, e.g. the failing part of an expression).
 */
export interface PathIssue {
  readonly code: Code
  readonly message: string
  readonly path: string
  readonly key?: boolean
  readonly severity?: Severity
  readonly within?: { readonly start: number; readonly end: number }
  readonly fix?: DiagnosticFix
}
