import { describe, expect, it } from 'vitest'
import { renderSarif } from '../../src/diagnostics/render-sarif.js'
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
const ruleDocs = new Map([
  ['PS3001', { shortDescription: 'dependsOn names an existing node', helpText: 'Every dependsOn entry must name a node of the same plan (G7).' }],
  ['PS2004', { shortDescription: 'durations carry a unit' }],
])

describe('renderSarif', () => {
  it('prints a SARIF 2.1.0 log with one run, one rule per code and one result per diagnostic', () => {
    const text = renderSarif(twoDiagnostics, oneErrorOneWarning, {
      toolVersion: '0.1.0',
      informationUri: 'https://planspec.io',
      ruleDocs,
    })
    expect(text.startsWith('{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",\n')).toBe(true)
    expect(text.endsWith('}\n')).toBe(true)
    expect(JSON.parse(text)).toEqual({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'planspec',
              version: '0.1.0',
              informationUri: 'https://planspec.io',
              rules: [
                { id: 'PS2004', shortDescription: { text: 'durations carry a unit' }, defaultConfiguration: { level: 'warning' } },
                {
                  id: 'PS3001',
                  shortDescription: { text: 'dependsOn names an existing node' },
                  help: { text: 'Every dependsOn entry must name a node of the same plan (G7).' },
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
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'plans/release.yaml' },
                    region: { startLine: 12, startColumn: 21, endLine: 12, endColumn: 26 },
                  },
                },
              ],
              partialFingerprints: { 'planspec/v1': 'bee4d873bd3264fc:1' },
            },
            {
              ruleId: 'PS2004',
              ruleIndex: 0,
              level: 'warning',
              message: { text: 'timeout has no unit; 45 is read as seconds' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'plans/release.yaml' },
                    region: { startLine: 9, startColumn: 18, endLine: 9, endColumn: 20 },
                  },
                },
              ],
              partialFingerprints: { 'planspec/v1': '7f48fa2feb22bb9f:1' },
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
      rules: [{ id: 'PS9999', shortDescription: { text: 'PS9999' }, defaultConfiguration: { level: 'error' } }],
    })
  })

  it('sorts rules by code whatever the order of diagnostics, and takes the default level from the first', () => {
    const diagnostics = [
      diagnostic({ code: 'PS3002', severity: 'warning' }),
      diagnostic({ code: 'PS1001' }),
      diagnostic({ code: 'PS3002', severity: 'error' }),
    ]
    const run = parse(renderSarif(diagnostics, allValid, { toolVersion: '0.1.0' })).runs[0]!
    expect(run.tool.driver.rules).toEqual([
      { id: 'PS1001', shortDescription: { text: 'PS1001' }, defaultConfiguration: { level: 'error' } },
      { id: 'PS3002', shortDescription: { text: 'PS3002' }, defaultConfiguration: { level: 'warning' } },
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
    ).runs[0]!.results.map((r) => r.partialFingerprints['planspec/v1'] as string)
    const [hash] = fingerprints[0]!.split(':')
    expect(fingerprints[0]).toBe(`${hash}:1`)
    expect(fingerprints[1]).toBe(`${hash}:2`)
    expect(fingerprints[5]).toBe(`${hash}:3`)
    expect(new Set(fingerprints.map((f) => f.split(':')[0])).size).toBe(4)
    // 64-bit FNV-1a of ["PS3001","plans/release.yaml","/spec/goalRef"], checked independently; pinned
    // because changing the hash reopens every alert in code scanning.
    expect(hash).toBe('dc2eb8e80c9234c4')
  })

  it('writes repository-relative URIs with forward slashes, percent-encoding each segment', () => {
    const files = ['.\\plans\\release.yaml', './././plans/a b#1?.yaml', 'C:\\repo\\x.yaml', '/abs/日本.yaml']
    const run = parse(renderSarif(files.map((file) => diagnostic({ file })), allValid, { toolVersion: '0.1.0' })).runs[0]!
    expect(run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual([
      'plans/release.yaml',
      'plans/a%20b%231%3F.yaml',
      'C%3A/repo/x.yaml',
      '/abs/%E6%97%A5%E6%9C%AC.yaml',
    ])
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
