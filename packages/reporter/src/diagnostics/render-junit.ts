import type { Diagnostic } from '@planspec/core'
import type { JunitRenderOptions, JunitResource, ValidationSummary } from '../types.js'
import { escapeXmlAttribute as attr, escapeXmlText as text } from '../internal/escape-xml.js'

interface TestCase {
  readonly classname: string
  readonly name: string
  readonly errors: Diagnostic[]
  readonly warnings: Diagnostic[]
}

/**
 * Renders a validation run as JUnit XML for CI test reports: one `<testsuite name="planspec
 * validate">` with one `<testcase classname="FILE" name="Kind/name">` per resource, in the order
 * of `options.resources`.
 *
 * A diagnostic belongs to the first resource with the same file, kind and name. A resource with
 * errors gets one `<failure>` whose `type` and `message` are those of its first error and whose
 * text lists every error as `file:line:col: error CODE: message`; warnings are listed in
 * `<system-out>` and never fail a case. Diagnostics that match no resource (a file that does not
 * parse, a diagnostic without kind) go to a test case named after their file, added after the
 * resources. The summary is written as suite properties. Every value is XML-escaped and
 * characters XML 1.0 forbids are dropped. Pure.
 *
 * @example
 * await writeFile('planspec-junit.xml', renderJunit(diagnostics, summary, { resources }))
 */
export function renderJunit(
  diagnostics: readonly Diagnostic[],
  summary: ValidationSummary,
  options: JunitRenderOptions,
): string {
  const cases: TestCase[] = []
  const byResource = new Map<string, TestCase>()
  for (const resource of options.resources) {
    const testCase: TestCase = { classname: resource.file, name: caseName(resource), errors: [], warnings: [] }
    cases.push(testCase)
    const key = resourceKey(resource.file, resource.kind, resource.name)
    if (!byResource.has(key)) byResource.set(key, testCase)
  }
  const byFile = new Map<string, TestCase>()
  for (const d of diagnostics) {
    let testCase = d.kind === undefined ? undefined : byResource.get(resourceKey(d.file, d.kind, d.name))
    if (testCase === undefined) {
      testCase = byFile.get(d.file) ?? { classname: d.file, name: d.file, errors: [], warnings: [] }
      byFile.set(d.file, testCase)
    }
    ;(d.severity === 'error' ? testCase.errors : testCase.warnings).push(d)
  }
  cases.push(...byFile.values())
  const failures = cases.filter((c) => c.errors.length > 0).length
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="planspec validate" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    '  <properties>',
    ...(['files', 'resources', 'errors', 'warnings'] as const).map(
      (key) => `    <property name="${key}" value="${summary[key]}"/>`,
    ),
    '  </properties>',
    ...cases.flatMap(renderCase),
    '</testsuite>',
  ]
  return `${lines.join('\n')}\n`
}

function renderCase(testCase: TestCase): string[] {
  const open = `  <testcase classname="${attr(testCase.classname)}" name="${attr(testCase.name)}"`
  const [first, ...more] = testCase.errors
  if (first === undefined && testCase.warnings.length === 0) return [`${open}/>`]
  const lines = [`${open}>`]
  if (first !== undefined) {
    const message = more.length === 0 ? first.message : `${first.message} (and ${more.length} more)`
    const body = testCase.errors.map(describe).join('\n')
    lines.push(`    <failure message="${attr(message)}" type="${attr(first.code)}">${text(body)}</failure>`)
  }
  if (testCase.warnings.length > 0) lines.push(`    <system-out>${text(testCase.warnings.map(describe).join('\n'))}</system-out>`)
  lines.push('  </testcase>')
  return lines
}

function describe(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`
}

function caseName(resource: JunitResource): string {
  const name = resource.name ?? (resource.path === undefined ? '(unnamed)' : `(${resource.path})`)
  return `${resource.kind ?? 'Unknown'}/${name}`
}

function resourceKey(file: string, kind: string | undefined, name: string | undefined): string {
  return JSON.stringify([file, kind ?? null, name ?? null])
}
