import { describe, expect, it } from 'vitest'
import { renderGithub } from '../../src/diagnostics/render-github.js'
import { annotationRange, rankForAnnotations } from '../../src/diagnostics/rank-annotations.js'
import { allValid, diagnostic, oneErrorOneWarning, twoDiagnostics } from '../fixtures/diagnostics.js'

describe('renderGithub', () => {
  it('prints one workflow command per diagnostic: ::error for errors, ::warning for warnings', () => {
    expect(renderGithub(twoDiagnostics, oneErrorOneWarning)).toBe(
      [
        '::error file=plans/release.yaml,line=12,col=21,endLine=12,endColumn=25,title=PS3001::dependsOn names unknown node "shema"',
        '::warning file=plans/release.yaml,line=9,col=18,endLine=9,endColumn=19,title=PS2004::timeout has no unit; 45 is read as seconds',
        '',
      ].join('\n'),
    )
  })

  it('prints nothing when there are no diagnostics', () => {
    expect(renderGithub([], allValid)).toBe('')
  })

  it('escapes % CR and LF in the message so it cannot start another command', () => {
    const d = diagnostic({ message: '100% bad\r\n::error::forged\nnext' })
    expect(renderGithub([d], allValid)).toBe(
      '::error file=plans/release.yaml,line=1,col=1,endLine=1,endColumn=1,title=PS3001::100%25 bad%0D%0A::error::forged%0Anext\n',
    )
  })

  it('also escapes : and , in properties, and writes the file with forward slashes', () => {
    const d = diagnostic({ file: '.\\plans\\a,b:c%.yaml', code: 'PS:1,2\n' })
    expect(renderGithub([d], allValid)).toBe(
      '::error file=plans/a%2Cb%3Ac%25.yaml,line=1,col=1,endLine=1,endColumn=1,title=PS%3A1%2C2%0A::something is wrong\n',
    )
  })

  it('passes unicode and markup through untouched; the runner shows annotations as text', () => {
    const d = diagnostic({ severity: 'warning', message: '日本 🚀 <script>alert(1)</script> @everyone' })
    expect(renderGithub([d], allValid)).toBe(
      '::warning file=plans/release.yaml,line=1,col=1,endLine=1,endColumn=1,title=PS3001::日本 🚀 <script>alert(1)</script> @everyone\n',
    )
  })

  it('ends an annotation on the last character of a multi-line finding, never at column 1 of the next line', () => {
    const d = diagnostic({ line: 3, column: 5, endLine: 6, endColumn: 1 })
    expect(renderGithub([d], allValid)).toBe('::error file=plans/release.yaml,line=3,endLine=5,title=PS3001::something is wrong\n')
    expect(annotationRange(d)).toEqual({ line: 3, endLine: 5 })
    expect(annotationRange(diagnostic({ line: 3, column: 5, endLine: 4, endColumn: 1 }), 'a\nb\n  key: value\nz\n')).toEqual({ line: 3, endLine: 3, column: 5, endColumn: 12 })
    expect(annotationRange(diagnostic({ line: 3, column: 5, endLine: 4, endColumn: 1 }))).toEqual({ line: 3, endLine: 3, column: 5 })
    expect(annotationRange(diagnostic({ line: 2, column: 1, endLine: 3, endColumn: 1 }), 'a\n\n')).toEqual({ line: 2, endLine: 2, column: 1, endColumn: 1 })
    expect(annotationRange(diagnostic({ line: 0, column: 0, endLine: 0, endColumn: 0 }))).toEqual({ line: 1, endLine: 1, column: 1, endColumn: 1 })
    expect(annotationRange(diagnostic({ line: 2, column: 3, endLine: 4, endColumn: 7 }))).toEqual({ line: 2, endLine: 4 })
  })

  it('uses the file text given in sources for the end of a finding that ends at a line start', () => {
    const d = diagnostic({ line: 2, column: 3, endLine: 3, endColumn: 1 })
    expect(renderGithub([d], allValid, { sources: new Map([['plans/release.yaml', 'x\nab: cdef\n']]) })).toBe('::error file=plans/release.yaml,line=2,col=3,endLine=2,endColumn=8,title=PS3001::something is wrong\n')
  })

  it('ranks errors first, then by code, file and line, so the 10 + 10 GitHub shows are the most useful', () => {
    const ranked = rankForAnnotations([
      diagnostic({ severity: 'warning', code: 'PS2004', file: 'a.yaml' }),
      diagnostic({ code: 'PS4001', file: 'a.yaml' }),
      diagnostic({ code: 'PS1001', file: 'z.yaml', line: 9 }),
      diagnostic({ code: 'PS1001', file: 'z.yaml', line: 2 }),
      diagnostic({ code: 'PS1001', file: 'b.yaml', line: 2, column: 4 }),
      diagnostic({ code: 'PS1001', file: 'b.yaml', line: 2, column: 3 }),
      diagnostic({ severity: 'info' as never, code: 'PS0001' }),
    ])
    expect(ranked.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual([
      'error PS1001 b.yaml:2:3',
      'error PS1001 b.yaml:2:4',
      'error PS1001 z.yaml:2:1',
      'error PS1001 z.yaml:9:1',
      'error PS4001 a.yaml:1:1',
      'warning PS2004 a.yaml:1:1',
      'info PS0001 plans/release.yaml:1:1',
    ])
  })

  it('annotates 10 errors and 10 warnings, logs the rest as plain lines and ends with a notice', () => {
    const errors = Array.from({ length: 13 }, (_, i) => diagnostic({ code: `PS30${String(i).padStart(2, '0')}`, message: `e${i}` }))
    const warnings = Array.from({ length: 11 }, (_, i) => diagnostic({ severity: 'warning', code: `PS20${String(i).padStart(2, '0')}`, message: `w${i}` }))
    const lines = renderGithub([...warnings, ...errors], allValid).trimEnd().split('\n')
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(10)
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBe(10)
    expect(lines.slice(10, 13)).toEqual(['plans/release.yaml:1:1: error PS3010: e10', 'plans/release.yaml:1:1: error PS3011: e11', 'plans/release.yaml:1:1: error PS3012: e12'])
    expect(lines[23]).toBe('plans/release.yaml:1:1: warning PS2010: w10')
    expect(lines[24]).toBe('::notice title=PlanSpec::3 more errors and 1 more warning are not annotated: GitHub shows 10 errors and 10 warnings per step, the most useful first. Every finding is in the log above, the job summary and the SARIF file.')
    expect(lines).toHaveLength(25)
    expect(renderGithub(errors.slice(0, 11), allValid).trimEnd().split('\n').at(-1)).toMatch(/^::notice title=PlanSpec::1 more error is not annotated/)
    expect(renderGithub(warnings, allValid).trimEnd().split('\n').at(-1)).toMatch(/^::notice title=PlanSpec::1 more warning is not annotated/)
  })
})
