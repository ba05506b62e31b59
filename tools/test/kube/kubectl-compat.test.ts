// kubectl against `planspec serve` (the bundled binary, over HTTPS, with a kubeconfig of URL, CA
// data and token): every operation is followed by a check of the objects' state through the API.
// kubectl is required: the suite fails, never skips, when it is missing (.ci/run installs Debian's
// kubernetes-client).
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { schemas } from '@planspec/schemas'
import { parse as parseYaml } from 'yaml'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { findKubectl, startKubeServer, type KubeServer } from './kube-server.js'

let server: KubeServer
const NS = '/apis/planspec.io/v1alpha1/namespaces/default'

beforeAll(async () => {
  expect(findKubectl(), 'kubectl is not on PATH: install Debian\'s kubernetes-client (.ci/run does)').toBeDefined()
  server = await startKubeServer()
}, 120_000)
afterAll(async () => server?.stop())

/** Runs kubectl as `user` with the suite's kubeconfig; HOME is the server's temp dir (discovery cache). */
function kubectl(args: string[], options: { user?: 'admin' | 'alice'; input?: string; env?: Record<string, string> } = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', args, { input: options.input ?? '', encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: server.dir, KUBECONFIG: server.kubeconfig(options.user ?? 'admin'), ...options.env } })
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}
function ok(args: string[], options: Parameters<typeof kubectl>[1] = {}): string {
  const result = kubectl(args, options)
  expect(result.code, `kubectl ${args.join(' ')}: ${result.stderr}`).toBe(0)
  return result.stdout
}
function file(name: string, text: string): string {
  const path = join(server.dir, name)
  writeFileSync(path, text)
  return path
}
const get = async (plural: string, name: string) => server.api('GET', `${NS}/${plural}/${name}`)
/** Parses a kubectl table (columns separated by two or more spaces) into rows keyed by header. */
function table(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n')
  const starts = [...header!.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index! }))
  return lines.map((line) => Object.fromEntries(starts.map((col, i) => [col.name, line.slice(col.at, starts[i + 1]?.at ?? line.length).trim()])))
}

const GOAL = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ship\nspec:\n  description: Ship the release\n'
const PLAN = `apiVersion: planspec.io/v1alpha1
kind: Plan
metadata:
  name: release
spec:
  description: How to ship
  goalRef: {name: ship}
  series: release
  version: "1.0.0"
  graph:
    nodes:
      - {id: build, kind: Task, description: Build it, capabilityRefs: [{name: work}]}
      - {id: publish, kind: Task, description: Publish it, capabilityRefs: [{name: work}], dependsOn: [build]}
`
const BINDING = 'apiVersion: planspec.io/v1alpha1\nkind: Binding\nmetadata:\n  name: noop\nspec:\n  rules:\n    - selector: {capabilityRef: {name: work}}\n      target: {provider: "noop://ok"}\n'
const EXECUTION = 'apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata:\n  name: release-1\nspec:\n  planRef: {name: release}\n  goalRef: {name: ship}\n  bindingRef: {name: noop}\n'

