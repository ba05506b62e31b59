import { describe, expect, it } from 'vitest'
import { renderSarif } from '../../src/diagnostics/render-sarif.js'
import { githubAnchor, sarifRuleDocs } from '../../src/diagnostics/sarif-rule-docs.js'
import { allValid, diagnostic, oneErrorOneWarning, twoDiagnostics } from '../fixtures/diagnostics.js'

interface SarifResult {
  ruleId: string
  ruleIndex: number
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[]
  partialFingerprints: Record<string, string>
}
interface SarifLog {
  runs: { tool: { driver: Record<string, unknown> & { rules: { id: string }[] } }; results: SarifResult[] }[]
}

const parse = (text: string): SarifLog => JSON.parse(text) as SarifLog
const catalog = {
  PS3001: { title: 'dependsOn names an unknown node', help: 'Every dependsOn entry must name a node of the Plan (G7).', example: 'dependsOn: [missing]' },
  PS1008: { title: 'Empty file', help: 'The file holds no YAML documents.', example: '' },
}
const ruleDocs = new Map([...sarifRuleDocs(catalog, 'https://example.test/docs/diagnostics.md'), ['PS2004', { shortDescription: 'durations carry a unit' }]])

describe('renderSarif', () => {
  it('prints a SARIF 2.1.0 log with one run, one rule per code and one result per diagnostic', () => {
    const text = renderSarif(twoDiagnostics, oneErrorOneWarning, { toolVersion: '0.1.0', informationUri: 'https://planspec.io', ruleDocs })
    expect(text.startsWith('{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",\n')).toBe(true)
    expect(text.endsWith('}\n')).toBe(true)
    const docs = ruleDocs.get('PS3001')!
    expect(JSON.parse(text)).toEqual({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'planspec',
              version: '0.1.0',
              semanticVersion: '0.1.0',
              informationUri: 'https://planspec.io',
              rules: [
                {
                  id: 'PS2004',
                  shortDescription: { text: 'durations carry a unit' },
                  fullDescription: { text: 'durations carry a unit' },
                  help: { text: 'durations carry a unit', markdown: 'durations carry a unit' },
                  defaultConfiguration: { level: 'warning' },
                },
                {
                  id: 'PS3001',
                  name: 'DependsOnNamesAnUnknownNode',
                  shortDescription: { text: 'dependsOn names an unknown node' },
                  fullDescription: { text: docs.fullDescription },
                  help: { text: docs.helpText, markdown: docs.helpMarkdown },
                  helpUri: 'https://example.test/docs/diagnostics.md#ps3001-dependson-names-an-unknown-node',
                  defaultConfiguration: { level: 'error' },
                },
              ],
            },
          },
          columnKind: 'utf16CodeUnits',
          results: [
            {
              ruleId: 'PS3001',
              ruleIndex: 1,
              level: 'error',
              message: { text: 'dependsOn names unknown node "shema"' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'plans/release.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 12, startColumn: 21, endLine: 12, endColumn: 26 } } }],
              partialFingerprints: { primaryLocationLineHash: 'bee4d873bd3264fc:1' },
            },
            {
              ruleId: 'PS2004',
              ruleIndex: 0,
              level: 'warning',
              message: { text: 'timeout has no unit; 45 is read as seconds' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'plans/release.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 9, startColumn: 18, endLine: 9, endColumn: 20 } } }],
              partialFingerprints: { primaryLocationLineHash: '7f48fa2feb22bb9f:1' },
            },
          ],
          properties: { summary: { files: 1, resources: 1, errors: 1, warnings: 1 } },
        },
      ],
    })
  })

  it('uses the code as the description of an undocumented rule and leaves out informationUri when not given', () => {
    const log = parse(renderSarif([diagnostic({ code: 'PS9999' })], allValid, { toolVersion: '1.2.3' }))
    expect(log.runs[0]!.tool.driver).toEqual({
      name: 'planspec',
      version: '1.2.3',
      semanticVersion: '1.2.3',
      rules: [{ id: 'PS9999', shortDescription: { text: 'PS9999' }, fullDescription: { text: 'PS9999' }, help: { text: 'PS9999', markdown: 'PS9999' }, defaultConfiguration: { level: 'error' } }],
    })
  })

  it('sorts rules by code whatever the order of diagnostics, and takes the default level from the first', () => {
    const diagnostics = [
      diagnostic({ code: 'PS3002', severity: 'warning' }),
      diagnostic({ code: 'PS1001' }),
      diagnostic({ code: 'PS3002', severity: 'error' }),
    ]
    const run = parse(renderSarif(diagnostics, allValid, { toolVersion: '0.1.0' })).runs[0]!
    expect(run.tool.driver.rules.map((r) => [r.id, (r as unknown as { defaultConfiguration: unknown }).defaultConfiguration])).toEqual([
      ['PS1001', { level: 'error' }],
      ['PS3002', { level: 'warning' }],
    ])
    expect(run.results.map((r) => [r.ruleId, r.ruleIndex])).toEqual([['PS3002', 1], ['PS1001', 0], ['PS3002', 1]])
  })

  it('keeps a fingerprint when the finding moves, changes it with code, file or path, and numbers repeats', () => {
    const base = diagnostic({ path: '/spec/goalRef' })
    const fingerprints = parse(
      renderSarif(
        [
          base,
          diagnostic({ path: '/spec/goalRef', line: 40, column: 9, endLine: 40, endColumn: 12 }),
          diagnostic({ path: '/spec/other' }),
          diagnostic({ path: '/spec/goalRef', code: 'PS3002' }),
          diagnostic({ path: '/spec/goalRef', file: 'plans/other.yaml' }),
          diagnostic({ path: '/spec/goalRef', file: './plans\\release.yaml' }),
        ],
        allValid,
        { toolVersion: '0.1.0' },
      ),
    ).runs[0]!.results.map((r) => r.partialFingerprints['primaryLocationLineHash'] as string)
    const [hash] = fingerprints[0]!.split(':')
    expect(fingerprints[0]).toBe(`${hash}:1`)
    expect(fingerprints[1]).toBe(`${hash}:2`)
    expect(fingerprints[5]).toBe(`${hash}:3`)
    expect(new Set(fingerprints.map((f) => f.split(':')[0])).size).toBe(4)
    // 64-bit FNV-1a of ["PS3001","plans/release.yaml","/spec/goalRef"], checked independently; pinned
    // because changing the hash reopens every alert in code scanning.
    expect(hash).toBe('dc2eb8e80c9234c4')
  })

  it('writes repository-relative URIs under %SRCROOT%, file: URIs for absolute paths, and - for stdin', () => {
    const files = ['.\\plans\\release.yaml', './././plans/a b#1?.yaml', 'C:\\repo\\x y.yaml', '/abs/日本.yaml', '-']
    const run = parse(renderSarif(files.map((file) => diagnostic({ file })), allValid, { toolVersion: '0.1.0' })).runs[0]!
    expect(run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation)).toEqual([
      { uri: 'plans/release.yaml', uriBaseId: '%SRCROOT%' },
      { uri: 'plans/a%20b%231%3F.yaml', uriBaseId: '%SRCROOT%' },
      { uri: 'file:///C:/repo/x%20y.yaml' },
      { uri: 'file:///abs/%E6%97%A5%E6%9C%AC.yaml' },
      { uri: '-' },
    ])
  })

  it('documents each rule from the catalog: Markdown help with the example, and a link to its docs heading', () => {
    const doc = ruleDocs.get('PS3001')!
    expect(doc).toMatchObject({ shortDescription: 'dependsOn names an unknown node', fullDescription: 'Every dependsOn entry must name a node of the Plan (G7).', helpText: 'Every dependsOn entry must name a node of the Plan (G7).' })
    expect(doc.helpMarkdown).toBe('**PS3001: dependsOn names an unknown node**\n\nEvery dependsOn entry must name a node of the Plan (G7).\n\nExample:\n\n```yaml\ndependsOn: [missing]\n```\n\nSee [PS3001 in the PlanSpec diagnostics](https://example.test/docs/diagnostics.md#ps3001-dependson-names-an-unknown-node).')
    expect(ruleDocs.get('PS1008')!.helpMarkdown).toBe('**PS1008: Empty file**\n\nThe file holds no YAML documents.\n\nSee [PS1008 in the PlanSpec diagnostics](https://example.test/docs/diagnostics.md#ps1008-empty-file).')
    const fenced = sarifRuleDocs({ PS1: { title: 'T', help: 'a *b* <c>', example: 'x: ```' } }, 'u').get('PS1')!
    expect(fenced.helpMarkdown).toBe('**PS1: T**\n\na \\*b\\* \\<c\\>\n\nExample:\n\n````yaml\nx: ```\n````\n\nSee [PS1 in the PlanSpec diagnostics](u#ps1-t).')
    expect(githubAnchor('PS2001: Unknown field (`x`), "quoted" & über_1')).toBe('ps2001-unknown-field-x-quoted--über_1')
  })

  it('keeps regions valid: positive, and an end that is not before the start', () => {
    const diagnostics = [
      diagnostic({ line: 0, column: 0, endLine: 0, endColumn: 0 }),
      diagnostic({ line: 5, column: 8, endLine: 3, endColumn: 2 }),
      diagnostic({ line: 5, column: 8, endLine: 7, endColumn: 2 }),
      diagnostic({ line: 5, column: 8, endLine: 7, endColumn: 0 }),
    ]
    const run = parse(renderSarif(diagnostics, allValid, { toolVersion: '0.1.0' })).runs[0]!
    expect(run.results.map((r) => r.locations[0]!.physicalLocation.region)).toEqual([
      { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
      { startLine: 5, startColumn: 8, endLine: 5, endColumn: 8 },
      { startLine: 5, startColumn: 8, endLine: 7, endColumn: 2 },
      { startLine: 5, startColumn: 8, endLine: 7, endColumn: 1 },
    ])
  })

  it('prints an empty run when there are no diagnostics', () => {
    const log = parse(renderSarif([], allValid, { toolVersion: '0.1.0' }))
    expect(log.runs).toHaveLength(1)
    expect(log.runs[0]!.tool.driver.rules).toEqual([])
    expect(log.runs[0]!.results).toEqual([])
  })

  it('puts only the four summary counts in the property bag', () => {
    const summary = { ...allValid, secret: 'x' }
    expect(renderSarif([], summary, { toolVersion: '0.1.0' })).not.toContain('secret')
  })
})
