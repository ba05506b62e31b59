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

/** Options of `renderGithub`. */
export interface GithubRenderOptions {
  /** File text by file name: a finding that ends at the start of a line then ends on the last character of the line before. */
  readonly sources?: ReadonlyMap<string, string>
}

/** Documentation of one diagnostic code, shown by SARIF viewers (GitHub code scanning) next to each result. */
export interface SarifRuleDoc {
  /** A readable identifier, different from the code, e.g. `DependsOnNamesAnUnknownNode`. */
  readonly name?: string
  /** One line saying what the rule checks. */
  readonly shortDescription: string
  /** A paragraph explaining the rule; the short description when absent. */
  readonly fullDescription?: string
  /** Help, plain text; the full description when absent. */
  readonly helpText?: string
  /** Help, GitHub Markdown; the escaped help text when absent. */
  readonly helpMarkdown?: string
  /** Absolute URL of the rule's documentation. */
  readonly helpUri?: string
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
  /** 0-based index of the resource's document in its file: it tells apart resources that share a kind and name. */
  readonly documentIndex?: number
  /** First and last line of the resource's document; a finding on those lines belongs to it. */
  readonly startLine?: number
  readonly endLine?: number
}

/** Options of `renderJunit`. */
export interface JunitRenderOptions {
  /** Every resource validated, in report order; each becomes one test case. */
  readonly resources: readonly JunitResource[]
  /** When the run started, epoch milliseconds; written as the suite's UTC `timestamp`. */
  readonly startedAt: number
  /** How long the run took; the suite's `time`, in seconds. Default 0. */
  readonly durationMs?: number
  /** The machine that ran it; `localhost` when empty. */
  readonly hostname: string
}

/** Options shared by the graph renderers. */
export interface GraphRenderOptions {
  /** A heading for the graph, e.g. the Plan's name. */
  readonly title?: string
}