describe('kubectl against planspec serve', () => {
  it('discovers every kind with short names and the planspec category, and explains fields from the schemas', async () => {
    const names = ok(['api-resources', '-o', 'name']).trim().split('\n')
    expect(names).toEqual(expect.arrayContaining(['goals.planspec.io', 'plans.planspec.io', 'executions.planspec.io', 'gates.planspec.io', 'bindings.planspec.io', 'capabilities.planspec.io', 'namespaces']))
    const wide = table(ok(['api-resources', '--api-group', 'planspec.io']))
    expect(wide.find((r) => r.NAME === 'executions')).toMatchObject({ SHORTNAMES: 'ex,exec', NAMESPACED: 'true', KIND: 'Execution' })
    expect(kubectl(['get', 'ex']).code).toBe(0)
    // explain prints the schema's own documentation of the field.
    const explained = ok(['explain', 'goal.spec.planSelector'])
    const goalSchema = schemas.find((s) => s.title === 'Goal') as unknown as { $defs: { goalSpec: { properties: { planSelector: { description: string } } } } }
    const section = explained.split('DESCRIPTION:')[1]!.split('FIELDS:')[0]!.replace(/\s+/g, ' ').trim()
    expect(section.startsWith(goalSchema.$defs.goalSpec.properties.planSelector.description.replace(/\s+/g, ' '))).toBe(true)
    expect(explained).toMatch(/^KIND:\s+Goal$/m)
  }, 120_000)

  it('creates with validation on the server, refuses unknown fields, and applies (client-side and server-side)', async () => {
    ok(['create', '-f', file('goal.yaml', GOAL)])
    expect((await get('goals', 'ship')).body).toMatchObject({ kind: 'Goal', spec: { description: 'Ship the release' }, metadata: { managedFields: [{ manager: 'kubectl-create', operation: 'Update' }] } })
    const bad = kubectl(['create', '-f', file('bad.yaml', GOAL.replace('ship', 'bad').replace('  description:', '  colour: red\n  description:'))])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('colour')
    expect((await get('goals', 'bad')).status).toBe(404)

    ok(['apply', '-f', file('plan.yaml', PLAN), '-f', file('binding.yaml', BINDING)])
    expect((await get('plans', 'release')).body.spec.graph.nodes.map((n: { id: string }) => n.id)).toEqual(['build', 'publish'])
    ok(['apply', '-f', file('plan-2.yaml', PLAN.replace('How to ship', 'How to ship, v2'))])
    const plan = (await get('plans', 'release')).body
    expect(plan.spec.description).toBe('How to ship, v2')
    expect(plan.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('How to ship, v2')

    // Server-side apply: its own field manager; a field another manager set is a conflict until forced.
    ok(['apply', '--server-side', '-f', file('goal-ssa.yaml', GOAL.replace('ship', 'ssa'))])
    expect((await get('goals', 'ssa')).body.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:description': {} } } })])
    ok(['patch', 'goal', 'ssa', '--type=merge', '-p', '{"spec":{"description":"changed by a patch"}}'])
    const conflict = kubectl(['apply', '--server-side', '-f', join(server.dir, 'goal-ssa.yaml')])
    expect(conflict.code).toBe(1)
    expect(conflict.stderr).toContain('conflict with "kubectl-patch"')
    expect((await get('goals', 'ssa')).body.spec.description).toBe('changed by a patch')
    ok(['apply', '--server-side', '--force-conflicts', '-f', join(server.dir, 'goal-ssa.yaml')])
    expect((await get('goals', 'ssa')).body.spec.description).toBe('Ship the release')
  }, 180_000)

  it('diffs server-side (exit 1 with changes, 0 without) without changing anything', async () => {
    const before = (await get('goals', 'ssa')).body
    const changed = kubectl(['diff', '--server-side', '-f', file('goal-ssa-2.yaml', GOAL.replace('ship', 'ssa').replace('Ship the release', 'Ship it twice'))])
    expect(changed.code, changed.stderr).toBe(1)
    expect(changed.stdout).toContain('+  description: Ship it twice')
    expect((await get('goals', 'ssa')).body.metadata.resourceVersion).toBe(before.metadata.resourceVersion)
    const same = kubectl(['diff', '--server-side', '-f', join(server.dir, 'goal-ssa.yaml')])
    expect(same.code, same.stdout + same.stderr).toBe(0)
  }, 120_000)

  it('gets, describes, prints -o yaml, and shows the printer columns (wide too)', async () => {
    const yaml = parseYaml(ok(['get', 'goal', 'ship', '-o', 'yaml'])) as { metadata: { name: string; uid: string } }
    expect(yaml.metadata.uid).toBe((await get('goals', 'ship')).body.metadata.uid)
    const described = ok(['describe', 'goal', 'ship'])
    expect(described).toMatch(/^Name:\s+ship$/m)
    expect(described).toMatch(/^Kind:\s+Goal$/m)
    const plans = table(ok(['get', 'plans']))
    expect(plans).toEqual([expect.objectContaining({ NAME: 'release', NODES: '2', GOAL: 'ship', VERSION: '1.0.0' })])
    const wide = table(ok(['get', 'plans', '-o', 'wide']))
    expect(wide[0]).toMatchObject({ NAME: 'release', SERIES: 'release' })
    const everything = ok(['get', 'planspec', '-o', 'name']).trim().split('\n')
    expect(everything).toEqual(expect.arrayContaining(['goal.planspec.io/ship', 'plan.planspec.io/release', 'binding.planspec.io/noop']))
  }, 120_000)

  it('watches (-w) and waits (--for=jsonpath) while an Execution runs, then shows its columns', async () => {
    const watcher = spawn('kubectl', ['get', 'executions', '-w', '-o', 'jsonpath={.metadata.name}={.status.phase}{"\\n"}'], { env: { PATH: process.env.PATH ?? '', HOME: server.dir, KUBECONFIG: server.kubeconfig('admin') } })
    let seen = ''
    watcher.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()))
    try {
      // kubectl has listed (nothing yet) and its watch is open on the server: then the Execution is created.
      await vi.waitFor(async () => expect(await server.openWatches()).toBeGreaterThan(0), { timeout: 30_000, interval: 100 })
      ok(['create', '-f', file('execution.yaml', EXECUTION)])
      ok(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'execution/release-1', '--timeout=90s'])
      expect((await get('executions', 'release-1')).body.status.phase).toBe('Succeeded')
      // Every line came from the watch (the list was empty): its first event is the creation.
      await vi.waitFor(() => expect(seen.split('\n')).toContain('release-1=Succeeded'), { timeout: 30_000, interval: 100 })
      expect(seen.split('\n').filter(Boolean).length).toBeGreaterThan(1)
    } finally {
      watcher.kill()
    }
    expect(table(ok(['get', 'executions']))).toEqual([expect.objectContaining({ NAME: 'release-1', PHASE: 'Succeeded', PLAN: 'release', PROGRESS: '2/2' })])
    expect(table(ok(['get', 'ex', '-o', 'wide']))[0]).toMatchObject({ GOAL: 'ship' })
  }, 180_000)

  it('edits with KUBE_EDITOR, labels, annotates, and patches with every patch type Kubernetes serves for a custom resource', async () => {
    const editor = file('editor.mjs', "import { readFileSync, writeFileSync } from 'node:fs'\nconst f = process.argv[2]\nwriteFileSync(f, readFileSync(f, 'utf8').replace('description: Ship the release', 'description: Edited in an editor'))\n")
    ok(['edit', 'goal', 'ship'], { env: { KUBE_EDITOR: `${process.execPath} ${editor}` } })
    expect((await get('goals', 'ship')).body.spec.description).toBe('Edited in an editor')
    ok(['label', 'goal', 'ship', 'team=release'])
    ok(['annotate', 'goal', 'ship', 'planspec.io/owner=alice'])
    expect((await get('goals', 'ship')).body.metadata).toMatchObject({ labels: { team: 'release' }, annotations: { 'planspec.io/owner': 'alice' } })
    expect(table(ok(['get', 'goals', '-l', 'team=release']))[0]).toMatchObject({ NAME: 'ship' })

    ok(['patch', 'goal', 'ship', '--type=merge', '-p', '{"spec":{"priority":7}}'])
    expect((await get('goals', 'ship')).body.spec.priority).toBe(7)
    ok(['patch', 'goal', 'ship', '--type=json', '-p', '[{"op":"test","path":"/spec/priority","value":7},{"op":"replace","path":"/spec/priority","value":8}]'])
    expect((await get('goals', 'ship')).body.spec.priority).toBe(8)
    const failedTest = kubectl(['patch', 'goal', 'ship', '--type=json', '-p', '[{"op":"test","path":"/spec/priority","value":7},{"op":"replace","path":"/spec/priority","value":9}]'])
    expect(failedTest.code).toBe(1)
    expect((await get('goals', 'ship')).body.spec.priority).toBe(8)
    // Strategic merge is answered as Kubernetes answers it for a custom resource: 415, nothing changes.
    const strategic = kubectl(['patch', 'goal', 'ship', '-p', '{"spec":{"priority":9}}'])
    expect(strategic.code).toBe(1)
    expect(strategic.stderr).toContain('application/merge-patch+json')
    expect((await get('goals', 'ship')).body.spec.priority).toBe(8)
    const invalid = kubectl(['patch', 'goal', 'ship', '--type=merge', '-p', '{"spec":{"priority":"high"}}'])
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toContain('The Goal "ship" is invalid')
  }, 180_000)

  it('answers auth can-i and whoami from PlanSpec RBAC, and creates namespaces (protobuf bodies)', async () => {
    expect(kubectl(['auth', 'can-i', 'create', 'goals']).stdout.trim()).toBe('yes')
    const denied = kubectl(['auth', 'can-i', 'create', 'goals'], { user: 'alice' })
    expect(denied.code).toBe(1)
    expect(denied.stdout.trim()).toMatch(/^no\b/)
    expect(kubectl(['get', 'goals'], { user: 'alice' }).code).toBe(1)
    const rules = table(ok(['auth', 'can-i', '--list']))
    expect(rules[0]).toMatchObject({ Resources: '*.*', Verbs: '[*]' })
    expect(table(ok(['auth', 'whoami']))).toEqual(expect.arrayContaining([{ ATTRIBUTE: 'Username', VALUE: 'admin' }]))
    ok(['create', 'namespace', 'release-team'])
    expect((await server.api('GET', '/api/v1/namespaces/release-team')).status).toBe(200)
    ok(['apply', '-n', 'release-team', '-f', join(server.dir, 'goal.yaml')])
    expect((await server.api('GET', '/apis/planspec.io/v1alpha1/namespaces/release-team/goals/ship')).body.metadata.namespace).toBe('release-team')
  }, 120_000)

  it('deletes by name and by file, and the objects are gone', async () => {
    ok(['delete', 'goal', 'ssa'])
    expect((await get('goals', 'ssa')).status).toBe(404)
    ok(['delete', '-f', join(server.dir, 'binding.yaml')])
    expect((await get('bindings', 'noop')).status).toBe(404)
    const missing = kubectl(['delete', 'goal', 'ssa'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('"ssa" not found')
  }, 120_000)
})
