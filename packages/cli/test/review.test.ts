import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { cli, GOAL, REPO } from './helpers.js'

const HOME = mkdtempSync(join(tmpdir(), 'planspec-review-home-'))
// Pinned identity and dates, no system or user config: the same commits give the same SHAs.
const ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'PlanSpec Test',
  GIT_AUTHOR_EMAIL: 'test@planspec.io',
  GIT_COMMITTER_NAME: 'PlanSpec Test',
  GIT_COMMITTER_EMAIL: 'test@planspec.io',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
}

/** Runs native git with an argv array (never a shell) and returns its trimmed stdout. */
function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, env: ENV, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout.trim()
}

/** Commits everything in the repository. */
function commit(dir: string, message: string): string {
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '--no-gpg-sign', '-m', message)
  return git(dir, 'rev-parse', 'HEAD')
}

/** Rewrites a file of the repository. */
function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file)
  writeFileSync(path, change(readFileSync(path, 'utf8')))
}

const PLAN = 'planspec/plans/publish-changelog.yaml'
const GATE = 'planspec/gates/changelog-approval.yaml'

/** Inserts a `lint` task between `draft` and the editor's approval. */
const addLint = (text: string): string =>
  text.replace(
    '      - id: editor-approval\n        kind: Gate\n        name: Editor approves the draft\n        dependsOn: [draft]',
    '      - id: lint\n        kind: Task\n        name: Lint the draft\n        dependsOn: [draft]\n        capabilityRefs:\n          - name: changelog-automation\n\n      - id: editor-approval\n        kind: Gate\n        name: Editor approves the draft\n        dependsOn: [lint]',
  )

let dir: string
let base: string

beforeEach(() => {
  // The minimal example as the base commit, plus a YAML file that .planspec.yaml leaves out.
  dir = mkdtempSync(join(tmpdir(), 'planspec-review-'))
  git(dir, 'init', '-q', '-b', 'main')
  cpSync(join(REPO, 'examples/minimal'), dir, { recursive: true })
  writeFileSync(join(dir, 'ci.yaml'), 'not: [a, planspec, file\n')
  base = commit(dir, 'base')
})

