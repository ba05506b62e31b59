// The issue's attacks on `planspec serve`, each against the real server process (the bundle):
// an ordinary token holder trying to move a run, approve his own run, escalate, and so on.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { REPO } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const API = '/apis/planspec.io/v1alpha1'
const V = 'planspec.io/v1alpha1'
const TOKENS = { admin: 'admin-token-hardening', alice: 'alice-token-hardening', bob: 'bob-token-hardening', carol: 'carol-token-hardening', mallory: 'mallory-token-hardening' } as const
type User = keyof typeof TOKENS
type Obj = Record<string, any>

const work = mkdtempSync(join(tmpdir(), 'planspec-serve-hardening-'))
const tokensFile = join(work, 'tokens.csv')
writeFileSync(tokensFile, [`${TOKENS.admin},admin,system:masters`, `${TOKENS.alice},alice,acme/sre`, `${TOKENS.bob},bob,acme/sre`, `${TOKENS.carol},carol,acme/dev`, `${TOKENS.mallory},mallory`].join('\n'))

interface Server {
  readonly url: string
  readonly child: ChildProcess
  log(): string
  call(method: string, path: string, payload?: unknown, user?: User, headers?: Record<string, string>): Promise<{ status: number; body: Obj; headers: Headers }>
  stop(): Promise<void>
}

/** Starts `planspec serve` from the bundle with the given flags; resolves once it logs its URL. */
async function startServe(name: string, flags: string[] = []): Promise<Server> {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  const child = spawn(process.execPath, [BIN, 'serve', '--insecure-http', '--db', join(dir, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', tokensFile, '--workspace', join(dir, 'runs'), ...flags], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, PLANSPEC_LOG_LEVEL: 'info' } })
  let log = ''
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  await vi.waitFor(() => expect(log).toMatch(/"url":"http/), { timeout: 20_000, interval: 50 })
  const url = /"url":"(http:\/\/[^"]+)"/.exec(log)![1]!
  return {
    url,
    child,
    log: () => log,
    async call(method, path, payload, user = 'admin', headers = {}) {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${TOKENS[user]}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }) })
      const text = await res.text()
      return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Obj) : { text }, headers: res.headers }
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

