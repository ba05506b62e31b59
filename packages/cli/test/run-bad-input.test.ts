import { describe, expect, it } from 'vitest'
import { cli, tempTree } from './helpers.js'

// The "bad input" list of the execution engine: each case runs a real `planspec run` over a tiny
// manifest set and must end in a clear reason on the node (and on the Execution), never a crash.

const NODE = process.execPath

type Task = { id: string; provider: string; config?: Record<string, unknown>; extra?: string; timeout?: string; outputs?: string[]; dependsOn?: string[] }

function manifests(tasks: Task[], options: { strategy?: string; extraRules?: string; extraNodes?: string; extraFiles?: Record<string, string> } = {}): Record<string, string> {
  const nodes = tasks
    .map((t) => {
      const lines = [`      - id: ${t.id}`, '        kind: Task', '        capabilityRefs: [{ name: work }]']
      if (t.timeout) lines.push(`        timeout: ${t.timeout}`)
      if (t.outputs) lines.push(`        outputs: [${t.outputs.join(', ')}]`)
      if (t.dependsOn) lines.push(`        dependsOn: [${t.dependsOn.join(', ')}]`)
      if (t.extra) lines.push(t.extra)
      return lines.join('\n')
    })
    .join('\n')
  const rules = tasks
    .map((t) => `    - selector: { planRef: { name: p }, nodeId: ${t.id} }\n      target:\n        provider: ${JSON.stringify(t.provider)}\n        config: ${JSON.stringify(t.config ?? {})}`)
    .join('\n')
  return {
    'goal.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: { name: g }\nspec: { description: A goal }\n',
    'capability.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Capability\nmetadata: { name: work }\nspec: { description: Work }\n',
    'plan.yaml': `apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata: { name: p }\nspec:\n  description: A plan\n  goalRef: { name: g }\n  graph:\n    nodes:\n${nodes}${options.extraNodes ?? ''}\n`,
    'binding.yaml': `apiVersion: planspec.io/v1alpha1\nkind: Binding\nmetadata: { name: b }\nspec:\n  ${options.strategy ? `strategy: ${options.strategy}\n  ` : ''}rules:\n${rules}${options.extraRules ?? ''}\n`,
    'execution.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: { name: e }\nspec:\n  goalRef: { name: g }\n  planRef: { name: p }\n  bindingRef: { name: b }\n',
    ...options.extraFiles,
  }
}

const script = (code: string): Record<string, unknown> => ({ command: [NODE, '-e', code] })
const allow = ['--allow-command', NODE, '--allow-env', 'DEPLOY_TOKEN']

// A secret the commands can read (only the one command whose Binding names it): its value must
// never reach the status.
const ENV = { DEPLOY_TOKEN: 'hunter2-deploy-token' }

async function run(files: Record<string, string>, extra: string[] = []): Promise<{ code: number; execution: any; stderr: string }> {
  const dir = tempTree(files)
  const { code, stdout, stderr } = await cli(['run', dir, '--execution', 'e', '-o', 'json', ...allow, ...extra], { env: ENV })
  if (!stdout) throw new Error(`no output (exit ${code}): ${stderr}`)
  return { code, execution: JSON.parse(stdout), stderr }
}

