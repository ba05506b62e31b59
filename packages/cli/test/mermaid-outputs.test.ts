import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { launchMermaidBrowser, type MermaidBrowser } from '@planspec/testing'
import { createValidator } from '@planspec/validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli } from './helpers.js'

const EXAMPLES = ['examples/minimal', 'examples/google-sso', 'examples/multi-team']

/** The resources of one kind in an example, as the validator reads them. */
function resourcesOf(example: string, kind: string): { name: string; namespace: string }[] {
  const root = join(import.meta.dirname, '../../..', example)
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (path.endsWith('.yaml') && !path.endsWith('.planspec.yaml')) files.push(path)
    }
  }
  walk(root)
  const result = createValidator().validate(files.map((file) => ({ file, bytes: readFileSync(file) })))
  return result.resources.filter((r) => r.kind === kind).map((r) => ({ name: r.name, namespace: r.namespace }))
}

describe('every Mermaid diagram planspec draws for the examples renders in mermaid (headless Chromium)', () => {
  let browser: MermaidBrowser
  beforeAll(async () => {
    browser = await launchMermaidBrowser()
  }, 120_000)
  afterAll(async () => browser?.close())

  it.each(EXAMPLES)('%s: graph -o mermaid for every Plan, simulate -o mermaid for every Execution', { timeout: 180_000 }, async (example) => {
    const plans = resourcesOf(example, 'Plan')
    const executions = resourcesOf(example, 'Execution')
    expect(plans.length).toBeGreaterThan(0)
    for (const plan of plans) {
      const { code, stdout } = await cli(['graph', example, '--plan', plan.name, '-n', plan.namespace, '-o', 'mermaid'])
      expect({ plan: plan.name, code }).toEqual({ plan: plan.name, code: 0 })
      const render = await browser.renderMermaid(stdout)
      expect({ plan: plan.name, error: render.error }).toEqual({ plan: plan.name, error: undefined })
    }
    for (const execution of executions) {
      const { stdout } = await cli(['simulate', example, '--execution', execution.name, '-n', execution.namespace, '-o', 'mermaid'])
      const render = await browser.renderMermaid(stdout)
      expect({ execution: execution.name, error: render.error }).toEqual({ execution: execution.name, error: undefined })
      expect(render.texts.some((t) => /^(\+\d\d:\d\d|day \d+(, \d\d:\d\d)?|year \d+, day \d+)$/.test(t))).toBe(true)
      expect(render.texts.join('\n')).not.toMatch(/\blayer \d/)
    }
  })
})
