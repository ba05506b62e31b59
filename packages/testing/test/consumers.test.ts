import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkSarifSchema, checkXmlSchema, JUNIT_SCHEMAS, launchMermaidBrowser, runSarifMultitool, type MermaidBrowser } from '../src/index.js'

// Each checker must be able to fail: a checker that accepts anything proves nothing.
describe('the real consumers used by the report tests', () => {
  it('the OASIS SARIF schema refuses a run without a tool and accepts a minimal log', () => {
    expect(checkSarifSchema({ version: '2.1.0', runs: [{}] })).toEqual([expect.stringContaining("required property 'tool'")])
    expect(checkSarifSchema({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [] }] })).toEqual([])
  })

  it("the SARIF Multitool applies GitHub's ingestion rules", { timeout: 240_000 }, () => {
    const log = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x', rules: [{ id: 'R1', shortDescription: { text: 'r' } }] } }, results: [{ ruleId: 'R1', message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: '/tmp/a.yaml' }, region: { startLine: 1 } } }] }] }] }
    const rules = runSarifMultitool(JSON.stringify(log)).map((p) => p.rule)
    expect(rules).toEqual(expect.arrayContaining(['GH2012', 'SARIF1004']))
  })

  it('xmllint validates against the Jenkins and the Ant JUnit schemas', () => {
    const bare = '<testsuite name="x" tests="0" failures="0" errors="0"/>'
    expect(checkXmlSchema(bare, JUNIT_SCHEMAS.jenkins)).toEqual([])
    expect(checkXmlSchema(bare, JUNIT_SCHEMAS.ant).join('\n')).toContain("The attribute 'timestamp' is required")
    expect(checkXmlSchema('<testsuite', JUNIT_SCHEMAS.jenkins)).not.toEqual([])
  })

  describe('mermaid in headless Chromium', () => {
    let browser: MermaidBrowser
    beforeAll(async () => {
      browser = await launchMermaidBrowser()
    }, 120_000)
    afterAll(async () => browser?.close())

    it('renders a diagram and reports a parse error', async () => {
      const ok = await browser.renderMermaid('flowchart TD\n  a["first"] --> b["second"]')
      expect(ok.error).toBeUndefined()
      expect(ok.texts).toEqual(expect.arrayContaining(['first', 'second']))
      expect(ok.width).toBeGreaterThan(0)
      expect((await browser.renderMermaid('flowchart TD\n  a["x" --> b')).error).toMatch(/Parse error/)
    })
  })
})