describe('planspec run: bad input ends in a clear reason on the node', () => {
  const cases: { name: string; tasks: Task[]; node: string; phase: string; reason?: string; message: RegExp; options?: Parameters<typeof manifests>[1]; executionReason?: string }[] = [
    { name: 'a provider that hangs is stopped by its timeout', tasks: [{ id: 'hang', provider: 'exec://hang', timeout: '1s', config: script('setTimeout(() => {}, 60000)') }], node: 'hang', phase: 'Failed', reason: 'Timeout', message: /attempt 1 exceeded timeout 1s|command timed out after 1000ms/ },
    { name: 'a provider that crashes', tasks: [{ id: 'crash', provider: 'exec://crash', config: script("process.kill(process.pid, 'SIGKILL')") }], node: 'crash', phase: 'Failed', reason: 'Crashed', message: /killed by SIGKILL/ },
    { name: 'a provider that prints garbage instead of JSON', tasks: [{ id: 'garbage', provider: 'exec://garbage', outputs: ['x'], config: script("console.log('{not json')") }], node: 'garbage', phase: 'Failed', reason: 'InvalidOutput', message: /JSON object/ },
    { name: 'a provider that prints 100 MB', tasks: [{ id: 'flood', provider: 'exec://flood', config: script("const b = Buffer.alloc(1 << 20, 120); let n = 0; const w = () => { while (n < 100 && process.stdout.write(b)) n++; if (n < 100) process.stdout.once('drain', () => { n++; w() }) }; w()") }], node: 'flood', phase: 'Failed', reason: 'OutputTooLarge', message: /stdout exceeded \d+ bytes/ },
    { name: 'a provider that exits non-zero', tasks: [{ id: 'exit', provider: 'exec://exit', config: { ...script("console.error('deploy failed: token=' + process.env.DEPLOY_TOKEN); process.exit(3)"), env: { DEPLOY_TOKEN: { fromEnv: 'DEPLOY_TOKEN' } } } }], node: 'exit', phase: 'Failed', reason: 'ExitCode', message: /exited with code 3: deploy failed: token=\[REDACTED\]/ },
    { name: 'a command that is not on the allow-list', tasks: [{ id: 'denied', provider: 'exec://denied', config: { command: ['/bin/rm', '-rf', '/tmp/nothing-here'] } }], node: 'denied', phase: 'Failed', reason: 'NotAllowed', message: /not on the allow-list/ },
    { name: 'an http provider pointing at a loopback address that is not allowed', tasks: [{ id: 'loop', provider: 'http://127.0.0.1:9/hook' }], node: 'loop', phase: 'Failed', reason: 'NotAllowed', message: /allow-list|loopback|private/ },
    { name: 'a when that is not boolean', tasks: [{ id: 'odd', provider: 'noop://odd', extra: '        when: "1 + 1"' }], node: 'odd', phase: 'Failed', reason: 'WhenError', message: /not a boolean/, executionReason: 'WhenError' },
    {
      name: 'an input template referencing a skipped node',
      tasks: [
        { id: 'skipped', provider: 'noop://skipped', outputs: ['v'], extra: '        when: "false"' },
        { id: 'reader', provider: 'noop://reader', dependsOn: ['skipped'], extra: '        inputs: { v: "${{ nodes.skipped.outputs.v }}" }' },
      ],
      node: 'reader',
      phase: 'Failed',
      reason: 'InputError',
      message: /nodes\.skipped\.outputs\.v/,
    },
    { name: 'an unknown provider scheme', tasks: [{ id: 'alien', provider: 'carrier-pigeon://coop' }], node: 'alien', phase: 'Failed', reason: 'UnknownProvider', message: /no provider handles/ },
  ]

  for (const c of cases) {
    it(c.name, async () => {
      const { code, execution } = await run(manifests(c.tasks, c.options))
      expect(code).toBe(1)
      const node = execution.status.nodeStatuses[c.node]
      expect(node.phase).toBe(c.phase)
      if (c.reason) expect(node.reason).toBe(c.reason)
      expect(node.message ?? '').toMatch(c.message)
      expect(execution.status.phase).toBe('Failed')
      expect(execution.status.reason).toBe(c.executionReason ?? 'NodeFailed')
      // Secrets a command prints never reach the status.
      expect(JSON.stringify(execution)).not.toContain(ENV.DEPLOY_TOKEN)
    })
  }

  it('keeps declared outputs and drops undeclared ones, naming them on the node', async () => {
    const { code, execution } = await run(manifests([{ id: 'extra', provider: 'exec://extra', outputs: ['kept'], config: script("console.log(JSON.stringify({ kept: 1, smuggled: 2 }))") }]))
    expect(code).toBe(0)
    const node = execution.status.nodeStatuses.extra
    expect(node.outputs).toEqual({ kept: 1 })
    expect(node.message).toBe('UndeclaredOutput: dropped smuggled')
  })

  it('refuses a Binding tie under ErrorOnConflict before anything runs, naming the tied rules', async () => {
    const files = manifests([{ id: 'tied', provider: 'noop://first' }], { strategy: 'ErrorOnConflict', extraRules: '\n    - selector: { planRef: { name: p }, nodeId: tied }\n      target: { provider: "noop://second" }' })
    const dir = tempTree(files)
    const { code, stdout, stderr } = await cli(['run', dir, '--execution', 'e'])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/error PS4011: binding "b" has tied rules 0, 1 for capability "work" of node "tied" under ErrorOnConflict/)
  })

  it('fails a Gate node whose Gate resource is missing, never waiting forever', async () => {
    const files = manifests([{ id: 'after', provider: 'noop://after', dependsOn: ['approval'] }], { extraNodes: '\n      - id: approval\n        kind: Gate\n        gateRef: { name: no-such-gate }' })
    const { code, execution } = await run(files)
    expect(code).toBe(1)
    expect(execution.status.nodeStatuses.approval).toMatchObject({ phase: 'Failed', reason: 'GateNotFound' })
    expect(execution.status.nodeStatuses.approval.message).toMatch(/gate "no-such-gate" does not exist/)
    expect(execution.status).toMatchObject({ phase: 'Failed', reason: 'GateNotFound' })
    expect(execution.status.nodeStatuses.after).toMatchObject({ phase: 'Skipped', reason: 'UpstreamFailed' })
  })
})

describe('planspec run: External resource nodes', () => {
  const external = (gate: string): string => `\n      - id: wait\n        kind: External\n        externalRef: { type: resource, resourceRef: { kind: Gate, name: ${gate} } }`
  const gateFile = { 'gate.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Gate\nmetadata: { name: go }\nspec:\n  gateType: approval\n  description: Go ahead\n  targetRef: { kind: Execution, name: e, nodeId: wait }\n' }

  it('finishes when the referenced Gate is approved (--approve), then runs what depends on it', async () => {
    const files = manifests([{ id: 'after', provider: 'noop://after', dependsOn: ['wait'] }], { extraNodes: external('go'), extraFiles: gateFile })
    const { code, execution } = await run(files, ['--approve', 'go'])
    expect(code).toBe(0)
    expect(execution.status.nodeStatuses.wait.phase).toBe('Succeeded')
    expect(execution.status.nodeStatuses.after.phase).toBe('Succeeded')
  })

  it('stops Blocked (AwaitingExternal) while the referenced resource has not finished', async () => {
    const files = manifests([{ id: 'after', provider: 'noop://after', dependsOn: ['wait'] }], { extraNodes: external('go'), extraFiles: gateFile })
    const dir = tempTree(files)
    const { code, stdout } = await cli(['run', dir, '--execution', 'e', '-o', 'json', '--state', `${dir}/state.json`])
    expect(code).toBe(1)
    const execution = JSON.parse(stdout)
    expect(execution.status.phase).toBe('Blocked')
    expect(execution.status.nodeStatuses.wait).toMatchObject({ phase: 'Blocked', reason: 'AwaitingExternal' })
  }, 20_000)
})
