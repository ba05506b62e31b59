/**
 * The counts a validation run ends with. Renderers print them as given and never recount them
 * from the diagnostics, so a caller that caps or filters diagnostics still reports true totals.
 */
export interface ValidationSummary {
  /** Files read. */
  readonly files: number
  /** Resources (YAML documents with a kind) found in those files. */
  readonly resources: number
  /** Diagnostics with severity `error`. */
  readonly errors: number
  /** Diagnostics with severity `warning`. */
  readonly warnings: number
}

/** Options of `renderText`. */
export interface TextRenderOptions {
  /** Adds ANSI colours: red errors, yellow warnings, dim gutter, bold codes. */
  readonly color: boolean
  /** File text by file name; a diagnostic whose file is here gets a code frame. */
  readonly sources?: ReadonlyMap<string, string>
}

/** Documentation of one diagnostic code, shown by SARIF viewers next to each result. */
export interface SarifRuleDoc {
  /** One line saying what the rule checks. */
  readonly shortDescription: string
  /** Longer help, plain text. */
  readonly helpText?: string
}

/** Options of `renderSarif`. */
export interface SarifRenderOptions {
  /** The version of planspec that produced the diagnostics, e.g. `0.1.0`. */
  readonly toolVersion: string
  /** Home page of the tool, shown by SARIF viewers. */
  readonly informationUri?: string
  /** Rule documentation by code. Codes without an entry use the code as their description. */
  readonly ruleDocs?: ReadonlyMap<string, SarifRuleDoc>
}

/** A resource that was validated: one JUnit test case. */
export interface JunitResource {
  readonly file: string
  readonly kind?: string
  readonly name?: string
  /** Where the resource sits in its file (e.g. a document index); used only to name unnamed resources. */
  readonly path?: string
}

/** Options of `renderJunit`. */
export interface JunitRenderOptions {
  /** Every resource validated, in report order; each becomes one test case. */
  readonly resources: readonly JunitResource[]
}

/** Options shared by the graph renderers. */
export interface GraphRenderOptions {
  /** A heading for the graph, e.g. the Plan's name. */
  readonly title?: string
}
