import type { Diagnostic, Severity } from '@planspec/core'
import type { SarifRenderOptions, SarifRuleDoc, ValidationSummary } from '../types.js'
import { hashFingerprint } from '../internal/hash-fingerprint.js'
import { toRepoPath } from '../internal/to-repo-path.js'

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
/** The partial fingerprint GitHub code scanning reads to track a result across commits. */
const FINGERPRINT_KEY = 'primaryLocationLineHash'
/** The base of repository-relative artifact URIs; GitHub code scanning resolves it to the checkout. */
export const SARIF_SRCROOT = '%SRCROOT%'
/** The file name of standard input. */
const STDIN = '-'

/**
 * Renders diagnostics as a SARIF 2.1.0 log (pretty JSON, trailing newline) with one run whose
 * tool is `planspec`, ready for GitHub code scanning (`github/codeql-action/upload-sarif`) and
 * other SARIF viewers.
 *
 * - `rules` has one entry per distinct code, sorted by code, so a rule's index does not depend
 *   on the order of diagnostics. Each has a `shortDescription`, a `fullDescription`, `help`
 *   (`text` and `markdown`) and a `helpUri` from `options.ruleDocs` (see `sarifRuleDocs`; the code
 *   itself stands in for a code without docs); its default level is the severity of the code's
 *   first diagnostic.
 * - Each result carries `ruleId`, `ruleIndex`, `level`, the message, a physical location and a
 *   `partialFingerprints.primaryLocationLineHash` of `<hash of (code, file, path)>:<occurrence>`:
 *   the hash ignores lines, so a finding keeps its identity when the file above it changes.
 * - File names are expected relative to the repository root (the caller makes them so): they
 *   become percent-encoded relative URIs with `uriBaseId: %SRCROOT%`. An absolute path (a file
 *   outside the repository) becomes a `file:` URI, and standard input (`-`) stays `-`.
 *   Regions are 1-based, the end column exclusive, in UTF-16 code units (`columnKind`).
 * - The summary goes into the run's property bag.
 *
 * Pure: the same arguments always give the same string.
 *
 * @example
 * await writeFile('planspec.sarif', renderSarif(diagnostics, summary, { toolVersion: '0.1.0', ruleDocs: sarifRuleDocs(CODES, docsUrl) }))
 */
export function renderSarif(diagnostics: readonly Diagnostic[], summary: ValidationSummary, options: SarifRenderOptions): string {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort()
  const ruleIndex = new Map(codes.map((code, index) => [code, index]))
  const rules = codes.map((code) => {
    const level: Severity = (diagnostics.find((d) => d.code === code) as Diagnostic).severity
    return { id: code, ...describeRule(code, options.ruleDocs?.get(code)), defaultConfiguration: { level } }
  })
  const occurrences = new Map<string, number>()
  const results = diagnostics.map((d) => {
    const file = toRepoPath(d.file)
    const hash = hashFingerprint([d.code, file, d.path])
    const occurrence = (occurrences.get(hash) ?? 0) + 1
    occurrences.set(hash, occurrence)
    return {
      ruleId: d.code,
      ruleIndex: ruleIndex.get(d.code) as number,
      level: d.severity,
      message: { text: d.message },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(file), region: toRegion(d) } }],
      partialFingerprints: { [FINGERPRINT_KEY]: `${hash}:${occurrence}` },
    }
  })
  const driver = {
    name: 'planspec',
    version: options.toolVersion,
    semanticVersion: options.toolVersion,
    ...(options.informationUri === undefined ? {} : { informationUri: options.informationUri }),
    rules,
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver }, columnKind: 'utf16CodeUnits', results, properties: { summary: pickSummary(summary) } }],
  }
  return `${JSON.stringify(log, null, 2)}\n`
}

/** The descriptive fields of a rule: what GitHub's upload rules (GH2012) require of each. */
function describeRule(code: string, doc: SarifRuleDoc | undefined): Record<string, unknown> {
  const short = doc?.shortDescription ?? code
  const full = doc?.fullDescription ?? short
  return {
    ...(doc?.name === undefined ? {} : { name: doc.name }),
    shortDescription: { text: short },
    fullDescription: { text: full },
    help: { text: doc?.helpText ?? full, markdown: doc?.helpMarkdown ?? escapeMarkdownText(doc?.helpText ?? full) },
    ...(doc?.helpUri === undefined ? {} : { helpUri: doc.helpUri }),
  }
}

function pickSummary({ files, resources, errors, warnings }: ValidationSummary): ValidationSummary {
  return { files, resources, errors, warnings }
}

/** Where a file is: relative to %SRCROOT%, a `file:` URI when absolute, `-` for standard input. */
function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  if (file === STDIN) return { uri: STDIN }
  const drive = /^([A-Za-z]):\//.exec(file)
  if (drive !== null) return { uri: `file:///${drive[1]}:/${encodePath(file.slice(3))}` }
  if (file.startsWith('/')) return { uri: `file://${encodePath(file)}` }
  return { uri: encodePath(file), uriBaseId: SARIF_SRCROOT }
}

// Each segment percent-encoded, so spaces, `#`, `?` and `:` cannot change how the URI parses.
function encodePath(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/')
}

// SARIF requires positive lines and columns and an end that is not before the start.
function toRegion(d: Diagnostic): { startLine: number; startColumn: number; endLine: number; endColumn: number } {
  const startLine = Math.max(1, d.line)
  const startColumn = Math.max(1, d.column)
  const endLine = Math.max(startLine, d.endLine)
  const endColumn = endLine === startLine ? Math.max(startColumn, d.endColumn) : Math.max(1, d.endColumn)
  return { startLine, startColumn, endLine, endColumn }
}

/** Plain text as Markdown that shows it literally. */
function escapeMarkdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~!&]/g, '\\$&')
}
