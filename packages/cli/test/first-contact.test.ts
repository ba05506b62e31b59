// First contact without a server: planspec init, --version, and -l in git mode (the API server's
// selector syntax, read by the same parser).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { cli, REPO, tempTree } from './helpers.js'

describe('planspec init', () => {
  it('writes .planspec.yaml and the manifests folder, then validate finds the manifests; never overwrites', async () => {
    const dir = tempTree({ 'docker-compose.yml': 'services: {}\n' })
    const first = await cli(['init', '--namespace', 'team-platform'], { cwd: dir })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('# yaml-language-server: $schema=../node_modules/planspec/schema/planspec.schema.json')
    expect(parse(readFileSync(join(dir, '.planspec.yaml'), 'utf8'))).toEqual({ namespace: 'team-platform', paths: ['planspec/**/*.yaml', 'planspec/**/*.yml'] })
    const again = await cli(['init'], { cwd: dir })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('.planspec.yaml already exists')
    expect(parse(readFileSync(join(dir, '.planspec.yaml'), 'utf8'))).toMatchObject({ namespace: 'team-platform' })
    const goal = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ship-it\nspec:\n  description: Ship it\n'
    const written = spawnSync('sh', ['-c', 'cat > planspec/goal.yaml'], { cwd: dir, input: goal })
    expect(written.status).toBe(0)
    const validated = await cli(['validate', '-o', 'json'], { cwd: dir })
    expect(validated.code, validated.stdout).toBe(0)
    expect(JSON.parse(validated.stdout).summary).toMatchObject({ files: 1, resources: 1 })
    expect((await cli(['init', '--namespace', 'Not_A_Label'], { cwd: tempTree({}) })).code).toBe(2)
  })
})

describe('planspec --help', () => {
  it('groups the commands under headings, and every command has examples', async () => {
    const { stdout } = await cli(['--help'])
    for (const heading of ['Manifests (files in a working tree):', 'Resources (a repository or a server, per context):', 'API server:', 'Agents and shells:']) expect(stdout).toContain(`\n${heading}\n`)
    const names = [...stdout.matchAll(/^ {2}([a-z][a-z-]*) /gm)].map((m) => m[1]!).filter((name) => name !== 'help')
    expect(names.length).toBeGreaterThan(25)
    for (const name of names) {
      const help = await cli([name, '--help'])
      expect(help.code, name).toBe(0)
      expect(help.stdout, name).toContain('Examples:')
    }
  })
})

describe('planspec --version', () => {
  it('ends quietly when the reader of its output is gone (141, as git and kubectl on SIGPIPE), with no stack trace', () => {
    const bin = join(REPO, 'packages/cli/bin/planspec.js')
    // The reader exits at once, long before the command starts writing: every write meets a closed pipe.
    const script = `for c in get watch logs; do "$0" "$1" "$c" --help | true; printf '%s ' "\${PIPESTATUS[0]}"; done`
    const result = spawnSync('bash', ['-c', script, process.execPath, bin], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('141 141 141 ')
  })

  it('prints the versions of the command line and the schema', async () => {
    const { code, stdout } = await cli(['--version'])
    expect(code).toBe(0)
    expect(stdout).toBe('planspec 0.1.0\nschema planspec.io/v1alpha1\n')
  })
})

describe('planspec get -l in git mode', () => {
  it('selects by labels with the server syntax, and refuses a malformed selector', async () => {
    const dir = tempTree({
      'a.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: alpha\n  labels:\n    team: payments\nspec:\n  description: A\n',
      'b.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: beta\n  labels:\n    team: search\nspec:\n  description: B\n',
      'c.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: gamma\nspec:\n  description: C\n',
    })
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Ann', GIT_AUTHOR_EMAIL: 'ann@example.com', GIT_COMMITTER_NAME: 'Ann', GIT_COMMITTER_EMAIL: 'ann@example.com' }
    for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-q', '-m', 'goals']]) expect(spawnSync('git', args, { cwd: dir, env }).status).toBe(0)
    const home = { HOME: dir }
    const selected = await cli(['get', 'goals', '--repo', dir, '-l', 'team=payments', '-o', 'name'], { env: home })
    expect(selected.code, selected.stderr).toBe(0)
    expect(selected.stdout).toBe('goal/alpha\n')
    const others = await cli(['get', 'goals', '--repo', dir, '-l', 'team notin (payments),!nothing', '-o', 'name'], { env: home })
    expect(others.stdout.split('\n').filter(Boolean).sort()).toEqual(['goal/beta', 'goal/gamma'])
    const bad = await cli(['get', 'goals', '--repo', dir, '-l', 'team in (a'], { env: home })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('error: -l: unbalanced parentheses in selector\n')
  })
})