const ns = (path: string, namespace = 'default') => `${API}/namespaces/${namespace}${path}`
const role = (name: string, namespace: string | undefined, rules: object[]) => ({ apiVersion: V, kind: namespace === undefined ? 'ClusterRole' : 'Role', metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, rules })
const bindingTo = (name: string, namespace: string | undefined, roleKind: string, roleName: string, subject: object) => ({ apiVersion: V, kind: namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding', metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, subjects: [subject], roleRef: { apiGroup: 'planspec.io', kind: roleKind, name: roleName } })
const PLURAL: Record<string, string> = { Capability: 'capabilities', Plan: 'plans', Binding: 'bindings', Gate: 'gates', Execution: 'executions', Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' }
const urlOf = (object: Obj) => (object.metadata.namespace === undefined ? `${API}/${PLURAL[object.kind]}` : ns(`/${PLURAL[object.kind]}`, object.metadata.namespace))

let server: Server
beforeAll(async () => {
  server = await startServe('main', ['--allow-command', process.execPath])
  // The operator's bootstrap: everyone may work on the PlanSpec kinds, nothing more.
  for (const object of [
    role('planspec-editor', undefined, [{ resources: ['goals', 'plans', 'capabilities', 'bindings', 'executions', 'gates'], verbs: ['*'] }]),
    bindingTo('planspec-editors', undefined, 'ClusterRole', 'planspec-editor', { kind: 'Group', name: 'system:authenticated' }),
  ]) expect((await server.call('POST', urlOf(object), object)).status).toBe(201)
}, 30_000)
afterAll(async () => {
  await server?.stop()
  rmSync(work, { recursive: true, force: true })
})

/** A plan build → review (Gate) → ship on noop providers, its Gate, and a Binding. */
async function gatedPlan(plan: string, gate: Obj) {
  const objects = [
    { apiVersion: V, kind: 'Capability', metadata: { name: `${plan}-work` }, spec: { description: 'work' } },
    { apiVersion: V, kind: 'Plan', metadata: { name: plan }, spec: { description: 'gated', graph: { nodes: [{ id: 'build', kind: 'Task', capabilityRefs: [{ name: `${plan}-work` }] }, { id: 'review', kind: 'Gate', gateRef: { name: gate.metadata.name }, dependsOn: ['build'] }, { id: 'ship', kind: 'Task', capabilityRefs: [{ name: `${plan}-work` }], dependsOn: ['review'] }] } } },
    { apiVersion: V, kind: 'Binding', metadata: { name: plan }, spec: { rules: [{ selector: { capabilityRef: { name: `${plan}-work` } }, target: { provider: 'noop://done' } }] } },
    gate,
  ]
  for (const object of objects) expect((await server.call('POST', urlOf({ ...object, metadata: { ...object.metadata, namespace: 'default' } }), object)).status).toBe(201)
}
async function startRun(name: string, plan: string, user: User): Promise<Obj> {
  expect((await server.call('POST', ns('/executions'), { apiVersion: V, kind: 'Execution', metadata: { name }, spec: { planRef: { name: plan }, bindingRef: { name: plan } } }, user)).status).toBe(201)
  return waitFor(`/executions/${name}`, (e) => e.status?.nodeStatuses?.review?.phase === 'Blocked')
}
async function waitFor(path: string, predicate: (object: Obj) => boolean): Promise<Obj> {
  let last: Obj = {}
  await vi.waitFor(async () => expect(predicate((last = (await server.call('GET', ns(path))).body))).toBe(true), { timeout: 20_000, interval: 100 })
  return last
}
const gateOf = (name: string, targetRef: Obj, reviewers = ['team:acme/sre', 'user:carol', 'user:mallory']) => ({ apiVersion: V, kind: 'Gate', metadata: { name }, spec: { gateType: 'approval', targetRef, reviewers } })

describe('planspec serve hardening (real server process)', () => {
  it('keeps node phases to the controllers: a user with update on executions cannot pass a Gate node by writing status (422), and the run stays stopped', async () => {
    await gatedPlan('status-plan', gateOf('status-gate', { kind: 'Execution', name: 'status-run' }))
    const blocked = await startRun('status-run', 'status-plan', 'carol')
    const forged = { ...blocked, status: { ...blocked.status, nodeStatuses: { ...blocked.status.nodeStatuses, review: { phase: 'Succeeded', attempt: 0 } } } }
    const put = await server.call('PUT', ns('/executions/status-run/status'), forged, 'mallory')
    expect(put.status).toBe(422)
    expect(put.body.details.causes.map((c: Obj) => c.reason)).toContain('ControllerOwned')
    const patch = await server.call('PATCH', ns('/executions/status-run/status'), { metadata: { resourceVersion: blocked.metadata.resourceVersion }, status: { nodeStatuses: { review: { phase: 'Succeeded' } } } }, 'mallory', { 'content-type': 'application/merge-patch+json' })
    expect(patch.status).toBe(422)
    // The run still waits on its Gate: nothing after it ran.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const after = (await server.call('GET', ns('/executions/status-run'))).body
    expect(after.status.nodeStatuses.review.phase).toBe('Blocked')
    expect(after.status.nodeStatuses.ship?.phase ?? 'Pending').toBe('Pending')
    expect((await server.call('GET', ns('/gates/status-gate'))).body.status.phase).toBe('Waiting')
  })

  it.each([
    ['a targetRef naming a missing Execution', (run: string) => ({ kind: 'Execution', name: `${run}-ghost` })],
    ['a targetRef naming the Plan, with a newer run by someone else', (_run: string, plan: string) => ({ kind: 'Plan', name: plan })],
    ['a Gate shared by two Executions', (run: string) => ({ kind: 'Execution', name: run })],
  ])('refuses the author of a run approving it, with %s (403 SelfApproval)', async (what, targetRef) => {
    const id = what.includes('missing') ? 'sod-a' : what.includes('newer') ? 'sod-b' : 'sod-c'
    await gatedPlan(`${id}-plan`, gateOf(`${id}-gate`, targetRef(`${id}-run`, `${id}-plan`)))
    await startRun(`${id}-run`, `${id}-plan`, 'mallory')
    if (what.includes('newer')) expect((await server.call('POST', ns('/executions'), { apiVersion: V, kind: 'Execution', metadata: { name: `${id}-newer` }, spec: { planRef: { name: `${id}-plan` } } }, 'carol')).status).toBe(201)
    if (what.includes('shared')) await startRun(`${id}-other`, `${id}-plan`, 'carol')
    const own = await server.call('POST', ns(`/gates/${id}-gate/approve`), { execution: `${id}-run` }, 'mallory')
    expect(own.status).toBe(403)
    expect(own.body.details.causes[0].reason).toBe('SelfApproval')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await server.call('GET', ns(`/executions/${id}-run`))).body.status.nodeStatuses.ship?.phase ?? 'Pending').toBe('Pending')
    if (what.includes('missing')) {
      expect(own.headers.get('warning')).toContain('does not exist')
      const gate = await waitFor(`/gates/${id}-gate`, (g) => (g.status?.conditions ?? []).some((c: Obj) => c.type === 'TargetResolved'))
      expect(gate.status.conditions.find((c: Obj) => c.type === 'TargetResolved')).toMatchObject({ status: 'False', reason: 'TargetNotFound' })
    }
    // An eligible reviewer who is not the author lets the run go on.
    expect((await server.call('POST', ns(`/gates/${id}-gate/approve`), { execution: `${id}-run` }, 'alice')).status).toBe(200)
    await waitFor(`/executions/${id}-run`, (e) => e.status?.phase === 'Succeeded')
  })

  it('turns RBAC on whenever tokens are: a plain token cannot list or delete namespaces or bind roles', async () => {
    expect((await server.call('GET', '/api/v1/namespaces', undefined, 'mallory')).status).toBe(403)
    expect((await server.call('DELETE', '/api/v1/namespaces/default', undefined, 'mallory')).status).toBe(403)
    const crb = bindingTo('mine', undefined, 'ClusterRole', 'planspec-editor', { kind: 'User', name: 'mallory' })
    expect((await server.call('POST', `${API}/clusterrolebindings`, crb, 'mallory')).status).toBe(403)
    expect((await server.call('GET', ns('/goals'), undefined, 'mallory')).status).toBe(200)
  })

  it('refuses escalation by a user with create on "*" in a namespace: no "*" Role, no binding to more than she holds (403)', async () => {
    for (const object of [role('creator', 'team', [{ resources: ['*'], verbs: ['create'] }]), bindingTo('creators', 'team', 'Role', 'creator', { kind: 'User', name: 'mallory' }), role('everything', undefined, [{ resources: ['*'], verbs: ['*'] }])]) {
      expect((await server.call('POST', urlOf(object), object)).status).toBe(201)
    }
    const star = await server.call('POST', ns('/roles', 'team'), role('star', 'team', [{ resources: ['*'], verbs: ['*'] }]), 'mallory')
    expect(star.status).toBe(403)
    expect(star.body.message).toContain('not currently held')
    expect((await server.call('POST', ns('/rolebindings', 'team'), bindingTo('self', 'team', 'ClusterRole', 'everything', { kind: 'User', name: 'mallory' }), 'mallory')).status).toBe(403)
    // What she does hold, she may grant.
    expect((await server.call('POST', ns('/roles', 'team'), role('creator-too', 'team', [{ resources: ['goals'], verbs: ['create'] }]), 'mallory')).status).toBe(201)
  })

  it('answers /healthz while a large POST /validate is being validated (off the event loop)', async () => {
    // About 750 KB of plans (the body limit is 1 MiB): long enough to validate that several
    // probes fall inside it, with the fast path's speed (200-node plans took under 100 ms).
    const plan = (i: number) => `apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata:\n  name: p${i}\nspec:\n  description: d\n  graph:\n    nodes:\n${Array.from({ length: 600 }, (_, n) => `      - { id: n${n}, kind: Task${n ? `, dependsOn: [n${n - 1}]` : ''} }\n`).join('')}`
    const files = Array.from({ length: 24 }, (_, i) => ({ file: `p${i}.yaml`, text: plan(i) }))
    let validated = false
    const validating = server.call('POST', `${API}/validate`, { files }).then((res) => ((validated = true), res))
    // The old server parsed and validated on its event loop: no probe answered until it was done.
    let answeredMeanwhile = 0
    while (!validated) {
      const probe = await fetch(`${server.url}/healthz`)
      expect(probe.status).toBe(200)
      if (!validated) answeredMeanwhile++
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const res = await validating
    expect(res.status).toBe(200)
    expect(res.body.summary).toMatchObject({ files: 24, errors: 0 })
    expect(answeredMeanwhile).toBeGreaterThanOrEqual(3)
  }, 60_000)

  it('runs a criterion with a catastrophic pattern without stalling: the run ends at once, the server keeps answering', async () => {
    const objects = [
      { apiVersion: V, kind: 'Capability', metadata: { name: 'redos-work' }, spec: { description: 'work' } },
      { apiVersion: V, kind: 'Plan', metadata: { name: 'redos' }, spec: { description: 'a catastrophic outputMatch', graph: { nodes: [{ id: 'check', kind: 'Task', capabilityRefs: [{ name: 'redos-work' }], acceptanceCriteria: [{ name: 'output', type: 'command_succeeds', command: process.execPath, args: ['-e', `console.log('${'a'.repeat(60)}!')`], outputMatch: '^(a+)+$' }] }] } } },
      { apiVersion: V, kind: 'Binding', metadata: { name: 'redos' }, spec: { rules: [{ selector: { capabilityRef: { name: 'redos-work' } }, target: { provider: 'noop://done' } }] } },
      { apiVersion: V, kind: 'Execution', metadata: { name: 'redos-run' }, spec: { planRef: { name: 'redos' }, bindingRef: { name: 'redos' } } },
    ]
    for (const object of objects) expect((await server.call('POST', ns(`/${PLURAL[object.kind] ?? 'executions'}`), object)).status).toBe(201)
    const done = await waitFor('/executions/redos-run', (e) => e.status?.phase === 'Failed')
    expect(done.status.nodeStatuses.check).toMatchObject({ phase: 'Failed', reason: 'AcceptanceFailed', message: expect.stringContaining('stdout does not match outputMatch') })
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })

  it('closes slow-loris connections within its headers timeout (at most 20 s), and more than 256 from one address at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 300 }, () => slowLoris(new URL(server.url))))
    await vi.waitFor(() => expect(sockets.filter((s) => s.open()).length).toBeLessThanOrEqual(256), { timeout: 5_000, interval: 50 })
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    const started = Date.now()
    await Promise.all(sockets.map((s) => s.closed))
    expect(Date.now() - started).toBeLessThan(30_000)
  }, 60_000)

  it('refuses a JSON body that is not UTF-8 (400)', async () => {
    const bytes = Buffer.concat([Buffer.from('{"apiVersion":"planspec.io/v1alpha1","kind":"Goal","metadata":{"name":"utf"},"spec":{"description":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')])
    const res = await fetch(`${server.url}${ns('/goals')}`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' }, body: bytes })
    expect(res.status).toBe(400)
    expect(((await res.json()) as Obj).message).toBe('the request body is not valid UTF-8')
    expect((await server.call('GET', ns('/goals/utf'))).status).toBe(404)
  })

  it('creates its SQLite files readable by their owner only', () => {
    for (const suffix of ['', '-wal', '-shm']) expect(statSync(join(work, 'main', `planspec.db${suffix}`)).mode & 0o777).toBe(0o600)
  })

  it('logs a warning at every start with --insecure-allow-all-authenticated, where any token may do everything', async () => {
    const insecure = await startServe('insecure', ['--insecure-allow-all-authenticated'])
    try {
      expect(insecure.log()).toMatch(/RBAC is off/)
      expect((await insecure.call('GET', '/api/v1/namespaces', undefined, 'mallory')).status).toBe(200)
    } finally {
      await insecure.stop()
    }
    const help = spawnSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8' })
    expect(help.stdout).toContain('--insecure-allow-all-authenticated')
  })
})

/** A connection that sends a request line, then one header byte a second, and never ends its headers. */
function slowLoris(url: URL): Promise<{ closed: Promise<void>; open: () => boolean }> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname)
    let open = true
    const closed = new Promise<void>((done) => socket.once('close', () => ((open = false), done())))
    socket.on('error', () => undefined)
    const drip = setInterval(() => socket.writable && socket.write('X'), 1000)
    socket.once('close', () => clearInterval(drip))
    socket.once('connect', () => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ')
      resolve({ closed, open: () => open })
    })
    socket.once('close', () => resolve({ closed, open: () => open }))
  })
}
