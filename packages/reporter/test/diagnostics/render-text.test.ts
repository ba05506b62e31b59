import { describe, expect, it } from 'vitest'
import { renderText } from '../../src/diagnostics/render-text.js'
import { allValid, diagnostic, oneErrorOneWarning, releaseSource, twoDiagnostics } from '../fixtures/diagnostics.js'

const ESC = '\u001b'
const sources = new Map([['plans/release.yaml', releaseSource]])
const lines = (...text: string[]): string => `${text.join('\n')}\n`

describe('renderText', () => {
  it('prints each finding like a compiler, with a code frame, a fix hint and a summary', () => {
    expect(renderText(twoDiagnostics, oneErrorOneWarning, { color: false, sources })).toBe(
      lines(
        'plans/release.yaml:12:21: error PS3001: dependsOn names unknown node "shema"',
        '    11 |         kind: Task',
        '  > 12 |         dependsOn: [shema]',
        '       |                     ^~~~~',
        '    13 |',
        '  fix: replace "shema" with "schema"',
        '',
        'plans/release.yaml:9:18: warning PS2004: timeout has no unit; 45 is read as seconds',
        '     8 |       - id: schema',
        '  >  9 |         timeout: 45',
        '       |                  ^~',
        '    10 |       - id: writer',
        '',
        '✖ 1 error, 1 warning in 1 file (1 resource)',
      ),
    )
  })

  it('prints no code frame for a file missing from sources', () => {
    expect(renderText(twoDiagnostics, oneErrorOneWarning, { color: false })).toBe(
      lines(
        'plans/release.yaml:12:21: error PS3001: dependsOn names unknown node "shema"',
        '  fix: replace "shema" with "schema"',
        '',
        'plans/release.yaml:9:18: warning PS2004: timeout has no unit; 45 is read as seconds',
        '',
        '✖ 1 error, 1 warning in 1 file (1 resource)',
      ),
    )
  })

  it('prints only the summary when there is nothing to report', () => {
    expect(renderText([], allValid, { color: false })).toBe('✔ 5 resources in 2 files are valid\n')
  })

  it('counts in the singular and says valid when there are only warnings', () => {
    const summary = { files: 1, resources: 1, errors: 0, warnings: 1 }
    expect(renderText([], summary, { color: false })).toBe('✔ 1 resource in 1 file is valid (1 warning)\n')
  })

  it('prints the counts it is given, not counts of the diagnostics', () => {
    const summary = { files: 2, resources: 5, errors: 3, warnings: 0 }
    expect(renderText([], summary, { color: false })).toBe('✖ 3 errors, 0 warnings in 2 files (5 resources)\n')
  })

  it('colours errors red, warnings yellow, the gutter dim and the code bold', () => {
    const [error, warning] = twoDiagnostics
    const out = renderText([error!, warning!], oneErrorOneWarning, { color: true, sources })
    expect(out).toBe(
      lines(
        `plans/release.yaml:12:21: ${ESC}[31merror${ESC}[39m ${ESC}[1mPS3001${ESC}[22m: dependsOn names unknown node "shema"`,
        `    ${ESC}[2m11 |${ESC}[22m         kind: Task`,
        `  ${ESC}[31m>${ESC}[39m ${ESC}[2m12 |${ESC}[22m         dependsOn: [shema]`,
        `    ${ESC}[2m   |${ESC}[22m                     ${ESC}[31m^~~~~${ESC}[39m`,
        `    ${ESC}[2m13 |${ESC}[22m`,
        `  ${ESC}[32mfix:${ESC}[39m replace "shema" with "schema"`,
        '',
        `plans/release.yaml:9:18: ${ESC}[33mwarning${ESC}[39m ${ESC}[1mPS2004${ESC}[22m: timeout has no unit; 45 is read as seconds`,
        `    ${ESC}[2m 8 |${ESC}[22m       - id: schema`,
        `  ${ESC}[33m>${ESC}[39m ${ESC}[2m 9 |${ESC}[22m         timeout: 45`,
        `    ${ESC}[2m   |${ESC}[22m                  ${ESC}[33m^~${ESC}[39m`,
        `    ${ESC}[2m10 |${ESC}[22m       - id: writer`,
        '',
        `${ESC}[31m✖${ESC}[39m ${ESC}[1m1 error, 1 warning${ESC}[22m in 1 file (1 resource)`,
      ),
    )
  })

  it('colours the valid summary green and its warning count yellow', () => {
    const summary = { files: 1, resources: 2, errors: 0, warnings: 3 }
    expect(renderText([], summary, { color: true })).toBe(
      `${ESC}[32m✔${ESC}[39m 2 resources in 1 file are valid (${ESC}[33m3 warnings${ESC}[39m)\n`,
    )
  })

  it('writes no escape codes when colour is off', () => {
    expect(renderText(twoDiagnostics, oneErrorOneWarning, { color: false, sources })).not.toContain(ESC)
  })

  it('keeps the underline under the range when the line has tabs', () => {
    const source = 'a:\n\tkey:\t"value"\nb: 1\n'
    const d = diagnostic({ line: 2, column: 7, endColumn: 14 })
    expect(renderText([d], oneErrorOneWarning, { color: false, sources: new Map([[d.file, source]]) })).toBe(
      lines(
        'plans/release.yaml:2:7: error PS3001: something is wrong',
        '    1 | a:',
        '  > 2 |     key:    "value"',
        '      |             ^~~~~~~',
        '    3 | b: 1',
        '',
        '✖ 1 error, 1 warning in 1 file (1 resource)',
      ),
    )
  })

  it('counts wide characters and emoji as two cells and combining marks as none', () => {
    // x is column 16 in UTF-16 code units but cell 16 of the terminal: 日本 take 4 cells for 2 units,
    // e + U+0301 take 1 cell for 2 units, 🚀 takes 2 cells for 2 units.
    const source = 'name: 日本 e\u0301 🚀 x\n'
    const d = diagnostic({ column: 16, endColumn: 17 })
    expect(renderText([d], oneErrorOneWarning, { color: false, sources: new Map([[d.file, source]]) })).toBe(
      lines(
        'plans/release.yaml:1:16: error PS3001: something is wrong',
        '  > 1 | name: 日本 e\u0301 🚀 x',
        `      | ${' '.repeat(16)}^`,
        '    2 |',
        '',
        '✖ 1 error, 1 warning in 1 file (1 resource)',
      ),
    )
  })

  it('underlines an astral character by its two cells', () => {
    const source = 'x: 🚀\n'
    const d = diagnostic({ column: 4, endColumn: 6 })
    const out = renderText([d], oneErrorOneWarning, { color: false, sources: new Map([[d.file, source]]) })
    expect(out).toContain('\n      |    ^~\n')
  })

  it('underlines to the end of the first line when the range spans lines', () => {
    const source = 'spec:\n  graph: {\n    nodes: []\n  }\n'
    const d = diagnostic({ line: 2, column: 3, endLine: 4, endColumn: 4 })
    const out = renderText([d], oneErrorOneWarning, { color: false, sources: new Map([[d.file, source]]) })
    expect(out).toContain(['  > 2 |   graph: {', '      |   ^~~~~~~~', '    3 |     nodes: []'].join('\n'))
  })

  it('draws one caret for an empty range, and after the last character when the column is past the end', () => {
    const source = 'kind: Plan\n'
    const empty = diagnostic({ column: 7, endColumn: 7 })
    const past = diagnostic({ column: 40, endColumn: 41 })
    const out = renderText([empty, past], oneErrorOneWarning, { color: false, sources: new Map([[empty.file, source]]) })
    expect(out).toContain('  > 1 | kind: Plan\n      |       ^\n')
    expect(out).toContain('  > 1 | kind: Plan\n      |           ^\n')
  })

  it('draws one caret when the end is before the start', () => {
    const d = diagnostic({ column: 3, endColumn: 1 })
    const out = renderText([d], oneErrorOneWarning, { color: false, sources: new Map([[d.file, 'abcdef']]) })
    expect(out).toContain('  > 1 | abcdef\n      |   ^\n')
  })

  it('has no context line above the first line and widens the gutter for the last shown line', () => {
    const source = Array.from({ length: 10 }, (_, i) => `line${i + 1}`).join('\n')
    const first = diagnostic({ line: 1 })
    const ninth = diagnostic({ line: 9 })
    const out = renderText([first, ninth], oneErrorOneWarning, { color: false, sources: new Map([[first.file, source]]) })
    expect(out).toContain(['  > 1 | line1', '      | ^', '    2 | line2', ''].join('\n'))
    expect(out).toContain(['     8 | line8', '  >  9 | line9', '       | ^', '    10 | line10', ''].join('\n'))
  })

  it('prints no code frame when the line is not in the file', () => {
    const d = diagnostic({ line: 7 })
    const zero = diagnostic({ line: 0 })
    const out = renderText([d, zero], oneErrorOneWarning, { color: false, sources: new Map([[d.file, 'a: 1\n']]) })
    expect(out).toBe(
      lines(
        'plans/release.yaml:7:1: error PS3001: something is wrong',
        '',
        'plans/release.yaml:0:1: error PS3001: something is wrong',
        '',
        '✖ 1 error, 1 warning in 1 file (1 resource)',
      ),
    )
  })

  it('reads CRLF files and drops a byte-order mark, like the parser does', () => {
    const d = diagnostic({ line: 2, column: 7, endColumn: 11 })
    const out = renderText([d], oneErrorOneWarning, { color: false, sources: new Map([[d.file, '\ufeffa: 1\r\nkind: Plan\r\nb: 2\r\n']]) })
    expect(out).toContain(['    1 | a: 1', '  > 2 | kind: Plan', '      |       ^~~~', '    3 | b: 2', ''].join('\n'))
  })

  it('makes control characters and bidirectional overrides in messages and sources visible', () => {
    const d = diagnostic({
      file: 'evil\u001b[2J.yaml',
      code: 'PS\u009b1',
      message: 'bad \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u202eevil\u202c',
      fix: { description: 'do\u001b[31m this', edits: [] },
    })
    const out = renderText([d], oneErrorOneWarning, { color: false, sources: new Map([[d.file, 'x:\u0000\u007f\u0085 1']]) })
    expect(out).not.toContain('\u001b')
    expect(out).toBe(
      lines(
        'evil␛[2J.yaml:1:1: error PS�1: bad ␛]8;;https://evil.example␇link␛]8;;␇ �evil�',
        '  > 1 | x:␀␡� 1',
        '      | ^',
        '  fix: do␛[31m this',
        '',
        '✖ 1 error, 1 warning in 1 file (1 resource)',
      ),
    )
  })

  it('indents the extra lines of a multi-line message', () => {
    const d = diagnostic({ message: 'first line\r\nsecond line\nthird line' })
    expect(renderText([d], oneErrorOneWarning, { color: false })).toBe(
      lines(
        'plans/release.yaml:1:1: error PS3001: first line',
        '  second line',
        '  third line',
        '',
        '✖ 1 error, 1 warning in 1 file (1 resource)',
      ),
    )
  })

  it('renders a diagnostic without kind or name', () => {
    const d = diagnostic({ code: 'PS1001', message: 'file is not valid YAML' })
    expect(renderText([d], { files: 1, resources: 0, errors: 1, warnings: 0 }, { color: false })).toBe(
      lines(
        'plans/release.yaml:1:1: error PS1001: file is not valid YAML',
        '',
        '✖ 1 error, 0 warnings in 1 file (0 resources)',
      ),
    )
  })
})
