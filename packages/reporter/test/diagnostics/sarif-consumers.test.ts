import { checkSarifSchema, runSarifMultitool } from '@planspec/testing'
import { describe, expect, it } from 'vitest'
import { renderSarif } from '../../src/diagnostics/render-sarif.js'
import { sarifRuleDocs } from '../../src/diagnostics/sarif-rule-docs.js'
import { diagnostic, oneErrorOneWarning, twoDiagnostics } from '../fixtures/diagnostics.js'

const catalog = {
  PS3001: { title: 'dependsOn names an unknown node', help: 'Every dependsOn entry must name a node of the Plan (G7).', example: 'dependsOn: [missing]' },
  PS2004: { title: 'Duration without a unit', help: 'Durations are Go style: `90s`, `1h30m`.', example: 'timeout: 45' },
  PS1001: { title: 'YAML syntax error', help: 'The file is not well-formed YAML.', example: 'a: [' },
}
const options = { toolVersion: '0.1.0', informationUri: 'https://example.test/planspec', ruleDocs: sarifRuleDocs(catalog, 'https://example.test/planspec/blob/main/docs/diagnostics.md') }
const diagnostics = [
  ...twoDiagnostics,
  diagnostic({ code: 'PS1001', file: 'plans/a b/x#1.yaml', line: 3, column: 1, endLine: 4, endColumn: 1 }),
  diagnostic({ code: 'PS1001', file: '-', message: 'from stdin' }),
  diagnostic({ code: 'PS1001', file: '/outside/repo.yaml' }),
]

describe('SARIF for GitHub code scanning, checked by its consumers', () => {
  const text = renderSarif(diagnostics, oneErrorOneWarning, options)

  it('validates against the official OASIS SARIF 2.1.0 schema', () => {
    expect(checkSarifSchema(JSON.parse(text))).toEqual([])
    expect(checkSarifSchema(JSON.parse(renderSarif([], oneErrorOneWarning, { toolVersion: '0.1.0' })))).toEqual([])
  })

  it("passes the SARIF Multitool's GitHub (Ghas) and SARIF rules without a single finding", { timeout: 240_000 }, () => {
    const problems = runSarifMultitool(text)
    expect(problems).toEqual([])
  })

  it('fails those rules without the rule documentation GitHub requires (the check can fail)', { timeout: 240_000 }, () => {
    const problems = runSarifMultitool(renderSarif(twoDiagnostics, oneErrorOneWarning, { toolVersion: '0.1.0' }))
    expect(problems.map((p) => p.rule)).toContain('SARIF2005')
  })
})
