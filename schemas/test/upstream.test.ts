import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { errorsOf, repoRoot, summarize } from './support.js'

// Conformance inputs copied from the upstream project; see ../shared/upstream-examples/SOURCE.md for
// which of them are expected to pass the strict rules.
const ROOT = resolve(repoRoot, '../shared/upstream-examples')

const docsOf = (file: string): { kind: string; name: string; doc: unknown }[] =>
  YAML.parseAllDocuments(readFileSync(resolve(ROOT, file), 'utf8')).flatMap((d) => {
    expect(d.errors, file).toEqual([])
    const doc = d.toJSON() as { kind: string; metadata: { name: string } } | null
    return doc ? [{ kind: doc.kind, name: doc.metadata.name, doc }] : []
  })

const inDir = (dir: string): string[] =>
  readdirSync(resolve(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${dir}/${f}`)

describe.skipIf(!existsSync(ROOT))('upstream examples', () => {
  const passing = [
    'docs/examples/canonical-feature-release.yaml',
    'docs/examples/capability-lib.yaml',
    'docs/examples/gate-approval.yaml',
    'docs/examples/plan-with-gates.yaml',
    'docs/examples/simple-goal.yaml',
    'docs/examples/task-with-acceptance.yaml',
    ...(existsSync(ROOT) ? inDir('docs/planspec/bindings') : []),
    ...(existsSync(ROOT) ? inDir('docs/planspec/capabilities').filter((f) => !f.endsWith('/testing.yaml')) : []),
    // "most docs/planspec/goals/*": all but the two that use the non-schema key `objectives`.
    ...(existsSync(ROOT)
      ? inDir('docs/planspec/goals').filter((f) => !/(cli-batch-edit-features|schema-gate-and-acceptance)\.yaml$/.test(f))
      : []),
  ]

  it.each(passing)('%s passes the strict schemas', (file) => {
    const docs = docsOf(file)
    expect(docs.length).toBeGreaterThan(0)
    for (const { kind, name, doc } of docs) {
      const errors = errorsOf(doc)
      expect(errors, `${kind} ${name}:\n${summarize(errors)}`).toEqual([])
    }
  })

  it.each([
    ['docs/planspec/capabilities/testing.yaml', 'code-execution', '/spec/outputs/0/type', 'enum'],
    ['docs/planspec/goals/cli-batch-edit-features.yaml', 'cli-batch-edit-features', '/spec', 'additionalProperties'],
    ['docs/planspec/goals/schema-gate-and-acceptance.yaml', 'schema-gate-and-acceptance', '/spec', 'additionalProperties'],
    ['docs/examples/apiserver-lite.yaml', 'implement-apiserver-lite', '/spec/timeout', 'pattern'],
    ['docs/planspec/plans/planspec-v0-goal-graph.yaml', 'planspec-v0-goal-graph', '/spec/graph/nodes/4', 'unevaluatedProperties'],
    ['docs/planspec/fixtures/v0.1.0/capabilities.yaml', 'code-generation', '/spec/requirements/0', 'additionalProperties'],
  ])('%s: %s fails at %s (%s), a known legacy shape', (file, name, instancePath, keyword) => {
    const found = docsOf(file).find((d) => d.name === name)
    expect(found).toBeDefined()
    const errors = errorsOf(found?.doc)
    expect(errors.some((e) => e.instancePath === instancePath && e.keyword === keyword), summarize(errors)).toBe(true)
  })
})
