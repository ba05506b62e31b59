// `planspec run` (the bundled binary, a real child process) against the issue's attacks on the
// engine: what a command's environment holds, and what its stderr can do to a terminal.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO, tempTree } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const NODE = process.execPath
const H = 'apiVersion: planspec.io/v1alpha1\n'

function files(command: readonly string[], extra: { outputs?: string; criteria?: string; env?: string } = {}): Record<string, string> {
  return {
    'plan.yaml': `${H}kind: Plan\nmetadata: { name: p }\nspec:\n  description: one command\n  graph:\n    nodes:\n      - id: t\n        kind: Task\n        capabilityRefs: [{ name: work }]\n${extra.outputs ? `        outputs: [${extra.outputs}]\n` : ''}${extra.criteria ?? ''}`,
    'capability.yaml': `${H}kind: Capability\nmetadata: { name: work }\nspec: { description: work }\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: work } }\n      target:\n        provider: exec://t\n        config:\n          command: ${JSON.stringify(command)}\n${extra.env ?? ''}`,
    'execution.yaml': `${H}kind: Execution\nmetadata: { name: e }\nspec: { planRef: { name: p }, bindingRef: { name: b } }\n`,
  }
}

function run(dir: string, args: string[], env: Record<string, string>) {
  return spawnSync(NODE, [BIN, 'run', '.', '--execution', 'e', '--workspace', 'ws', '--allow-command', NODE, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 60_000 })
}

describe('planspec run hardening', () => {
  it('gives commands and criterion commands an explicit environment: never the git token or any other variable of planspec', () => {
    const dump = (file: string) => [NODE, '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify(process.env)); console.log('{}')`]
    const criteria = `        acceptanceCriteria:\n          - { name: env, type: command_succeeds, command: ${JSON.stringify(NODE)}, args: ["-e", ${JSON.stringify(`require('fs').writeFileSync('criterion-env.json', JSON.stringify(process.env))`)}] }\n`
    const dir = tempTree(files(dump('task-env.json'), { criteria, env: '          env: { REGION: { fromEnv: DEPLOY_REGION } }\n' }))
    const env = { HOME: '/home/operator', PLANSPEC_GIT_TOKEN: 'git-token-1c9e', PLANSPEC_AGENT_KEY: 'agent-key-77aa', AWS_SECRET_ACCESS_KEY: 'aws-5f0d', DEPLOY_REGION: 'eu-west-1', LANG: 'C.UTF-8' }
    const res = run(dir, ['--allow-env', 'DEPLOY_*', '-o', 'json'], env)
    expect(res.status, res.stderr).toBe(0)
    const workspace = join(dir, 'ws')
    const task = JSON.parse(readFileSync(join(workspace, 'task-env.json'), 'utf8')) as Record<string, string>
    expect(Object.keys(task).sort()).toEqual(['HOME', 'LANG', 'PATH', 'PLANSPEC_ATTEMPT', 'PLANSPEC_NODE', 'PLANSPEC_OUTPUTS', 'PLANSPEC_RUN_ID', 'REGION'])
    expect(task).toMatchObject({ HOME: workspace, REGION: 'eu-west-1', LANG: 'C.UTF-8' })
    const criterion = JSON.parse(readFileSync(join(workspace, 'criterion-env.json'), 'utf8')) as Record<string, string>
    expect(Object.keys(criterion).sort()).toEqual(['HOME', 'LANG', 'PATH'])
  })

  it('prints a command\'s stderr without its terminal escape sequences, in text output', () => {
    const hostile = `process.stderr.write('\\u001b]0;pwned\\u0007\\u001b[2Jbad \\u009b31mthing\\n'); process.exit(1)`
    const dir = tempTree(files([NODE, '-e', hostile]))
    const res = run(dir, [], {})
    expect(res.status).toBe(1)
    expect(res.stdout).toContain('bad ?31mthing')
    expect(res.stdout).toContain('?]0;pwned??[2J')
    expect(res.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
  })

  it('evaluates a when with a catastrophic matches() pattern at once (RE2), and refuses a CEL expression too costly to run', () => {
    const node = (id: string, when: string) => `      - id: ${id}\n        kind: Task\n        capabilityRefs: [{ name: work }]\n        when: ${JSON.stringify(when)}\n`
    const plan = `${H}kind: Plan\nmetadata: { name: p }\nspec:\n  description: hostile conditions\n  graph:\n    nodes:\n${node('redos', `params.text.matches("^(a+)+$")`)}${node('costly', 'params.items.map(a, params.items.map(b, params.items.filter(c, a + b == c))).size() > 0')}`
    const items = Array.from({ length: 400 }, (_, i) => i)
    const dir = tempTree({
      ...files([NODE, '-e', "console.log('{}')"]),
      'plan.yaml': plan,
      'execution.yaml': `${H}kind: Execution\nmetadata: { name: e }\nspec:\n  planRef: { name: p }\n  bindingRef: { name: b }\n  parameters: { text: "${'a'.repeat(60)}!", items: ${JSON.stringify(items)} }\n`,
    })
    const res = run(dir, ['-o', 'json'], {})
    const status = JSON.parse(res.stdout).status
    expect(status.nodeStatuses.redos).toMatchObject({ phase: 'Skipped', reason: 'ConditionFalse' })
    expect(status.nodeStatuses.costly).toMatchObject({ phase: 'Failed', reason: 'WhenError', message: expect.stringContaining('too costly') })
  })
})

