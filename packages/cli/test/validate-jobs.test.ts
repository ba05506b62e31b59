import { spawn } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { collectFiles } from '../src/index.js'
import { cli, GOAL, REPO, tempTree } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry)
    return statSync(full).isDirectory() ? yamlFiles(full) : entry.endsWith('.yaml') && entry !== '.planspec.yaml' ? [full] : []
  })
}

/**
 * A tree of about 5 MiB (above the size from which validation is split across threads): the
 * multi-team example copied into many namespaces, with broken files among them so that findings
 * of every kind, code frames included, go through the workers.
 */
function largeTree(): string {
  const example = join(REPO, 'examples/multi-team/planspec')
  const files: Record<string, string> = {}
  const copies = 100
  for (let i = 0; i < copies; i++) {
    for (const file of yamlFiles(example)) {
      const text = readFileSync(file, 'utf8').replace(/namespace: (\w[\w-]*)/g, `namespace: $1-${i}`)
      files[`copy-${String(i).padStart(2, '0')}/${relative(example, file)}`] = text
    }
    files[`copy-${String(i).padStart(2, '0')}/broken.yaml`] = i % 3 ? GOAL.replace('name: ok', `name: Broken_${i}`) : 'a: [unclosed\n'
  }
  return tempTree(files)
}

/** Runs the bundled binary, without colour whatever the test runner's environment says; resolves with its exit code and output. */
function planspec(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env.FORCE_COLOR
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, shell: false })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('planspec validate --jobs', () => {
  it('prints exactly the same findings, in the same order, with two worker threads as with one thread', async () => {
    const dir = largeTree()
    const total = yamlFiles(dir).reduce((sum, f) => sum + statSync(f).size, 0)
    expect(total).toBeGreaterThan(4 * 1024 * 1024)
    // --strict: the tree's non-PlanSpec YAML is validated too (its findings are part of the comparison).
    const one = await planspec(['validate', '.', '--strict', '--jobs', '1', '-o', 'json'], dir)
    const two = await planspec(['validate', '.', '--strict', '--jobs', '2', '-o', 'json'], dir)
    expect(one.stderr).toBe('')
    expect(two.stderr).toBe('')
    expect(two.code).toBe(one.code)
    expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout))
    const json = JSON.parse(one.stdout)
    expect(json.summary.files).toBeGreaterThan(600)
    expect(new Set(json.diagnostics.map((d: { code: string }) => d.code))).toEqual(new Set(['PS1001', 'PS2009']))
    // The text output, with code frames, too.
    const text = await planspec(['validate', '.', '--jobs', '2'], dir)
    expect(text.stdout).toBe((await planspec(['validate', '.', '--jobs', '1'], dir)).stdout)
    expect(text.stdout).toContain('  > 4 |   name: Broken_1\n')
  })

  it('validates in threads from the command run in-process too (the validator package\'s worker)', async () => {
    const dir = largeTree()
    const one = await cli(['validate', '.', '--jobs', '1', '-o', 'json'], { cwd: dir })
    const two = await cli(['validate', '.', '--jobs', '2', '-o', 'json'], { cwd: dir })
    expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout))
  })

  it('tells PlanSpec documents from other YAML where each file is read, in worker threads as in one thread, as a sniff up front does', async () => {
    // The validator sniffs each file when it reads it (once, in the thread that checks it); the
    // review still sniffs up front. Both must skip the same files and report the same ones.
    const dir = largeTree()
    writeFileSync(join(dir, 'docker-compose.yaml'), 'services:\n  web:\n    image: nginx\n')
    writeFileSync(join(dir, 'binary.yaml'), Buffer.from([0, 1, 2, 3, 0x61, 0x3a, 0x0a]))
    writeFileSync(join(dir, 'binary-planspec.yaml'), Buffer.concat([Buffer.from(GOAL), Buffer.from([0, 0, 0])]))
    writeFileSync(join(dir, 'late-api-version.yaml'), `${'# padding\n'.repeat(7000)}${GOAL}`)
    writeFileSync(join(dir, 'bom.yaml'), `\ufeff${GOAL.replace('name: ok', 'name: with-bom')}`)
    writeFileSync(join(dir, 'flow.yaml'), '{"apiVersion": "planspec.io/v1alpha1", "kind": "Goal", "metadata": {"name": "flow"}, "spec": {"description": "d"}}\n')
    writeFileSync(join(dir, 'unreadable.yaml'), 'services: {}\n')
    chmodSync(join(dir, 'unreadable.yaml'), 0o000)
    const one = await planspec(['validate', '.', '--jobs', '1', '-o', 'json'], dir)
    const two = await planspec(['validate', '.', '--jobs', '2', '-o', 'json'], dir)
    expect(two.code).toBe(one.code)
    expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout))
    expect(two.stderr).toBe(one.stderr)
    const note = /note: skipped (\d+) YAML files that name no planspec.io apiVersion \(([^)]*)\)/.exec(one.stderr)
    expect(note, one.stderr).not.toBeNull()
    // What a sniff up front finds (the review reads the working tree this way).
    const upFront = await collectFiles(['.'], { cwd: dir, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {} } as never, 1024 * 1024)
    expect(Number(note![1])).toBe(upFront.skipped.length)
    expect(note![2]!.split(', ').slice(0, 5)).toEqual(upFront.skipped.slice(0, 5))
    expect(upFront.skipped).toEqual(expect.arrayContaining(['docker-compose.yaml', 'binary.yaml', 'late-api-version.yaml']))
    const json = JSON.parse(one.stdout) as { summary: { files: number }; diagnostics: { code: string; file: string }[] }
    expect(json.summary.files).toBe(upFront.files.length)
    const byFile = (file: string): string[] => json.diagnostics.filter((d) => d.file === file).map((d) => d.code)
    expect(byFile('binary-planspec.yaml')).toEqual(['PS1002'])
    expect(byFile('bom.yaml')).toEqual([])
    expect(byFile('flow.yaml')).toEqual([])
    // Running as root reads any file; otherwise the unreadable one is reported, not skipped.
    if (process.getuid?.() !== 0) expect(byFile('unreadable.yaml')).toEqual(['PS1010'])
  })

  it('refuses a --jobs value that is not a positive number or auto', async () => {
    const dir = tempTree({ 'goal.yaml': GOAL })
    for (const value of ['0', '-1', 'two', '1.5']) {
      const result = await cli(['validate', '.', '--jobs', value], { cwd: dir })
      expect(result.code, value).toBe(2)
      expect(result.stderr, value).toBe(`error: invalid --jobs "${value}"; use a positive number or auto\n`)
    }
    expect((await cli(['validate', '.', '--jobs', 'auto'], { cwd: dir })).code).toBe(0)
  })
})
