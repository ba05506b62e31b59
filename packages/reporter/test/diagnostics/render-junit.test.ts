import { checkXmlSchema, JUNIT_SCHEMAS } from '@planspec/testing'
import { describe, expect, it } from 'vitest'
import { renderJunit } from '../../src/diagnostics/render-junit.js'
import { allValid, diagnostic, oneErrorOneWarning, twoDiagnostics } from '../fixtures/diagnostics.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`
const RUN = { startedAt: Date.UTC(2025, 2, 9, 10, 0, 0, 250), durationMs: 1234, hostname: 'ci-1' }
const head = (tests: number, failures: number, skipped: number, summary = allValid): string[] => [
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<testsuite name="planspec validate" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="1.234" timestamp="2025-03-09T10:00:00" hostname="ci-1">`,
  '  <properties>',
  `    <property name="files" value="${summary.files}"/>`,
  `    <property name="resources" value="${summary.resources}"/>`,
  `    <property name="errors" value="${summary.errors}"/>`,
  `    <property name="warnings" value="${summary.warnings}"/>`,
  '  </properties>',
]

describe('renderJunit', () => {
  it('prints one test case per resource, classed by kind; errors fail it, every finding is in the suite output', () => {
    const resources = [
      { file: 'plans/release.yaml', kind: 'Plan', name: 'release-1' },
      { file: 'goals/billing.yaml', kind: 'Goal', name: 'billing' },
    ]
    expect(renderJunit(twoDiagnostics, oneErrorOneWarning, { resources, ...RUN })).toBe(
      lines(
        ...head(2, 1, 0, oneErrorOneWarning),
        '  <testcase classname="planspec.Plan" name="release-1 (plans/release.yaml)" time="0">',
        '    <failure message="dependsOn names unknown node &quot;shema&quot;" type="PS3001">plans/release.yaml:12:21: error PS3001: dependsOn names unknown node &quot;shema&quot;',
        'plans/release.yaml:9:18: warning PS2004: timeout has no unit; 45 is read as seconds</failure>',
        '  </testcase>',
        '  <testcase classname="planspec.Goal" name="billing (goals/billing.yaml)" time="0"/>',
        '  <system-out>plans/release.yaml:12:21: error PS3001: dependsOn names unknown node &quot;shema&quot;',
        'plans/release.yaml:9:18: warning PS2004: timeout has no unit; 45 is read as seconds</system-out>',
        '  <system-err/>',
        '</testsuite>',
      ),
    )
  })

  it('marks a resource with warnings only as skipped, with the warnings as message and text', () => {
    const resources = [{ file: 'a.yaml', kind: 'Plan', name: 'p' }]
    const warnings = [diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', severity: 'warning', code: 'PS5001', message: 'legacy shape' }), diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', severity: 'warning', code: 'PS5002', message: 'other' })]
    const xml = renderJunit(warnings, { ...allValid, warnings: 2 }, { resources, ...RUN })
    expect(xml).toContain('<testsuite name="planspec validate" tests="1" failures="0" errors="0" skipped="1"')
    expect(xml).toContain('    <skipped message="2 warnings: legacy shape">a.yaml:1:1: warning PS5001: legacy shape\na.yaml:1:1: warning PS5002: other</skipped>')
  })

  it('lists every error of a resource in one failure named after the first', () => {
    const resources = [{ file: 'a.yaml', kind: 'Plan', name: 'p' }]
    const diagnostics = [
      diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', code: 'PS3001', message: 'first' }),
      diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', code: 'PS3004', message: 'second', line: 4, column: 2 }),
      diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', code: 'PS3005', message: 'third', line: 5 }),
    ]
    expect(renderJunit(diagnostics, allValid, { resources, ...RUN })).toContain('<failure message="first (and 2 more errors)" type="PS3001">a.yaml:1:1: error PS3001: first\na.yaml:4:2: error PS3004: second\na.yaml:5:1: error PS3005: third</failure>')
  })

  it('keeps two resources with the same kind and name in one file apart, by document', () => {
    const resources = [
      { file: 'a.yaml', kind: 'Goal', name: 'g', documentIndex: 0, startLine: 1, endLine: 6 },
      { file: 'a.yaml', kind: 'Goal', name: 'g', documentIndex: 1, startLine: 7, endLine: 12 },
    ]
    const second = diagnostic({ file: 'a.yaml', kind: 'Goal', name: 'g', line: 9, message: 'in the second' })
    const xml = renderJunit([second], allValid, { resources, ...RUN })
    expect(xml).toContain('  <testcase classname="planspec.Goal" name="g (a.yaml, document 1)" time="0"/>\n  <testcase classname="planspec.Goal" name="g (a.yaml, document 2)" time="0">\n    <failure message="in the second"')
  })

  it('gives a finding in a document to the resource that document holds, and matches by identity without lines', () => {
    const resources = [
      { file: 'a.yaml', kind: 'Goal', name: 'g', documentIndex: 0, startLine: 1, endLine: 4 },
      { file: 'a.yaml', kind: 'Plan', name: 'p', documentIndex: 1, startLine: 5, endLine: 9 },
      { file: 'b.yaml', kind: 'Plan', name: 'q' },
    ]
    const xml = renderJunit(
      [diagnostic({ file: 'a.yaml', line: 6, message: 'no kind on it' }), diagnostic({ file: 'a.yaml', line: 2, kind: 'Plan', name: 'p', message: 'kind wins over lines' }), diagnostic({ file: 'b.yaml', line: 3, kind: 'Plan', name: 'q', message: 'by identity' })],
      allValid,
      { resources, ...RUN },
    )
    expect(xml).toContain('name="p (a.yaml)" time="0">\n    <failure message="no kind on it (and 1 more error)"')
    expect(xml).toContain('name="q (b.yaml)" time="0">\n    <failure message="by identity"')
    expect(xml).toContain('name="g (a.yaml)" time="0"/>')
    const renamed = renderJunit([diagnostic({ file: 'a.yaml', line: 2, kind: 'Goal', name: 'G_bad', message: 'same kind, name as read' })], allValid, { resources, ...RUN })
    expect(renamed).toContain('name="g (a.yaml)" time="0">\n    <failure message="same kind, name as read"')
    // A List document holds several resources: a finding without kind there belongs to the file.
    const list = [{ file: 'l.yaml', kind: 'Goal', name: 'a', startLine: 1, endLine: 9 }, { file: 'l.yaml', kind: 'Goal', name: 'b', startLine: 1, endLine: 9 }]
    expect(renderJunit([diagnostic({ file: 'l.yaml', line: 3, message: 'list-wide' })], allValid, { resources: list, ...RUN })).toContain('<testcase classname="planspec.File" name="l.yaml" time="0">')
  })

  it('puts findings that match no resource in a test case named after their file', () => {
    const diagnostics = [diagnostic({ file: 'broken.yaml', code: 'PS1001', message: 'bad YAML' }), diagnostic({ file: 'broken.yaml', severity: 'warning', code: 'PS1008', message: 'w', kind: 'Plan', name: 'gone' })]
    const xml = renderJunit(diagnostics, allValid, { resources: [{ file: 'ok.yaml' }], ...RUN })
    expect(xml).toContain('  <testcase classname="planspec.Unknown" name="(unnamed) (ok.yaml, document 1)" time="0"/>\n  <testcase classname="planspec.File" name="broken.yaml" time="0">\n    <failure message="bad YAML" type="PS1001">')
  })

  it('escapes every value, drops characters XML forbids, and never splits the class name on a dot', () => {
    const resources = [{ file: 'a&b".yaml', kind: 'Weird.Kind<x>', name: "n'<>" }]
    const xml = renderJunit([diagnostic({ file: 'a&b".yaml', kind: 'Weird.Kind<x>', name: "n'<>", message: 'bell \u0007 and <tag> & "q"\nnext' })], allValid, { resources, ...RUN, hostname: '' })
    expect(xml).toContain('classname="planspec.Weird_Kind_x_" name="n&apos;&lt;&gt; (a&amp;b&quot;.yaml)"')
    expect(xml).toContain('message="bell  and &lt;tag&gt; &amp; &quot;q&quot;&#10;next"')
    expect(xml).toContain('hostname="localhost"')
    expect(renderJunit([], allValid, { resources: [{ file: 'x.yaml', kind: '' }], startedAt: Number.NaN, hostname: 'h' })).toContain('timestamp="1970-01-01T00:00:00"')
    expect(renderJunit([], allValid, { resources: [{ file: 'x.yaml', kind: '' }], startedAt: 0, hostname: 'h' })).toContain('classname="planspec.Unknown"')
  })

  it('validates against the Jenkins and the strict Ant JUnit schemas (xmllint)', () => {
    const resources = [
      { file: 'plans/release.yaml', kind: 'Plan', name: 'release-1' },
      { file: 'goals/billing.yaml', kind: 'Goal', name: 'billing' },
      { file: 'a.yaml', kind: 'Goal', name: 'w' },
    ]
    const diagnostics = [...twoDiagnostics, diagnostic({ file: 'a.yaml', kind: 'Goal', name: 'w', severity: 'warning' }), diagnostic({ file: 'broken.yaml', code: 'PS1001', message: '\u0000 <&> ]]>' })]
    for (const xml of [renderJunit(diagnostics, oneErrorOneWarning, { resources, ...RUN }), renderJunit([], allValid, { resources: [], ...RUN })]) {
      expect(checkXmlSchema(xml, JUNIT_SCHEMAS.jenkins)).toEqual([])
      expect(checkXmlSchema(xml, JUNIT_SCHEMAS.ant)).toEqual([])
    }
  })
})