describe('planspec review', () => {
  it('reviews the working tree against a base: graph changes, approvers, providers and the simulated run', async () => {
    edit(dir, PLAN, addLint)
    edit(dir, GATE, (t) => t.replace('reviewers: ["team:acme/editors"]\n  requiredApprovers: 1', 'reviewers: ["team:acme/editors", "user:octocat"]\n  requiredApprovers: 2'))
    const { code, stdout, stderr } = await cli(['review', '--base', 'main'], { cwd: dir, env: ENV })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toBe(
      [
        `review of main (${base.slice(0, 12)}) → working tree`,
        'changes: Plan 1 changed; Gate 1 changed',
        'validation of head: 0 errors, 0 warnings in 6 files (6 resources)',
        '',
        'changed plan/default/publish-changelog: nodes +1 -0 ~0 rewired 1; dependencies +2 -1 retyped 0',
        '  + node lint (Task)',
        '  ~ node editor-approval (Gate): waits on different nodes',
        '  + dependency draft → lint (hard)',
        '  + dependency lint → editor-approval (hard)',
        '  - dependency draft → editor-approval (hard)',
        '',
        'providers:',
        '  execution/default/changelog-2025-w10 node lint capability default/changelog-automation: (new) → unbound (NoMatchingRule)',
        '',
        'approvers:',
        '  changed gate/default/changelog-approval: reviewers team:acme/editors, user:octocat [+user:octocat]; approvals 1 → 2',
        '',
        'resources:',
        '  ~ plan/default/publish-changelog (spec.graph)',
        '  ~ gate/default/changelog-approval (spec.requiredApprovers, spec.reviewers)',
        '',
        'simulated execution/default/changelog-2025-w10 (touched: plan, gate): Failed',
        '  layers: 1: collect | 2: draft | 3: lint | 4: editor-approval | 5: publish',
        '  critical path: collect → draft → lint → editor-approval → publish (4m at most)',
        '  gate editor-approval waits on Gate changelog-approval: 2 approvals from team:acme/editors, user:octocat (never the author of the change)',
        '  error PS4012 at node lint: no rule of binding "changelog-providers" matches capability "changelog-automation" of node "lint"',
        '',
      ].join('\n'),
    )
  })

  it('reviews two revisions as JSON, with files named by their path in the repository', async () => {
    edit(dir, 'planspec/bindings/changelog-providers.yaml', (t) => t.replace('provider: noop://publish-post', 'provider: human://editors'))
    const head = commit(dir, 'route publishing to the editors')
    // The working tree differs again, and must not matter with --head.
    edit(dir, PLAN, addLint)
    const { code, stdout } = await cli(['review', '.', '--base', 'HEAD~1', '--head', 'HEAD', '-o', 'json'], { cwd: dir, env: ENV })
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(Object.keys(report)).toEqual(['base', 'head', 'diff', 'simulations'])
    expect(report.base).toEqual({ ref: 'HEAD~1', commit: base, summary: { files: 6, resources: 6, errors: 0, warnings: 0 } })
    expect(report.head).toMatchObject({ ref: 'HEAD', commit: head, diagnostics: [] })
    expect(report.diff.resources).toEqual([{ subject: 'binding/default/changelog-providers', kind: 'Binding', namespace: 'default', name: 'changelog-providers', action: 'changed', fields: ['spec.rules'], file: 'planspec/bindings/changelog-providers.yaml' }])
    expect(report.diff.bindings).toEqual([
      {
        execution: 'execution/default/changelog-2025-w10',
        plan: 'plan/default/publish-changelog',
        nodeId: 'publish',
        capability: 'default/changelog-automation',
        action: 'changed',
        before: { outcome: 'bound', provider: 'noop://publish-post', binding: 'binding/default/changelog-providers', ruleIndex: 2 },
        after: { outcome: 'bound', provider: 'human://editors', binding: 'binding/default/changelog-providers', ruleIndex: 2 },
        configChanged: false,
      },
    ])
    expect(report.simulations).toHaveLength(1)
    expect(report.simulations[0]).toMatchObject({ execution: 'execution/default/changelog-2025-w10', reasons: ['binding'], report: { outcome: 'Succeeded', order: ['collect', 'draft', 'publish'] } })
    expect(report.simulations[0].report.nodes.find((n: { id: string }) => n.id === 'publish')).toMatchObject({ provider: 'human://editors', note: 'waits for a worker to claim and complete it' })
  })

  it('prints a GitHub Markdown review with the DAG, the diff and the gates to approve', async () => {
    edit(dir, PLAN, addLint)
    const { code, stdout } = await cli(['review', '--base', 'main', '-o', 'markdown'], { cwd: dir, env: ENV })
    expect(code).toBe(0)
    expect(stdout.startsWith(`## PlanSpec review\n\nComparing base \`main\` (\`${base.slice(0, 12)}\`) → head \`working tree\``)).toBe(true)
    expect(stdout).toContain('| ➕ added | `lint` Lint the draft | Task | — |')
    expect(stdout).toContain('  lint["+ Lint the draft"]')
    expect(stdout).toContain('| `execution/default/changelog-2025-w10` | `editor-approval` | `changelog-approval` | 1 | `team:acme/editors` |')
    expect(stdout).toContain('| `execution/default/changelog-2025-w10` | `lint` | `PS4012` |')
    expect(stdout.length).toBeLessThanOrEqual(65_535)
  })

  it('exits 1 when head has validation errors, lists them and skips the simulation', async () => {
    edit(dir, PLAN, (t) => addLint(t).replace('dependsOn: [lint]', 'dependsOn: [lint, nowhere]'))
    const { code, stdout } = await cli(['review', '--base', 'main'], { cwd: dir, env: ENV })
    expect(code).toBe(1)
    expect(stdout).toContain('simulation skipped: head has 1 validation error')
    expect(stdout).toMatch(/planspec\/plans\/publish-changelog\.yaml:\d+:\d+: error PS3\d{3}: .*"nowhere"/)
    const json = JSON.parse((await cli(['review', '--base', 'main', '-o', 'json'], { cwd: dir, env: ENV })).stdout)
    expect(json.simulationSkipped).toBe('head has 1 validation error')
    expect(json.simulations).toEqual([])
    const markdown = await cli(['review', '--base', 'main', '-o', 'markdown'], { cwd: dir, env: ENV })
    expect(markdown.code).toBe(1)
    expect(markdown.stdout).toContain('- **Touched executions:** 1 execution, not simulated: head has 1 validation error\n')
    expect(markdown.stdout).toMatch(/\| ✖ error \| `PS3\d{3}` \| `planspec\/plans\/publish-changelog\.yaml:\d+` \| `Plan\/publish-changelog` \|/)
  })

  it('reviews only the given path, and follows the .planspec.yaml of each revision', async () => {
    edit(dir, PLAN, addLint)
    edit(dir, GATE, (t) => t.replace('requiredApprovers: 1', 'requiredApprovers: 2'))
    const plansOnly = JSON.parse((await cli(['review', 'planspec/plans', '--base', 'main', '-o', 'json'], { cwd: dir, env: ENV })).stdout)
    expect(plansOnly.diff.resources.map((r: { subject: string }) => r.subject)).toEqual(['plan/default/publish-changelog'])
    expect(plansOnly.base.summary.files).toBe(1)
    // The head's config moves every resource to another namespace: all removed, all added.
    writeFileSync(join(dir, '.planspec.yaml'), 'namespace: team\npaths: ["planspec/**/*.yaml"]\n')
    commit(dir, 'namespace team')
    const moved = JSON.parse((await cli(['review', '--base', base, '--head', 'HEAD', '-o', 'json'], { cwd: dir, env: ENV })).stdout)
    expect(moved.diff.counts).toEqual([
      { kind: 'Goal', added: 1, removed: 1, changed: 0, renamed: 0 },
      { kind: 'Plan', added: 1, removed: 1, changed: 0, renamed: 0 },
      { kind: 'Capability', added: 1, removed: 1, changed: 0, renamed: 0 },
      { kind: 'Binding', added: 1, removed: 1, changed: 0, renamed: 0 },
      { kind: 'Gate', added: 1, removed: 1, changed: 0, renamed: 0 },
      { kind: 'Execution', added: 1, removed: 1, changed: 0, renamed: 0 },
    ])
  })

  it('reads revisions from git objects: symbolic links are not followed, oversize blobs not read', async () => {
    rmSync(join(dir, 'planspec/goals/weekly-changelog.yaml'))
    symlinkSync('/etc/hostname', join(dir, 'planspec/goals/weekly-changelog.yaml'))
    writeFileSync(join(dir, 'planspec/big.yaml'), `${GOAL}# ${'x'.repeat(1024 * 1024)}\n`)
    commit(dir, 'a link and a big file')
    const { code, stdout } = await cli(['review', '--base', base, '--head', 'HEAD', '-o', 'json'], { cwd: dir, env: ENV })
    expect(code).toBe(2)
    const report = JSON.parse(stdout)
    expect(report.head.diagnostics.filter((d: { code: string }) => d.code.startsWith('PS1')).map((d: { code: string; file: string; message: string }) => [d.code, d.file, d.message])).toEqual([
      ['PS1006', 'planspec/big.yaml', 'file is 1.0 MiB, larger than the 1 MiB limit; it was not read'],
      ['PS1010', 'planspec/goals/weekly-changelog.yaml', 'cannot read file: symbolic link in the tree; not followed'],
    ])
    expect(report.diff.resources.map((r: { subject: string; action: string }) => `${r.action} ${r.subject}`)).toEqual(['removed goal/default/weekly-changelog'])
  })

  it('reports an Execution that cannot be simulated instead of failing the review', async () => {
    writeFileSync(join(dir, 'planspec/executions/orphan.yaml'), 'apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata:\n  name: orphan\nspec:\n  planRef:\n    name: elsewhere\n')
    const { code, stdout } = await cli(['review', '--base', 'main', '-o', 'json'], { cwd: dir, env: ENV })
    expect(code).toBe(0)
    expect(JSON.parse(stdout).simulations).toEqual([{ execution: 'execution/default/orphan', reasons: ['added'], error: 'Plan "default/elsewhere" of Execution "orphan" is not in the files' }])
  })

  it('says there is nothing to review when nothing changed', async () => {
    const { code, stdout } = await cli(['review', '--base', 'main'], { cwd: dir, env: ENV })
    expect(code).toBe(0)
    expect(stdout).toBe(`review of main (${base.slice(0, 12)}) → working tree\nchanges: none\nvalidation of head: 0 errors, 0 warnings in 6 files (6 resources)\n`)
  })

  it('exits 2 on usage and git errors, without running git on an option-like ref', async () => {
    const run = (args: string[], cwd = dir, env = ENV): Promise<{ code: number; stderr: string }> => cli(['review', ...args], { cwd, env })
    expect(await run(['--base', 'no-such-branch'])).toMatchObject({ code: 2, stderr: 'error: unknown git revision "no-such-branch"\n' })
    expect(await run(['--base', '--upload-pack=touch pwned'])).toMatchObject({ code: 2 })
    expect(await run(['--base=--output=pwned'])).toMatchObject({ code: 2, stderr: 'error: invalid git ref "--output=pwned"\n' })
    expect(await run(['--base', 'main', '--head', '-x'])).toMatchObject({ code: 2 })
    expect(await run(['missing-dir', '--base', 'main'])).toMatchObject({ code: 2, stderr: 'error: path not found: missing-dir\n' })
    expect(await run(['--base', 'main', '-o', 'yaml'])).toMatchObject({ code: 2 })
    expect(await run([])).toMatchObject({ code: 2 })
    const outside = mkdtempSync(join(tmpdir(), 'planspec-not-a-repo-'))
    expect((await run(['--base', 'main'], outside)).stderr).toMatch(/^error: git rev-parse failed: fatal: not a git repository/)
    expect(await run([outside, '--base', 'main'])).toMatchObject({ code: 2 })
    expect(await run(['--base', 'main'], dir, { HOME, PATH: outside })).toMatchObject({ code: 2, stderr: 'error: git was not found on PATH; planspec review reads revisions with git\n' })
    mkdirSync(join(dir, 'sub'))
    expect(await run(['..', '--base', 'main'], join(dir, 'sub'))).toMatchObject({ code: 0 })
    expect((await run(['../..', '--base', 'main'], join(dir, 'sub'))).stderr).toMatch(/^error: git rev-parse failed: fatal: not a git repository/)
    expect(await run(['../nowhere', '--base', 'main'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: \.\.\/nowhere is outside the git repository at /) })
    expect(spawnSync('ls', [dir]).stdout.toString()).not.toContain('pwned')
  })

  it('reports a broken .planspec.yaml at a revision as a usage error', async () => {
    writeFileSync(join(dir, '.planspec.yaml'), 'paths: [unclosed\n')
    commit(dir, 'broken config')
    const { code, stderr } = await cli(['review', '--base', 'HEAD', '--head', 'HEAD'], { cwd: dir, env: ENV })
    expect(code).toBe(2)
    expect(stderr).toMatch(/^error: cannot read \.planspec\.yaml: /)
  })
})
