import { describe, expect, it } from 'vitest'
import { renderJson } from '../../src/diagnostics/render-json.js'
import { allValid, diagnostic, oneErrorOneWarning, twoDiagnostics } from '../fixtures/diagnostics.js'

describe('renderJson', () => {
  it('prints exactly the summary and the diagnostic keys, in order, pretty with 2 spaces', () => {
    const noKind = diagnostic({ code: 'PS1001', message: 'file is not valid YAML', line: 3, column: 5, endLine: 3, endColumn: 9 })
    expect(renderJson([twoDiagnostics[0]!, noKind], oneErrorOneWarning)).toBe(`{
  "summary": {
    "files": 1,
    "resources": 1,
    "errors": 1,
    "warnings": 1
  },
  "diagnostics": [
    {
      "code": "PS3001",
      "severity": "error",
      "message": "dependsOn names unknown node \\"shema\\"",
      "file": "plans/release.yaml",
      "line": 12,
      "column": 21,
      "endLine": 12,
      "endColumn": 26,
      "path": "/spec/graph/nodes/1/dependsOn/0",
      "kind": "Plan",
      "name": "release-1"
    },
    {
      "code": "PS1001",
      "severity": "error",
      "message": "file is not valid YAML",
      "file": "plans/release.yaml",
      "line": 3,
      "column": 5,
      "endLine": 3,
      "endColumn": 9,
      "path": "",
      "kind": null,
      "name": null
    }
  ]
}
`)
  })

  it('leaves out the fix and any field it does not know', () => {
    const extra = { ...twoDiagnostics[0]!, internal: 'secret' }
    const summary = { ...oneErrorOneWarning, durationMs: 12 }
    const parsed = JSON.parse(renderJson([extra], summary)) as { summary: object; diagnostics: object[] }
    expect(Object.keys(parsed.summary)).toEqual(['files', 'resources', 'errors', 'warnings'])
    expect(Object.keys(parsed.diagnostics[0]!)).toEqual([
      'code', 'severity', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'path', 'kind', 'name',
    ])
  })

  it('prints an empty list when there are no diagnostics', () => {
    expect(renderJson([], allValid)).toBe(
      '{\n  "summary": {\n    "files": 2,\n    "resources": 5,\n    "errors": 0,\n    "warnings": 0\n  },\n  "diagnostics": []\n}\n',
    )
  })

  it('keeps unicode and escapes what JSON must escape', () => {
    const d = diagnostic({ message: 'naïve 日本 "q" \\ \n\u0000 🚀', name: 'ümlaut' })
    const parsed = JSON.parse(renderJson([d], allValid)) as { diagnostics: { message: string; name: string }[] }
    expect(parsed.diagnostics[0]).toMatchObject({ message: 'naïve 日本 "q" \\ \n\u0000 🚀', name: 'ümlaut' })
    expect(renderJson([d], allValid)).toContain('"message": "naïve 日本 \\"q\\" \\\\ \\n\\u0000 🚀"')
  })
})
