import type { Diagnostic, Severity } from '@planspec/core'
import type { SarifRenderOptions, ValidationSummary } from '../types.js'
import { hashFingerprint } from '../internal/hash-fingerprint.js'
import { toRepoPath } from '../internal/to-repo-path.js'

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'
const FINGERPRINT_KEY = 'planspec/v1'

/**
 * Renders diagnostics as a SARIF 2.1.0 log (pretty JSON, trailing newline) with one run whose
 * tool is `planspec`, for GitHub code scanning and other SARIF viewers.
 *
 * - `rules` has one entry per distinct code, sorted by code, so a rule's index does not depend
 *   on the order of diagnostics. Its description and help come from `options.ruleDocs` (the code
 *   itself when missing); its default level is the severity of the code's first diagnostic.
 * - Each result carries `ruleId`, `ruleIndex`, `level`, the message, a physical location (a
 *   repository-relative, percent-encoded URI and a 1-based region whose end column is
 *   exclusive, in UTF-16 code units as the run's `columnKind` says), and a partial fingerprint
 *   `<hash of (code, file, path)>:<occurrence>`. The hash ignores lines, so a finding keeps its
 *   identity when the file above it changes; the occurrence keeps same-keyed results apart.
 * - The summary goes into the run's property bag.
 *
 * Pure: the same arguments always give the same string.
 *
 * @example
 * await writeFile('planspec.sarif', renderSarif(diagnostics, summary, { toolVersion: '0.1.0' }))
 */
export function renderSarif(
  diagnostics: readonly Diagnostic[],
  summary: ValidationSummary,
  options: SarifRenderOptions,
): string {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort()
  const ruleIndex = new Map(codes.map((code, index) => [code, index]))
  const rules = codes.map((code) => {
    const doc = options.ruleDocs?.get(code)
    const level: Severity = (diagnostics.find((d) => d.code === code) as Diagnostic).severity
    return {
      id: code,
      shortDescription: { text: doc?.shortDescription ?? code },
      ...(doc?.helpText === undefined ? {} : { help: { text: doc.helpText } }),
      defaultConfiguration: { level },
    }
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
      locations: [{ physicalLocation: { artifactLocation: { uri: toUri(file) }, region: toRegion(d) } }],
      partialFingerprints: { [FINGERPRINT_KEY]: `${hash}:${occurrence}` },
    }
  })
  const driver = {
    name: 'planspec',
    version: options.toolVersion,
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

function pickSummary({ files, resources, errors, warnings }: ValidationSummary): ValidationSummary {
  return { files, resources, errors, warnings }
}

// A relative URI reference: each segment percent-encoded, so spaces, `#`, `?` and a drive
// letter's `:` cannot change how the URI parses.
function toUri(file: string): string {
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
