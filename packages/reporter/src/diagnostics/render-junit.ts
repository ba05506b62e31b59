import type { Diagnostic } from '@planspec/core'
import type { JunitRenderOptions, JunitResource, ValidationSummary } from '../types.js'
import { escapeXmlAttribute as attr, escapeXmlText as text } from '../internal/escape-xml.js'
import { pluralize } from '../internal/pluralize.js'

interface TestCase {
  readonly classname: string
  readonly name: string
  readonly errors: Diagnostic[]
  readonly warnings: Diagnostic[]
}

/** The test case of a resource. */
interface ResourceCase extends TestCase {
  readonly resource: JunitResource
}

/**
 * Renders a validation run as JUnit XML that CI servers display well, and that validates against
 * both the Jenkins (xunit-plugin) and the strict Apache Ant JUnit schemas: one
 * `<testsuite name="planspec validate">` with `timestamp` (UTC, no zone, as Ant requires),
 * `hostname` and `time`, and one `<testcase>` per resource, in the order of `options.resources`.
 *
 * - `classname` is `planspec.<Kind>` (Jenkins splits a class name at its last dot, so test cases
 *   group by kind under a `planspec` package); the `name` is `<name> (<file>)`, with
 *   `, document N` added when several resources of one kind share that name in a file.
 * - A diagnostic belongs to the resource whose document holds its line (`startLine`/`endLine`),
 *   else to the first with its file, kind and name; one that matches no resource (a file that
 *   does not parse) goes to a `planspec.File` test case named after its file.
 * - Errors fail a test case: one `<failure>` whose `type` and `message` are those of the first
 *   error and whose text lists every finding of the resource as `file:line:col: severity CODE:
 *   message`. JUnit has no "passed with warnings": a resource with warnings only is `<skipped>`
 *   with the warnings as its message and text, the one non-failing state that GitLab and Jenkins
 *   both display with its text. Every finding is also in the suite's `<system-out>`.
 * - The summary is written as suite properties. Every value is XML-escaped and characters XML
 *   1.0 forbids are dropped.
 *
 * Pure: the time and host come in `options`.
 *
 * @example
 * await writeFile('planspec-junit.xml', renderJunit(diagnostics, summary, { resources, startedAt: Date.now(), durationMs: 40, hostname: os.hostname() }))
 */
export function renderJunit(diagnostics: readonly Diagnostic[], summary: ValidationSummary, options: JunitRenderOptions): string {
  const resourceCases = options.resources.map((resource): ResourceCase => ({ classname: `planspec.${className(resource.kind ?? 'Unknown')}`, name: caseName(resource, options.resources), resource, errors: [], warnings: [] }))
  const byFile = new Map<string, TestCase>()
  for (const d of diagnostics) {
    let testCase: TestCase | undefined = ownerOf(d, resourceCases)
    if (testCase === undefined) {
      testCase = byFile.get(d.file) ?? { classname: 'planspec.File', name: d.file, errors: [], warnings: [] }
      byFile.set(d.file, testCase)
    }
    ;(d.severity === 'error' ? testCase.errors : testCase.warnings).push(d)
  }
  const cases: TestCase[] = [...resourceCases, ...byFile.values()]
  const failures = cases.filter((c) => c.errors.length > 0).length
  const skipped = cases.filter((c) => c.errors.length === 0 && c.warnings.length > 0).length
  const seconds = ((options.durationMs ?? 0) / 1000).toFixed(3)
  const suite = [
    'name="planspec validate"',
    `tests="${cases.length}"`,
    `failures="${failures}"`,
    'errors="0"',
    `skipped="${skipped}"`,
    `time="${seconds}"`,
    `timestamp="${timestamp(options.startedAt)}"`,
    `hostname="${attr(options.hostname.trim() === '' ? 'localhost' : options.hostname)}"`,
  ]
  const everything = diagnostics.map(describe).join('\n')
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite ${suite.join(' ')}>`,
    '  <properties>',
    ...(['files', 'resources', 'errors', 'warnings'] as const).map((key) => `    <property name="${key}" value="${summary[key]}"/>`),
    '  </properties>',
    ...cases.flatMap(renderCase),
    everything === '' ? '  <system-out/>' : `  <system-out>${text(everything)}</system-out>`,
    '  <system-err/>',
    '</testsuite>',
  ]
  return `${lines.join('\n')}\n`
}

/** The test case a diagnostic belongs to: by the document holding its line, else by identity. */
function ownerOf(d: Diagnostic, cases: readonly ResourceCase[]): ResourceCase | undefined {
  const inFile = cases.filter((c) => c.resource.file === d.file)
  const sameIdentity = (c: ResourceCase): boolean => d.kind !== undefined && c.resource.kind === d.kind && c.resource.name === d.name
  const holds = ({ resource: { startLine, endLine } }: ResourceCase): boolean => startLine !== undefined && endLine !== undefined && startLine <= d.line && d.line <= endLine
  const holding = inFile.filter(holds)
  const only = holding.length === 1 ? (holding[0] as ResourceCase) : undefined
  return holding.find(sameIdentity) ?? (only !== undefined && (d.kind === undefined || only.resource.kind === d.kind) ? only : undefined) ?? inFile.find(sameIdentity)
}

function renderCase(testCase: TestCase): string[] {
  const open = `  <testcase classname="${attr(testCase.classname)}" name="${attr(testCase.name)}" time="0"`
  const [first, ...more] = testCase.errors
  const findings = [...testCase.errors, ...testCase.warnings]
  if (findings.length === 0) return [`${open}/>`]
  const body = text(findings.map(describe).join('\n'))
  if (first === undefined) {
    const message = `${pluralize(testCase.warnings.length, 'warning')}: ${(testCase.warnings[0] as Diagnostic).message}`
    return [`${open}>`, `    <skipped message="${attr(message)}">${body}</skipped>`, '  </testcase>']
  }
  const message = more.length === 0 ? first.message : `${first.message} (and ${pluralize(more.length, 'more error')})`
  return [`${open}>`, `    <failure message="${attr(message)}" type="${attr(first.code)}">${body}</failure>`, '  </testcase>']
}

function describe(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`
}

/** `<name> (<file>)`, with the document number when the file has several resources of that kind and name. */
function caseName(resource: JunitResource, all: readonly JunitResource[]): string {
  const twins = all.filter((r) => r.file === resource.file && r.kind === resource.kind && r.name === resource.name).length
  const where = twins > 1 || resource.name === undefined ? `${resource.file}, document ${(resource.documentIndex ?? 0) + 1}` : resource.file
  return `${resource.name ?? '(unnamed)'} (${where})`
}

/** A kind as one class-name segment: no dots (Jenkins splits there), no spaces. */
function className(kind: string): string {
  return kind.replace(/[^A-Za-z0-9_$]/g, '_') || 'Unknown'
}

/** ISO 8601 in UTC without a zone designator (`2025-03-09T10:00:00`), the form the Ant schema allows. */
function timestamp(epochMs: number): string {
  return new Date(Number.isFinite(epochMs) ? epochMs : 0).toISOString().slice(0, 19)
}
