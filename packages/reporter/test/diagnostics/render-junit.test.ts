import { describe, expect, it } from 'vitest'
import { renderJunit } from '../../src/diagnostics/render-junit.js'
import { allValid, diagnostic, oneErrorOneWarning, twoDiagnostics } from '../fixtures/diagnostics.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`
const head = (tests: number, failures: number, summary = allValid): string[] => [
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<testsuite name="planspec validate" tests="${tests}" failures="${failures}" errors="0" skipped="0">`,
  '  <properties>',
  `    <property name="files" value="${summary.files}"/>`,
  `    <property name="resources" value="${summary.resources}"/>`,
  `    <property name="errors" value="${summary.errors}"/>`,
  `    <property name="warnings" value="${summary.warnings}"/>`,
  '  </properties>',
]

describe('renderJunit', () => {
  it('prints one test case per resource; errors fail it and warnings go to system-out', () => {
    const resources = [
      { file: 'plans/release.yaml', kind: 'Plan', name: 'release-1' },
      { file: 'goals/billing.yaml', kind: 'Goal', name: 'billing' },
    ]
    expect(renderJunit(twoDiagnostics, oneErrorOneWarning, { resources })).toBe(
      lines(
        ...head(2, 1, oneErrorOneWarning),
        '  <testcase classname="plans/release.yaml" name="Plan/release-1">',
        '    <failure message="dependsOn names unknown node &quot;shema&quot;" type="PS3001">plans/release.yaml:12:21: error PS3001: dependsOn names unknown node &quot;shema&quot;</failure>',
        '    <system-out>plans/release.yaml:9:18: warning PS2004: timeout has no unit; 45 is read as seconds</system-out>',
        '  </testcase>',
        '  <testcase classname="goals/billing.yaml" name="Goal/billing"/>',
        '</testsuite>',
      ),
    )
  })

  it('lists every error of a resource in one failure named after the first', () => {
    const resources = [{ file: 'a.yaml', kind: 'Plan', name: 'p' }]
    const diagnostics = [
      diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', code: 'PS3001', message: 'first' }),
      diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', code: 'PS3004', message: 'second', line: 4, column: 2 }),
      diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'p', code: 'PS3005', message: 'third', line: 9, column: 3 }),
    ]
    expect(renderJunit(diagnostics, allValid, { resources })).toBe(
      lines(
        ...head(1, 1),
        '  <testcase classname="a.yaml" name="Plan/p">',
        '    <failure message="first (and 2 more)" type="PS3001">a.yaml:1:1: error PS3001: first',
        'a.yaml:4:2: error PS3004: second',
        'a.yaml:9:3: error PS3005: third</failure>',
        '  </testcase>',
        '</testsuite>',
      ),
    )
  })

  it('gives a file that does not parse, and findings that match no resource, a test case named after the file', () => {
    const resources = [{ file: 'a.yaml', kind: 'Plan', name: 'p' }]
    const diagnostics = [
      diagnostic({ file: 'broken.yaml', code: 'PS1001', message: 'not YAML' }),
      diagnostic({ file: 'a.yaml', code: 'PS1005', message: 'second document has no kind', line: 20 }),
      diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'other', message: 'unknown resource' }),
      diagnostic({ file: 'warn.yaml', severity: 'warning', code: 'PS2001', message: 'only a warning' }),
      diagnostic({ file: 'broken.yaml', code: 'PS1002', message: 'also broken' }),
    ]
    expect(renderJunit(diagnostics, allValid, { resources })).toBe(
      lines(
        ...head(4, 2),
        '  <testcase classname="a.yaml" name="Plan/p"/>',
        '  <testcase classname="broken.yaml" name="broken.yaml">',
        '    <failure message="not YAML (and 1 more)" type="PS1001">broken.yaml:1:1: error PS1001: not YAML',
        'broken.yaml:1:1: error PS1002: also broken</failure>',
        '  </testcase>',
        '  <testcase classname="a.yaml" name="a.yaml">',
        '    <failure message="second document has no kind (and 1 more)" type="PS1005">a.yaml:20:1: error PS1005: second document has no kind',
        'a.yaml:1:1: error PS3001: unknown resource</failure>',
        '  </testcase>',
        '  <testcase classname="warn.yaml" name="warn.yaml">',
        '    <system-out>warn.yaml:1:1: warning PS2001: only a warning</system-out>',
        '  </testcase>',
        '</testsuite>',
      ),
    )
  })

  it('names resources without kind or name, and gives a finding to the first of two identical resources', () => {
    const resources = [
      { file: 'a.yaml', kind: 'Plan', name: 'twin' },
      { file: 'a.yaml', kind: 'Plan', name: 'twin' },
      { file: 'a.yaml', kind: 'Plan', path: '#2' },
      { file: 'a.yaml' },
    ]
    const diagnostics = [diagnostic({ file: 'a.yaml', kind: 'Plan', name: 'twin', message: 'duplicate name' })]
    expect(renderJunit(diagnostics, allValid, { resources })).toBe(
      lines(
        ...head(4, 1),
        '  <testcase classname="a.yaml" name="Plan/twin">',
        '    <failure message="duplicate name" type="PS3001">a.yaml:1:1: error PS3001: duplicate name</failure>',
        '  </testcase>',
        '  <testcase classname="a.yaml" name="Plan/twin"/>',
        '  <testcase classname="a.yaml" name="Plan/(#2)"/>',
        '  <testcase classname="a.yaml" name="Unknown/(unnamed)"/>',
        '</testsuite>',
      ),
    )
  })

  it('matches a finding with a kind but no name to the resource with that kind and no name', () => {
    const resources = [{ file: 'a.yaml', kind: 'Plan' }]
    const out = renderJunit([diagnostic({ file: 'a.yaml', kind: 'Plan', message: 'metadata.name is required' })], allValid, { resources })
    expect(out).toContain('  <testcase classname="a.yaml" name="Plan/(unnamed)">\n    <failure message="metadata.name is required"')
  })

  it('escapes markup and quotes and drops characters XML 1.0 forbids', () => {
    const hostile = '"]); click x call alert(1) <script>&\'@everyone'
    const resources = [{ file: 'a&b.yaml', kind: 'Plan', name: hostile }]
    const diagnostics = [
      diagnostic({
        file: 'a&b.yaml',
        kind: 'Plan',
        name: hostile,
        code: 'PS"<1>',
        message: `bad\u0000\u0008\u000b\u000c\u001f\udfff\ud800\uffff\ufffe ]]> 🚀\ttab\nline\r`,
      }),
    ]
    expect(renderJunit(diagnostics, allValid, { resources })).toBe(
      lines(
        ...head(1, 1),
        '  <testcase classname="a&amp;b.yaml" name="Plan/&quot;]); click x call alert(1) &lt;script&gt;&amp;&apos;@everyone">',
        '    <failure message="bad ]]&gt; 🚀&#9;tab&#10;line&#13;" type="PS&quot;&lt;1&gt;">a&amp;b.yaml:1:1: error PS&quot;&lt;1&gt;: bad ]]&gt; 🚀\ttab\nline\r</failure>',
        '  </testcase>',
        '</testsuite>',
      ),
    )
  })

  it('keeps a surrogate pair and drops a lone surrogate of either half', () => {
    const resources = [{ file: 'a.yaml', kind: 'Plan', name: '🚀\ud800x\udc00y' }]
    expect(renderJunit([], allValid, { resources })).toContain('name="Plan/🚀xy"/>')
  })

  it('prints an empty suite when nothing was validated', () => {
    const none = { files: 0, resources: 0, errors: 0, warnings: 0 }
    expect(renderJunit([], none, { resources: [] })).toBe(lines(...head(0, 0, none), '</testsuite>'))
  })
})
