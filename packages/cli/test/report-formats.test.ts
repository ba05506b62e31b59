import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkSarifSchema, checkXmlSchema, JUNIT_SCHEMAS, runSarifMultitool } from '@planspec/testing'
import { describe, expect, it } from 'vitest'
import { GOAL, REPO, tempTree } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const BAD = GOAL.replace('name: ok', 'name: Not_OK') + '  timeout: 7d\n'

/** Runs the bundled `planspec` as a user does: a child process, argv only. */
function planspec(args: string[], options: { cwd: string; input?: string; env?: Record<string, string> }): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd, input: options.input ?? '', encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: options.cwd, ...options.env }, timeout: 60_000 })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** A git repository with manifests in a subfolder: SARIF must name files from its root. */
function repository(files: Record<string, string>): string {
  const dir = tempTree(files)
  expect(spawnSync('git', ['init', '-q', dir]).status).toBe(0)
  return dir
}

describe('planspec validate -o sarif|junit|github for their consumers (bundled binary)', () => {
  it('writes SARIF that the OASIS schema and the Multitool GitHub rules accept, with URIs from the repository root', { timeout: 240_000 }, () => {
    const dir = repository({ 'plans/goal.yaml': BAD, 'plans/broken.yaml': 'a: [\n', 'plans/ok.yaml': GOAL.replace('name: ok', 'name: fine') })
    const { code, stdout } = planspec(['validate', '.', '-o', 'sarif'], { cwd: join(dir, 'plans') })
    expect(code).toBe(1)
    const log = JSON.parse(stdout)
    expect(checkSarifSchema(log)).toEqual([])
    expect(runSarifMultitool(stdout)).toEqual([])
    const locations = log.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: unknown } }[] }) => r.locations[0]?.physicalLocation.artifactLocation)
    expect(locations).toContainEqual({ uri: 'plans/goal.yaml', uriBaseId: '%SRCROOT%' })
    const rule = log.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'PS2009')
    expect(rule).toMatchObject({ fullDescription: { text: expect.any(String) }, help: { text: expect.any(String), markdown: expect.stringContaining('**PS2009') }, helpUri: expect.stringMatching(/\/docs\/diagnostics\.md#ps2009-/) })
    expect(log.runs[0].results[0].partialFingerprints).toEqual({ primaryLocationLineHash: expect.stringMatching(/^[0-9a-f]{16}:1$/) })
  })

  it('names stdin "-", or what --stdin-filename says, in SARIF too', () => {
    const dir = repository({ 'x.txt': '' })
    const plain = JSON.parse(planspec(['validate', '-', '-o', 'sarif'], { cwd: dir, input: BAD }).stdout)
    expect(plain.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: '-' })
    const named = JSON.parse(planspec(['validate', '-', '-o', 'sarif', '--stdin-filename', 'plans/goal.yaml'], { cwd: dir, input: BAD }).stdout)
    expect(named.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'plans/goal.yaml', uriBaseId: '%SRCROOT%' })
  })

  it('writes JUnit that the Jenkins and Ant schemas accept, with one case per resource even for twins', () => {
    const twins = `${GOAL}---\n${GOAL.replace('A fine goal', 'Another')}  bogus: 1\n`
    const dir = tempTree({ 'twins.yaml': twins, 'warn.yaml': GOAL.replace('name: ok', 'name: w') + '  timeout: 7d\n', 'broken.yaml': 'a: [\n' })
    // --strict: broken.yaml names no planspec.io apiVersion, and would be skipped otherwise.
    const { stdout } = planspec(['validate', '.', '-o', 'junit', '--compat', '--strict'], { cwd: dir })
    expect(checkXmlSchema(stdout, JUNIT_SCHEMAS.jenkins)).toEqual([])
    expect(checkXmlSchema(stdout, JUNIT_SCHEMAS.ant)).toEqual([])
    expect(stdout).toContain('<testcase classname="planspec.Goal" name="ok (twins.yaml, document 1)" time="0"/>')
    expect(stdout).toMatch(/<testcase classname="planspec\.Goal" name="ok \(twins\.yaml, document 2\)" time="0">\n {4}<failure message="[^"]*" type="PS4002">[^<]*unknown field &quot;bogus&quot;<\/failure>/)
    expect(stdout).toMatch(/<testcase classname="planspec\.Goal" name="w \(warn\.yaml\)" time="0">\n {4}<skipped message="1 warning: /)
    expect(stdout).toMatch(/<testcase classname="planspec\.File" name="broken\.yaml" time="0">\n {4}<failure [^>]*type="PS1001"/)
    expect(stdout).toMatch(/<testsuite [^>]*timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" hostname="[^"]+"/)
  })

  it('ranks GitHub annotations and ends a multi-line finding on its last line', () => {
    const files: Record<string, string> = {}
    for (let i = 0; i < 12; i++) files[`g${String(i).padStart(2, '0')}.yaml`] = GOAL.replace('name: ok', `name: g${i}`) + '  bogus: 1\n'
    files['a-broken.yaml'] = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: x\nspec: [\n'
    const dir = tempTree(files)
    const lines = planspec(['validate', '.', '-o', 'github'], { cwd: dir }).stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^::error file=a-broken\.yaml,.*title=PS1001::/)
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(10)
    expect(lines.at(-1)).toMatch(/^::notice title=PlanSpec::3 more errors are not annotated/)
    for (const line of lines.filter((l) => l.startsWith('::error '))) {
      const props = Object.fromEntries(/^::error ([^:]*)::/.exec(line)![1]!.split(',').map((p) => p.split('=')))
      if (props['col'] !== undefined) expect(Number(props['endColumn'])).toBeGreaterThanOrEqual(Number(props['col']))
      expect(Number(props['endLine'])).toBeGreaterThanOrEqual(Number(props['line']))
    }
  })

  it.each(['json', 'sarif', 'junit'])('prints a valid %s document with exit 2 for a missing path, no YAML file or an unreadable file', (format) => {
    const dir = tempTree({ 'docs/readme.txt': 'x', 'good.yaml': GOAL })
    mkdirSync(join(dir, 'empty'))
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'dangling.yaml'))
    writeFileSync(join(dir, 'locked.yaml'), GOAL.replace('name: ok', 'name: locked'))
    chmodSync(join(dir, 'locked.yaml'), 0)
    for (const [args, code] of [
      [['no/such/dir'], 'PS1012'],
      [['docs'], 'PS1013'],
      [['dangling.yaml'], 'PS1010'],
      [['good.yaml', 'no/such/dir'], 'PS1012'],
    ] as const) {
      const run = planspec(['validate', ...args, '-o', format], { cwd: dir })
      expect({ args, code: run.code }).toEqual({ args, code: 2 })
      expect(run.stderr).not.toBe('')
      if (format === 'json') expect(JSON.parse(run.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain(code)
      if (format === 'sarif') {
        const log = JSON.parse(run.stdout)
        expect(checkSarifSchema(log)).toEqual([])
        expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain(code)
      }
      if (format === 'junit') {
        expect(checkXmlSchema(run.stdout, JUNIT_SCHEMAS.ant)).toEqual([])
        expect(run.stdout).toContain(`type="${code}"`)
      }
    }
  })
})
