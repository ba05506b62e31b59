// serve({ executions: true }): Executions created through the API are run by the server.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve, sqliteStore, startExecutionController, type RunningServer, type ServeOptions } from '../src/index.js'
import { API, EDITOR_POLICY, TOKEN, tokens, type User } from './helpers.js'

const ns = `${API}/namespaces/team`
type Obj = Record<string, any>

interface Started extends RunningServer {
  call(method: string, path: string, payload?: unknown, user?: User): Promise<{ status: number; body: Obj }>
  /** Polls GET `path` until `predicate(object)` holds. */
  until(path: string, predicate: (object: Obj) => boolean, ms?: number): Promise<Obj>
}

async function start(options: Partial<ServeOptions> & { dir?: string } = {}): Promise<Started> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'planspec-serve-runs-'))
  const server = await serve({ db: join(dir, 'planspec.db'), workspace: join(dir, 'runs'), listen: { port: 0 }, tokens, logger: false, limits: { rateLimit: false }, executions: true, pollMs: 50, ...options })
  onTestFinished(async () => {
    await server.close()
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true })
  })
  const call = async (method: string, path: string, payload?: unknown, user: User = 'admin') => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN[user]}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    })
    return { status: res.status, body: (await res.json()) as Obj }
  }
  // RBAC is on: let every user act on the PlanSpec kinds (409 when a restarted server has it already).
  for (const object of EDITOR_POLICY) expect([201, 409]).toContain((await call('POST', `${API}/${object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, object)).status)
  const until = async (path: string, predicate: (object: Obj) => boolean, ms = 8000) => {
    const deadline = Date.now() + ms
    for (;;) {
      const { body } = await call('GET', path)
      if (predicate(body)) return body
      if (Date.now() > deadline) throw new Error(`condition not met on ${path}: ${JSON.stringify(body.status)}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return Object.assign(server, { call, until })
}

/** Reads a watch stream (NDJSON) over a real connection. */
async function watch(server: Started, path: string) {
  const controller = new AbortController()
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN.admin}` }, signal: controller.signal })
  const events: Obj[] = []
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += decoder.decode(value, { stream: true })
        for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
          events.push(JSON.parse(buffer.slice(0, i)) as Obj)
          buffer = buffer.slice(i + 1)
        }
      }
    } catch {
      // aborted
    }
  })()
  onTestFinished(() => controller.abort())
  return {
    events,
    async until(predicate: (all: Obj[]) => boolean, ms = 8000) {
      const deadline = Date.now() + ms
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`watch condition not met: ${JSON.stringify(events.map((e) => [e.type, e.object?.status?.phase]))}`)
        await new Promise((r) => setTimeout(r, 10))
      }
    },
  }
}

const task = (id: string, extra: Obj = {}) => ({ id, kind: 'Task', capabilityRefs: [{ name: 'work' }], ...extra })
const gateNode = (id: string, gate: string, dependsOn: string[]) => ({ id, kind: 'Gate', gateRef: { name: gate }, dependsOn })
const plan = (name: string, nodes: Obj[]) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name, namespace: 'team' }, spec: { description: name, graph: { nodes } } })
const binding = (target: Obj = { provider: 'noop://ok', config: { outputs: { n: 1 } } }) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Binding', metadata: { name: 'b', namespace: 'team' }, spec: { rules: [{ selector: { capabilityRef: { name: 'work' } }, target }] } })
const execution = (name: string, planName: string) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Execution', metadata: { name, namespace: 'team' }, spec: { planRef: { name: planName }, bindingRef: { name: 'b' } } })
const gate = (name: string, target: string) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Gate', metadata: { name, namespace: 'team' }, spec: { gateType: 'approval', targetRef: { kind: 'Execution', name: target }, reviewers: ['team:acme/sre'] } })
const gatedPlan = (gateName = 'review') => plan('gated', [task('build'), gateNode('review', gateName, ['build']), task('publish', { dependsOn: ['review'] })])
const phaseOf = (object: Obj) => object.status?.phase as string | undefined

async function post(server: Started, kind: string, object: Obj, user: User = 'admin'): Promise<Obj> {
  const res = await server.call('POST', `${ns}/${kind}`, object, user)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

describe('serve runs Executions', () => {
  it('runs an Execution created through the API to Succeeded with noop providers; a watch sees its status history', async () => {
    const server = await start()
    const stream = await watch(server, `${ns}/executions?watch=true`)
    await post(server, 'plans', plan('p', [task('a', { outputs: ['n'] }), task('b', { dependsOn: ['a'], inputs: { n: '${{ nodes.a.outputs.n }}' } })]))
    await post(server, 'bindings', binding())
    await post(server, 'executions', execution('run', 'p'))
    await stream.until((events) => events.some((e) => phaseOf(e.object) === 'Succeeded'))
    const phases = stream.events.map((e) => phaseOf(e.object)).filter((phase, i, all) => i === 0 || phase !== all[i - 1])
    expect(phases).toEqual(['Pending', 'Running', 'Succeeded'])
    expect(stream.events[0]!.type).toBe('ADDED')
    const stored = (await server.call('GET', `${ns}/executions/run`)).body
    expect(stored.status.nodeStatuses).toMatchObject({ a: { phase: 'Succeeded', attempt: 1, outputs: { n: 1 } }, b: { phase: 'Succeeded', attempt: 1 } })
    expect(stored.status.specHash).toMatch(/^sha256:/)
    expect(stored.status.extensions['io.planspec.runSource'].resources.map((r: Obj) => `${r.kind}/${r.name}`)).toEqual(['Execution/run', 'Plan/p', 'Binding/b'])
    await server.executions!.settled()
    expect(server.executions!.running()).toEqual([])
  })

  it('waits Blocked on a Gate until an eligible reviewer approves it, keeping the plan it started with', async () => {
    const server = await start()
    await post(server, 'plans', gatedPlan())
    await post(server, 'bindings', binding())
    await post(server, 'gates', gate('review', 'run'))
    await post(server, 'executions', execution('run', 'gated'), 'carol')
    const blocked = await server.until(`${ns}/executions/run`, (e) => phaseOf(e) === 'Blocked')
    expect(blocked.status.nodeStatuses).toMatchObject({ build: { phase: 'Succeeded' }, review: { phase: 'Blocked' } })
    expect(blocked.status.nodeStatuses.publish?.phase ?? 'Pending').toBe('Pending')
    await server.until(`${ns}/gates/review`, (g) => phaseOf(g) === 'Waiting')

    // A Plan change after the start does not alter the run.
    const stored = (await server.call('GET', `${ns}/plans/gated`)).body
    expect((await server.call('PUT', `${ns}/plans/gated`, { ...stored, spec: { ...stored.spec, graph: { nodes: [...stored.spec.graph.nodes, task('extra', { dependsOn: ['publish'] })] } } })).status).toBe(200)

    expect((await server.call('POST', `${ns}/gates/review/approve`, {}, 'carol')).status).toBe(403)
    expect((await server.call('POST', `${ns}/gates/review/approve`, {}, 'dave')).status).toBe(403)
    expect(phaseOf((await server.call('GET', `${ns}/executions/run`)).body)).toBe('Blocked')
    const approved = await server.call('POST', `${ns}/gates/review/approve`, { comment: 'ship it' }, 'alice')
    expect(approved.status).toBe(200)
    const done = await server.until(`${ns}/executions/run`, (e) => phaseOf(e) === 'Succeeded')
    expect(Object.keys(done.status.nodeStatuses).sort()).toEqual(['build', 'publish', 'review'])
    expect(done.status.nodeStatuses.review.phase).toBe('Succeeded')
  })

  it('fails a Gate node whose Gate does not exist, and re-opens the run once on POST .../retry', async () => {
    const server = await start()
    await post(server, 'plans', gatedPlan('missing'))
    await post(server, 'bindings', binding())
    await post(server, 'executions', execution('run', 'gated'), 'carol')
    const failed = await server.until(`${ns}/executions/run`, (e) => phaseOf(e) === 'Failed')
    expect(failed.status).toMatchObject({ reason: 'GateNotFound', nodeStatuses: { review: { phase: 'Failed', reason: 'GateNotFound' } } })

    await post(server, 'gates', gate('missing', 'run'))
    const retried = await server.call('POST', `${ns}/executions/run/retry`, { nodes: ['review'] })
    expect(retried.status).toBe(200)
    const requested = retried.body.metadata.annotations['planspec.io/retry'] as string
    const blocked = await server.until(`${ns}/executions/run`, (e) => phaseOf(e) === 'Blocked')
    expect(blocked.status.extensions['io.planspec.retryApplied']).toBe(requested)
    expect((await server.call('POST', `${ns}/gates/missing/approve`, {}, 'alice')).status).toBe(200)
    const done = await server.until(`${ns}/executions/run`, (e) => phaseOf(e) === 'Succeeded')
    expect(done.status.nodeStatuses.build.attempt).toBe(1)
    expect(done.status.nodeStatuses.publish).toMatchObject({ phase: 'Succeeded', attempt: 1 })
    await server.executions!.settled()
    expect(phaseOf((await server.call('GET', `${ns}/executions/run`)).body)).toBe('Succeeded')
  })

  it('cancels through the API: a running attempt is stopped through its provider', async () => {
    const server = await start({ policy: { allowCommands: [process.execPath], allowUrls: [] } })
    await post(server, 'plans', plan('p', [task('slow'), task('after', { dependsOn: ['slow'] })]))
    await post(server, 'bindings', binding({ provider: 'exec://slow', config: { command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'] } }))
    await post(server, 'executions', execution('run', 'p'))
    await server.until(`${ns}/executions/run`, (e) => e.status?.nodeStatuses?.slow?.phase === 'Running')
    const started = Date.now()
    expect((await server.call('POST', `${ns}/executions/run/cancel`, {})).status).toBe(200)
    const cancelled = await server.until(`${ns}/executions/run`, (e) => phaseOf(e) === 'Cancelled')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(cancelled.status.nodeStatuses.slow.phase).toMatch(/^(Cancelled|Failed)$/)
    expect(cancelled.status.nodeStatuses.after.phase).not.toBe('Succeeded')
    expect((await server.call('POST', `${ns}/executions/run/cancel`, {})).status).toBe(409)
  })

  it('waits for its Plan (PlanResolved=False) and runs once the Plan is created', async () => {
    const server = await start()
    await post(server, 'bindings', binding())
    await post(server, 'executions', execution('early', 'later'))
    const waiting = await server.until(`${ns}/executions/early`, (e) => (e.status?.conditions ?? []).some((c: Obj) => c.type === 'PlanResolved'))
    expect(waiting.status.phase).toBe('Pending')
    expect(waiting.status.conditions).toContainEqual(expect.objectContaining({ type: 'PlanResolved', status: 'False', reason: 'PlanNotFound' }))
    await post(server, 'plans', plan('later', [task('a')]))
    const done = await server.until(`${ns}/executions/early`, (e) => phaseOf(e) === 'Succeeded')
    expect(done.status.conditions).toContainEqual(expect.objectContaining({ type: 'PlanResolved', status: 'True', reason: 'PlanFound' }))
  })

  it('finishes an External node when the resource it references succeeds', async () => {
    const server = await start()
    await post(server, 'bindings', binding())
    await post(server, 'plans', gatedPlan())
    await post(server, 'plans', plan('follow', [{ id: 'wait', kind: 'External', externalRef: { type: 'resource', resourceRef: { kind: 'Execution', name: 'up' } }, pollInterval: '1s' }, task('after', { dependsOn: ['wait'] })]))
    await post(server, 'gates', gate('review', 'up'))
    await post(server, 'executions', execution('up', 'gated'), 'carol')
    await post(server, 'executions', execution('down', 'follow'))
    await server.until(`${ns}/executions/down`, (e) => e.status?.nodeStatuses?.wait?.phase === 'Blocked')
    await server.until(`${ns}/executions/up`, (e) => phaseOf(e) === 'Blocked')
    expect((await server.call('POST', `${ns}/gates/review/approve`, {}, 'alice')).status).toBe(200)
    await server.until(`${ns}/executions/up`, (e) => phaseOf(e) === 'Succeeded')
    const down = await server.until(`${ns}/executions/down`, (e) => phaseOf(e) === 'Succeeded')
    expect(down.status.nodeStatuses).toMatchObject({ wait: { phase: 'Succeeded' }, after: { phase: 'Succeeded' } })
  })

  it('resumes a blocked run after a restart on the same database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-serve-resume-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const first = await serve({ db: join(dir, 'planspec.db'), workspace: join(dir, 'runs'), listen: { port: 0 }, tokens, logger: false, executions: true, pollMs: 50 })
    const headers = (user: User) => ({ authorization: `Bearer ${TOKEN[user]}`, 'content-type': 'application/json' })
    for (const object of EDITOR_POLICY) await fetch(`${first.url}${API}/${object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, { method: 'POST', headers: headers('admin'), body: JSON.stringify(object) })
    for (const [kind, object, user] of [['plans', gatedPlan(), 'admin'], ['bindings', binding(), 'admin'], ['gates', gate('review', 'run'), 'admin'], ['executions', execution('run', 'gated'), 'carol']] as const) {
      expect((await fetch(`${first.url}${ns}/${kind}`, { method: 'POST', headers: headers(user), body: JSON.stringify(object) })).status).toBe(201)
    }
    for (let i = 0; i < 400; i++) {
      const e = (await (await fetch(`${first.url}${ns}/executions/run`, { headers: headers('admin') })).json()) as Obj
      if (phaseOf(e) === 'Blocked') break
      await new Promise((r) => setTimeout(r, 20))
    }
    await first.close()
    const second = await start({ dir })
    expect(phaseOf((await second.call('GET', `${ns}/executions/run`)).body)).toBe('Blocked')
    expect((await second.call('POST', `${ns}/gates/review/approve`, {}, 'alice')).status).toBe(200)
    const done = await second.until(`${ns}/executions/run`, (e) => phaseOf(e) === 'Succeeded')
    expect(done.status.nodeStatuses.build.attempt).toBe(1)
  })
})

