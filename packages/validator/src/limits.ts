/**
 * Limits enforced before and during parsing (THREATS T6, T7, T17). Every limit is checked before
 * the expensive work it guards, and each has a safe default that a flag may change.
 */
export interface ValidationLimits {
  /** Largest file read, in bytes (T7: 1 MiB per manifest). */
  readonly maxFileBytes: number
  /** Deepest nesting of mappings, sequences and flow collections (T7: 64). */
  readonly maxDepth: number
  /** Most YAML documents in one file. */
  readonly maxDocumentsPerFile: number
  /** Most findings reported for one file; the rest are summarised in one PS1099 finding. */
  readonly maxDiagnosticsPerFile: number
}

/** The default limits. */
export const DEFAULT_LIMITS: ValidationLimits = {
  maxFileBytes: 1024 * 1024,
  maxDepth: 64,
  maxDocumentsPerFile: 1000,
  maxDiagnosticsPerFile: 200,
}
