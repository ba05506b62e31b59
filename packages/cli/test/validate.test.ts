import { chmodSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, GOAL, tempTree } from './helpers.js'

const BAD = GOAL.replace('name: ok', 'name: Not_OK') + '  timeout: 7d\n'

describe('planspec validate', () => {
  it('validates every example repository clean, in strict and closed mode', async () => {
    for (const example of ['examples/minimal', 'examples/google-sso', 'examples/multi-team', 'examples/ai-agents']) {
      const { code, stdout } = await cli(['validate', example, '--closed', '--warnings-as-errors'])
      expect(stdout, example).toMatch(/^✔ \d+ resources in \d+ files are valid\n$/)
      expect(code, example).toBe(0)
    }
  })

  it('prints compiler-style text with a code frame and exits 1 on findings', async () => {
    const dir = tempTree({ 'goal.yaml': BAD })
    const { code, stdout } = await cli(['validate', '.'], { cwd: dir })
    expect(code).toBe(1)
    expect(stdout).toContain('goal.yaml:4:9: error PS2009: "Not_OK" is not a DNS label')
    expect(stdout).toContain('  > 4 |   name: Not_OK\n')
    expect(stdout).toContain('goal.yaml:7:12: error PS5006: "7d" uses a day unit, which durations do not have; write "168h"')
    expect(stdout).toMatch(/✖ 2 errors, 0 warnings in 1 file/)
    expect(stdout).not.toContain('\u001b[')
  })

  it('colours only on a TTY, and never with NO_COLOR', async () => {
    const dir = tempTree({ 'goal.yaml': BAD })
    expect((await cli(['validate', '.'], { cwd: dir, tty: true })).stdout).toContain('\u001b[')
    expect((await cli(['validate', '.'], { cwd: dir, tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[')
  })

  it('prints exactly the documented JSON shape', async () => {
    const dir = tempTree({ 'goal.yaml': BAD, 'fine.yaml': GOAL.replace('name: ok', 'name: fine') })
    const { code, stdout } = await cli(['validate', '.', '-o', 'json'], { cwd: dir })
    expect(code).toBe(1)
    const json = JSON.parse(stdout)
    expect(Object.keys(json)).toEqual(['summary', 'diagnostics'])
    expect(json.summary).toEqual({ files: 2, resources: 2, errors: 2, warnings: 0 })
    expect(json.diagnostics[0]).toEqual({ code: 'PS2009', severity: 'error', message: expect.any(String), file: 'goal.yaml', line: 4, column: 9, endLine: 4, endColumn: 15, path: '/metadata/name', kind: 'Goal', name: 'Not_OK' })
  })

  it('accepts legacy shapes as warnings with --compat, and fails on them with --warnings-as-errors', async () => {
    const dir = tempTree({ 'goal.yaml': GOAL + '  timeout: 7d\n' })
    expect((await cli(['validate', '.', '--compat'], { cwd: dir })).code).toBe(0)
    expect((await cli(['validate', '.', '--compat', '--warnings-as-errors'], { cwd: dir })).code).toBe(1)
  })

  it('treats references outside the file set as warnings, and as errors with --closed', async () => {
    const plan = 'apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata: {name: p}\nspec:\n  description: d\n  goalRef: {name: elsewhere}\n  graph:\n    nodes: [{id: a, kind: Task}]\n'
    const dir = tempTree({ 'plan.yaml': plan })
    const open = await cli(['validate', '.', '-o', 'json'], { cwd: dir })
    expect(open.code).toBe(0)
    expect(JSON.parse(open.stdout).diagnostics.map((d: { code: string; severity: string }) => `${d.code}:${d.severity}`)).toEqual(['PS4001:warning'])
    const closed = await cli(['validate', '.', '--closed', '-o', 'json'], { cwd: dir })
    expect(closed.code).toBe(1)
  })

  it('reads stdin with "-"', async () => {
    const { code, stdout } = await cli(['validate', '-', '-o', 'json'], { stdin: BAD })
    expect(code).toBe(1)
    expect(JSON.parse(stdout).diagnostics[0].file).toBe('-')
    const named = await cli(['validate', '-', '-o', 'json', '--stdin-filename', 'plans/goal.yaml'], { stdin: BAD })
    expect(JSON.parse(named.stdout).diagnostics[0].file).toBe('plans/goal.yaml')
  })

  it('writes GitHub workflow commands', async () => {
    const dir = tempTree({ 'goal.yaml': BAD })
    const { stdout } = await cli(['validate', '.', '-o', 'github'], { cwd: dir })
    expect(stdout.split('\n')[0]).toMatch(/^::error file=goal\.yaml,line=4,col=9,endLine=4,endColumn=14,title=PS2009::"Not_OK" is not a DNS label/)
  })

  it('writes SARIF 2.1.0 with a rule per code', async () => {
    const dir = tempTree({ 'goal.yaml': BAD })
    const sarif = JSON.parse((await cli(['validate', '.', '-o', 'sarif'], { cwd: dir })).stdout)
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual(['PS2009', 'PS5006'])
    expect(sarif.runs[0].results[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'goal.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 4, startColumn: 9, endLine: 4, endColumn: 15 } })
  })

  it('writes JUnit with one test case per resource', async () => {
    const dir = tempTree({ 'a.yaml': GOAL, 'b.yaml': GOAL.replace('name: ok', 'name: other') + '  priority: 5000\n' })
    const { stdout } = await cli(['validate', '.', '-o', 'junit'], { cwd: dir })
    expect(stdout).toContain('<testcase classname="planspec.Goal" name="ok (a.yaml)"')
    expect(stdout).toMatch(/<testcase classname="planspec\.Goal" name="other \(b\.yaml\)"[^>]*>\s*<failure/)
  })

  it('follows .planspec.yaml: default namespace and paths', async () => {
    const dir = tempTree({
      '.planspec.yaml': 'namespace: team-a\npaths: ["planspec/**/*.yaml"]\n',
      'planspec/goal.yaml': GOAL,
      'planspec/exec.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: {name: run}\nspec:\n  planRef: {name: p, namespace: team-a}\n',
      'ci/workflow.yaml': 'on: push\n',
    })
    const { stdout } = await cli(['validate', '.', '-o', 'json'], { cwd: dir })
    const json = JSON.parse(stdout)
    expect(json.summary.files).toBe(2)
    expect(json.diagnostics.map((d: { code: string }) => d.code)).toEqual(['PS4001'])
  })

  it('names the files of a walked directory as paths from the working directory, and outside it as absolute paths', async () => {
    const dir = tempTree({
      '.planspec.yaml': 'paths: ["team/**/*.yaml"]\n',
      'team/a/goal.yaml': BAD,
      'team/b/goal.yaml': BAD.replace('name: Not_OK', 'name: Also_Not_OK'),
      'other/goal.yaml': BAD,
    })
    const files = async (cwd: string, path: string): Promise<string[]> => JSON.parse((await cli(['validate', path, '-o', 'json'], { cwd })).stdout).diagnostics.filter((d: { code: string }) => d.code === 'PS2009').map((d: { file: string }) => d.file)
    expect(await files(dir, 'team')).toEqual(['team/a/goal.yaml', 'team/b/goal.yaml'])
    expect(await files(join(dir, 'team'), '.')).toEqual(['a/goal.yaml', 'b/goal.yaml'])
    // From inside the tree, the walk of its root: the files below the working directory by their
    // relative paths, the others (not chosen by paths) skipped, the ones beside it absolute.
    expect(await files(join(dir, 'team/a'), '../..')).toEqual(['goal.yaml', join(dir, 'team/b/goal.yaml')])
    expect(await files(join(dir, 'other'), '../team/a')).toEqual([join(dir, 'team/a/goal.yaml')])
  })

  it('exits 2 with one line on stderr for a missing path or a bad flag', async () => {
    const missing = await cli(['validate', 'no/such/dir'])
    expect(missing).toMatchObject({ code: 2, stdout: '' })
    expect(missing.stderr).toBe('error: path not found: no/such/dir\n')
    const json = await cli(['validate', 'no/such/dir', '-o', 'json'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout)).toEqual({ summary: { files: 0, resources: 0, errors: 1, warnings: 0 }, diagnostics: [expect.objectContaining({ code: 'PS1012', file: 'no/such/dir', message: 'path not found: no/such/dir' })] })
    const bad = await cli(['validate', '.', '-o', 'xml'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("argument 'xml' is invalid")
  })

  it('reports an unreadable file with PS1010, checks the rest, and exits 2', async () => {
    if (process.getuid?.() === 0) {
      // root reads anything; a dangling link inside the tree exercises the same path.
      const dir = tempTree({ 'good.yaml': GOAL })
      symlinkSync(join(dir, 'gone.yaml'), join(dir, 'dangling.yaml'))
      writeFileSync(join(dir, 'locked.yaml'), GOAL)
      const { code, stdout } = await cli(['validate', join(dir, 'good.yaml'), join(dir, 'locked.yaml'), '-o', 'json'])
      expect(JSON.parse(stdout).summary.resources).toBe(2)
      expect(code).toBe(1) // two Goals named "ok": a duplicate resource
      return
    }
    const dir = tempTree({ 'good.yaml': GOAL, 'locked.yaml': GOAL })
    chmodSync(join(dir, 'locked.yaml'), 0)
    const { code, stdout } = await cli(['validate', '.', '-o', 'json'], { cwd: dir })
    expect(code).toBe(2)
    expect(JSON.parse(stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('PS1010')
  })

  it('never follows a symlink out of the tree', async () => {
    const outside = tempTree({ 'secret.yaml': GOAL.replace('name: ok', 'name: outside') })
    const dir = tempTree({ 'goal.yaml': GOAL })
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'escape.yaml'))
    symlinkSync(outside, join(dir, 'linked-dir'))
    const { stdout } = await cli(['validate', '.', '-o', 'json'], { cwd: dir })
    expect(JSON.parse(stdout).summary).toMatchObject({ files: 1, resources: 1 })
  })

  it('reports an oversize file by size without reading it', async () => {
    const dir = tempTree({ 'big.yaml': 'a: ' + 'x'.repeat(2 * 1024 * 1024), 'goal.yaml': GOAL })
    const { code, stdout } = await cli(['validate', '.', '-o', 'json'], { cwd: dir })
    expect(code).toBe(1)
    expect(JSON.parse(stdout).diagnostics).toMatchObject([{ file: 'big.yaml', code: 'PS1006' }])
    // Read in full, it names no planspec.io apiVersion: skipped, unless --strict.
    expect((await cli(['validate', '.', '--max-file-size', '4MiB', '--strict', '-o', 'json'], { cwd: dir })).stdout).toContain('PS2002')
    const lenient = await cli(['validate', '.', '--max-file-size', '4MiB', '-o', 'json'], { cwd: dir })
    expect(lenient.code).toBe(0)
    expect(lenient.stderr).toContain('note: skipped 1 YAML file that names no planspec.io apiVersion (big.yaml)')
  })

  it('skips YAML files of other tools found in directories, with a count; --strict fails on them; a named file is always validated', async () => {
    const dir = tempTree({
      'docker-compose.yaml': 'services:\n  web:\n    image: nginx\n',
      'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n',
      '.github/workflows/ci.yml': 'on: push\n',
      'planspec/goal.yaml': GOAL,
    })
    const lenient = await cli(['validate', '.', '-o', 'json'], { cwd: dir })
    expect(lenient.code, lenient.stdout).toBe(0)
    expect(JSON.parse(lenient.stdout).summary).toMatchObject({ files: 1, resources: 1, errors: 0 })
    expect(lenient.stderr).toBe('note: skipped 2 YAML files that name no planspec.io apiVersion (docker-compose.yaml, k8s/deployment.yaml); --strict validates them too\n')
    const strict = await cli(['validate', '.', '--strict', '-o', 'json'], { cwd: dir })
    expect(strict.code).toBe(1)
    expect(new Set((JSON.parse(strict.stdout).diagnostics as Array<{ file: string }>).map((d) => d.file))).toEqual(new Set(['docker-compose.yaml', 'k8s/deployment.yaml']))
    const named = await cli(['validate', '-f', 'docker-compose.yaml'], { cwd: dir })
    expect(named.code).toBe(1)
    const none = await cli(['validate', 'k8s'], { cwd: dir })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no YAML files found under k8s that are PlanSpec manifests (1 skipped')
  })

  it('has help with examples on every command', async () => {
    for (const command of ['validate', 'graph', 'explain', 'fix']) {
      const { code, stdout } = await cli([command, '--help'])
      expect(code).toBe(0)
      expect(stdout, command).toContain('Examples:')
    }
  })
})

describe('planspec validate - (stdin)', () => {
  it('reports stdin larger than the size limit by size, without reading it all', async () => {
    const { code, stdout } = await cli(['validate', '-', '-o', 'json', '--max-file-size', '1KiB'], { stdin: 'a: ' + 'x'.repeat(5000) })
    expect(code).toBe(1)
    expect(JSON.parse(stdout).diagnostics).toMatchObject([{ file: '-', code: 'PS1006' }])
  })
})