describe('startExecutionController', () => {
  const setupStore = () => {
    const store = sqliteStore()
    const dir = mkdtempSync(join(tmpdir(), 'planspec-controller-'))
    const controller = startExecutionController({ store, workspace: dir, pollMs: 20, resyncMs: 30, policy: { allowCommands: [process.execPath], allowUrls: [] } })
    onTestFinished(async () => {
      await controller.stop()
      store.close()
      rmSync(dir, { recursive: true, force: true })
    })
    return { store, controller, dir }
  }
  const key = (name: string) => ({ kind: 'Execution', namespace: 'team', name })
  const waitFor = async (store: ReturnType<typeof sqliteStore>, name: string, predicate: (status: Obj | undefined) => boolean) => {
    const deadline = Date.now() + 5000
    for (;;) {
      const status = (await store.get(key(name)))?.status as Obj | undefined
      if (predicate(status)) return status!
      if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(status)}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  it('leaves claimable work Blocked and never dispatches it twice, however often it looks again', async () => {
    const { store } = setupStore()
    await store.create(plan('p', [task('review-by-hand')]))
    await store.create(binding({ provider: 'human://editors' }))
    await store.create(execution('run', 'p'))
    const blocked = await waitFor(store, 'run', (s) => s?.phase === 'Blocked')
    expect(blocked.nodeStatuses['review-by-hand']).toMatchObject({ phase: 'Blocked', attempt: 1 })
    const version = (await store.get(key('run')))!.metadata.resourceVersion
    await new Promise((r) => setTimeout(r, 300)) // about ten resyncs
    const after = await store.get(key('run'))
    expect(after!.metadata.resourceVersion).toBe(version)
    expect((after!.status as Obj).nodeStatuses['review-by-hand'].attempt).toBe(1)
  })

  it('completes claimable work through POST .../complete: outputs recorded, the run goes on; a node not waiting is refused', async () => {
    const server = await start()
    await post(server, 'plans', plan('p', [task('review-by-hand', { outputs: ['verdict'] }), task('after', { dependsOn: ['review-by-hand'] })]))
    await post(server, 'bindings', { ...binding(), spec: { rules: [{ selector: { planRef: { name: 'p' }, nodeId: 'review-by-hand' }, target: { provider: 'human://user:admin' } }, { selector: { capabilityRef: { name: 'work' } }, target: { provider: 'noop://ok' } }] } })
    await post(server, 'executions', execution('run', 'p'))
    const deadline = Date.now() + 10_000
    let res = await server.call('GET', `${ns}/executions/run`)
    while (res.body.status?.nodeStatuses?.['review-by-hand']?.reason !== 'AwaitingClaim' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
      res = await server.call('GET', `${ns}/executions/run`)
    }
    expect(res.body.status.phase).toBe('Blocked')
    const early = await server.call('POST', `${ns}/executions/run/complete`, { node: 'after' })
    expect(early.status).toBe(409)
    const done = await server.call('POST', `${ns}/executions/run/complete`, { node: 'review-by-hand', outputs: { verdict: 'ship it' } })
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    while (res.body.status?.phase !== 'Succeeded' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
      res = await server.call('GET', `${ns}/executions/run`)
    }
    expect(res.body.status.nodeStatuses['review-by-hand']).toMatchObject({ phase: 'Succeeded', attempt: 1, outputs: { verdict: 'ship it' } })
    expect(res.body.status.phase).toBe('Succeeded')
    const late = await server.call('POST', `${ns}/executions/run/complete`, { node: 'review-by-hand' })
    expect(late.status).toBe(409)
  })

  it('ends Cancelled a run cancelled before its Plan exists, and stops runs of deleted Executions', async () => {
    const { store, controller, dir } = setupStore()
    await store.create(binding())
    await store.create({ ...execution('orphan', 'missing'), metadata: { name: 'orphan', namespace: 'team', annotations: { 'planspec.io/cancel': 'true' } } })
    const cancelled = await waitFor(store, 'orphan', (s) => s?.phase === 'Cancelled')
    expect(cancelled).toMatchObject({ reason: 'CancelledByUser' })

    await store.create(plan('p', [task('slow'), task('after', { dependsOn: ['slow'] })]))
    await store.delete({ kind: 'Binding', namespace: 'team', name: 'b' })
    await store.create(binding({ provider: 'exec://slow', config: { command: [process.execPath, '-e', "require('fs').writeFileSync('pid', String(process.pid)); setTimeout(() => {}, 60000)"] } }))
    await store.create(execution('doomed', 'p'))
    await waitFor(store, 'doomed', (s) => s?.nodeStatuses?.slow?.phase === 'Running')
    expect(controller.running()).toEqual(['execution/team/doomed'])
    const pidFile = join(dir, 'team', 'doomed', 'pid')
    for (let i = 0; i < 500 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 10))
    const pid = Number(readFileSync(pidFile, 'utf8'))
    await store.delete(key('doomed'))
    const deadline = Date.now() + 5000
    while (controller.running().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(controller.running()).toEqual([])
    expect(await store.get(key('doomed'))).toBeUndefined()
    // The attempt was cancelled through its provider: the command's process is gone.
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 10))
    expect(alive(pid)).toBe(false)
  })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
