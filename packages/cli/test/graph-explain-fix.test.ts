import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, REPO, tempTree } from './helpers.js'

describe('planspec graph', () => {
  it('draws a plan as text with layers, gates and soft edges', async () => {
    const { code, stdout } = await cli(['graph', 'examples/multi-team', '--plan', 'payments-launch-v2'])
    expect(code).toBe(0)
    expect(stdout).toContain('payments/payments-launch-v2')
    expect(stdout).toMatch(/◆ gate\s+security-review\s+← contract-tests, pentest-triage \(soft: load-test\)/)
  })

  it('draws Mermaid with distinct node shapes, dashed soft edges and group clusters', async () => {
    const { stdout } = await cli(['graph', 'examples/multi-team', '--plan', 'payments-launch-v2', '-o', 'mermaid'])
    expect(stdout).toMatch(/^flowchart TD/m)
    expect(stdout).toMatch(/security_review\{"Security review"\}/)
    expect(stdout).toMatch(/load_test -\.-> security_review/)
    expect(stdout).toMatch(/subgraph production_cutover/)
  })

  it('draws DOT with clusters and dashed soft edges', async () => {
    const { stdout } = await cli(['graph', 'examples/multi-team', '--plan', 'payments-launch-v2', '-o', 'dot'])
    expect(stdout).toMatch(/^digraph/m)
    expect(stdout).toContain('subgraph "cluster_go-live"')
    expect(stdout).toMatch(/"api-docs" -> "announce" \[[^\]]*style=dashed/)
  })

  it('prints the normalized graph as JSON, dependsOn included', async () => {
    const { stdout } = await cli(['graph', 'examples/minimal', '--plan', 'publish-changelog', '-o', 'json'])
    const graph = JSON.parse(stdout)
    expect(graph.nodes.map((n: { id: string }) => n.id)).toEqual(['collect', 'draft', 'editor-approval', 'publish'])
    expect(graph.edges).toEqual([
      { from: 'collect', to: 'draft', type: 'hard', source: 'dependsOn' },
      { from: 'draft', to: 'editor-approval', type: 'hard', source: 'dependsOn' },
      { from: 'editor-approval', to: 'publish', type: 'hard', source: 'dependsOn' },
    ])
  })

  it('exits 1 when the plan does not exist', async () => {
    const { code, stderr } = await cli(['graph', 'examples/minimal', '--plan', 'nope'])
    expect(code).toBe(1)
    expect(stderr).toBe('error: plan "nope" not found under examples/minimal\n')
  })
})

