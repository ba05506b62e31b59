/** Severity of a finding: errors fail validation, warnings never do (unless promoted). */
export type Severity = 'error' | 'warning'

/** A machine-applicable edit that resolves a finding, expressed on the parsed document. */
export interface DiagnosticFix {
  /** One sentence saying what the fix does, e.g. "rename capabilityRef to capabilityRefs". */
  readonly description: string
  /** The edits, applied in order to the document the diagnostic belongs to. */
  readonly edits: readonly FixEdit[]
}

/**
 * One edit of a fix. Paths are JSON pointers into the document (RFC 6901).
 * - `set`: replace (or add) the value at `path`.
 * - `remove`: delete the value at `path`.
 * - `rename`: move the value at `path` to the sibling key `to`, keeping its position.
 */
export type FixEdit =
  | { readonly op: 'set'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'rename'; readonly path: string; readonly to: string }

/**
 * A finding about user data. Findings are returned, never thrown. Lines and columns are 1-based;
 * `path` is a JSON pointer into the document the finding belongs to ("" for the document root).
 */
export interface Diagnostic {
  readonly code: string
  readonly severity: Severity
  readonly message: string
  readonly file: string
  readonly line: number
  readonly column: number
  readonly endLine: number
  readonly endColumn: number
  readonly path: string
  readonly kind?: string
  readonly name?: string
  readonly fix?: DiagnosticFix
}