describe('planspec explain', () => {
  it('explains a kind, a nested field through $refs and array items, and a code', async () => {
    expect((await cli(['explain', 'plan'])).stdout).toMatch(/^KIND:     Plan\nVERSION:  planspec\.io\/v1alpha1\n/)
    const nodes = (await cli(['explain', 'plan.spec.graph.nodes'])).stdout
    expect(nodes).toMatch(/FIELD: nodes <Object> -required-/)
    expect(nodes).toMatch(/  id <string> -required-\n/)
    expect(nodes).toMatch(/  gateRef <Object> \(when kind: Gate\)/)
    const selector = (await cli(['explain', 'binding.spec.rules.selector'])).stdout
    expect(selector).toMatch(/nodeId <string> \(shape: planRef \+ nodeId\)/)
    expect((await cli(['explain', 'ps3006'])).stdout).toContain('TITLE:     Cycle')
  })

  it('names the fields that exist when a path is wrong', async () => {
    const { code, stderr } = await cli(['explain', 'goal.spec.descripton'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^error: field "descripton" does not exist in Goal\.spec; its fields are: description, /)
  })
})

describe('planspec fix', () => {
  it('rewrites legacy shapes in place, keeping comments, and then validates clean', async () => {
    const dir = tempTree({ 'goal.yaml': '# team goal\napiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: slow # the slow one\nspec:\n  description: d\n  timeout: 2w\n' })
    const dry = await cli(['fix', '.', '--dry-run'], { cwd: dir })
    expect(dry.stdout).toBe('goal.yaml: 1 fix applied (dry run)\n')
    expect(readFileSync(join(dir, 'goal.yaml'), 'utf8')).toContain('timeout: 2w')
    expect((await cli(['fix', '.'], { cwd: dir })).stdout).toBe('goal.yaml: 1 fix applied\n')
    const text = readFileSync(join(dir, 'goal.yaml'), 'utf8')
    expect(text).toBe('# team goal\napiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: slow # the slow one\nspec:\n  description: d\n  timeout: 336h\n')
    expect((await cli(['validate', '.'], { cwd: dir })).code).toBe(0)
    expect((await cli(['fix', '.'], { cwd: dir })).stdout).toBe('nothing to fix\n')
  })
})

describe('the planspec binary', () => {
  it('runs as a real child process with meaningful exit codes', () => {
    const bin = join(REPO, 'packages/cli/bin/planspec.js')
    const ok = spawnSync(process.execPath, [bin, 'validate', 'examples/minimal'], { cwd: REPO, encoding: 'utf8' })
    expect(ok.status).toBe(0)
    const dir = tempTree({ 'x.yaml': 'kind: Nope\n' })
    const bad = spawnSync(process.execPath, [bin, 'validate', dir, '--strict', '-o', 'json'], { encoding: 'utf8' })
    expect(bad.status).toBe(1)
    expect(JSON.parse(bad.stdout).summary.errors).toBe(1)
    const usage = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' })
    expect(usage.status).toBe(2)
    expect(usage.stderr).toContain("unknown command 'frobnicate'")
  })
})

describe('planspec run', () => {
  it('runs the minimal example to completion with its gate approved, logging one line per transition', async () => {
    const { code, stdout } = await cli(['run', 'examples/minimal', '--execution', 'changelog-2025-w10', '--approve', 'changelog-approval'])
    expect(stdout).toMatch(/node editor-approval Blocked reason=AwaitingApproval\n/)
    expect(stdout).toMatch(/node editor-approval Succeeded\n/)
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('execution changelog-2025-w10: Succeeded (Succeeded): every node succeeded or was skipped')
    expect(code).toBe(0)
  })

  it('stops Blocked with exit 1 when a gate is not approved, and resumes from --state to completion', async () => {
    const dir = tempTree({})
    const state = join(dir, 'run.json')
    const blocked = await cli(['run', 'examples/minimal', '--execution', 'changelog-2025-w10', '--state', state])
    expect(blocked.code).toBe(1)
    expect(JSON.parse(readFileSync(state, 'utf8')).phase).toBe('Blocked')
    const resumed = await cli(['run', 'examples/minimal', '--execution', 'changelog-2025-w10', '--state', state, '--approve', 'changelog-approval', '-o', 'json'])
    expect(resumed.code).toBe(0)
    const execution = JSON.parse(resumed.stdout)
    expect(execution.status.phase).toBe('Succeeded')
    // Work done before the stop is kept, not run again.
    expect(execution.status.nodeStatuses.collect.attempt).toBe(1)
  })

  it('refuses a command that is not on the allow-list, with a clear reason on the node', async () => {
    const { code, stdout } = await cli(['run', 'examples/google-sso', '--execution', 'sso-exec-001'])
    expect(code).toBe(1)
    expect(stdout).toMatch(/reason=NotAllowed message="command \\"node\\" is not on the allow-list \(allow it with --allow-command, an absolute path or a glob\)"/)
  })

  it('exits 2 for an Execution that does not exist', async () => {
    const { code, stderr } = await cli(['run', 'examples/minimal', '--execution', 'nope'])
    expect(code).toBe(2)
    expect(stderr).toBe('error: no Execution named "nope"\n')
  })
})

describe('planspec simulate', () => {
  const H = 'apiVersion: planspec.io/v1alpha1\n'
  const files = (binding: string, gate: string): Record<string, string> => ({
    'plan.yaml': `${H}kind: Plan\nmetadata: {name: p}\nspec:\n  description: d\n  graph:\n    nodes:\n      - {id: build, kind: Task, capabilityRefs: [{name: builder}], timeout: 10m}\n      - {id: ok, kind: Gate, gateRef: {name: g}, dependsOn: [build]}\n      - {id: ship, kind: Task, capabilityRefs: [{name: builder}], dependsOn: [ok], timeout: 5m}\n`,
    'cap.yaml': `${H}kind: Capability\nmetadata: {name: builder}\nspec: {description: d}\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: {name: b}\nspec:\n  rules:\n${binding}`,
    'gate.yaml': `${H}kind: Gate\nmetadata: {name: g}\nspec:\n  gateType: approval\n  targetRef: {kind: Plan, name: p}\n${gate}`,
    'exec.yaml': `${H}kind: Execution\nmetadata: {name: e}\nspec:\n  planRef: {name: p}\n  bindingRef: {name: b}\n`,
  })
  const bound = '    - selector: {capabilityRef: {name: builder}}\n      target: {provider: "noop://b"}\n'

  it('reports providers, order, critical path and gates, exit 0 when nothing would stop the run', async () => {
    const dir = tempTree(files(bound, '  reviewers: ["user:ana", "user:ben"]\n  requiredApprovers: 2\n'))
    const { code, stdout } = await cli(['simulate', '.', '--execution', 'e'], { cwd: dir })
    expect(stdout).toContain('simulation of execution e (plan p): Succeeded')
    expect(stdout).toMatch(/1\s+build\s+task\s+noop:\/\/b\s+0s → 10m/)
    expect(stdout).toContain('start order:   build, ship')
    expect(stdout).toContain('critical path: build → ok → ship (15m at most, from node timeouts)')
    expect(stdout).toContain('gate:          ok waits on Gate g: 2 approvals from user:ana, user:ben')
    expect(code).toBe(0)
  })

  it('reports an unbound capability, an unknown provider and a gate that cannot be approved, exit 1', async () => {
    const unbound = await cli(['simulate', '.', '--execution', 'e', '-o', 'json'], { cwd: tempTree(files('    - selector: {capabilityRef: {name: other}}\n      target: {provider: "noop://x"}\n', '')) })
    expect(unbound.code).toBe(1)
    expect(JSON.parse(unbound.stdout).problems.map((p: { code: string }) => p.code)).toEqual(['PS4012', 'PS4012'])
    const unknown = await cli(['simulate', '.', '--execution', 'e', '-o', 'json'], { cwd: tempTree(files('    - selector: {capabilityRef: {name: builder}}\n      target: {provider: "ftp://old"}\n', '')) })
    expect(JSON.parse(unknown.stdout).problems.map((p: { code: string }) => p.code)).toEqual(['PS4009', 'PS4009'])
    const gate = await cli(['simulate', '.', '--execution', 'e'], { cwd: tempTree(files(bound, '  reviewers: ["user:ana"]\n  requiredApprovers: 2\n')) })
    expect(gate.code).toBe(1)
    expect(gate.stdout).toContain('error PS4013: Gate "g" needs 2 distinct approvers but lists only 1 reviewer')
  })

  it('draws the simulated run as a Mermaid Gantt chart with the critical path marked', async () => {
    const { stdout } = await cli(['simulate', 'examples/minimal', '--execution', 'changelog-2025-w10', '-o', 'mermaid'])
    // What mermaid makes of it (axis, names, milestones) is tested in mermaid-outputs.test.ts.
    expect(stdout.split('\n').slice(0, 9)).toEqual(['---', 'title: "Simulated run of changelog-2025-w10 (time from start; ★ critical path)"', 'config:', '  gantt:', expect.stringMatching(/^ {4}leftPadding: \d+$/), '---', 'gantt', '  dateFormat YYYY-MM-DD HH:mm:ss', '  axisFormat +%H:%M'])
    expect(stdout).not.toMatch(/\bcrit\b/)
    expect(stdout).toMatch(/:milestone, n\d+, 2001-01-01 00:02:00, 2001-01-01 00:02:00$/m)
  })
})
