// serve(): a listening server over a SQLite file, with the status controllers running in-process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve, type RunningServer } from '../src/index.js'
import { API, EDITOR_POLICY, execution, gate, goal, plan, TOKEN, TOKENS_CSV, tokens } from './helpers.js'

async function start(options: { db?: string } = {}): Promise<RunningServer & { call: (method: string, path: string, payload?: unknown, user?: keyof typeof TOKEN) => Promise<{ status: number; body: any }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-serve-'))
  const server = await serve({ db: options.db ?? join(dir, 'planspec.db'), listen: { port: 0 }, tokens, logger: false, limits: { rateLimit: false } })
  onTestFinished(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const call = async (method: string, path: string, payload?: unknown, user: keyof typeof TOKEN = 'admin') => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN[user]}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    })
    const text = await res.text()
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text }
  }
  for (const object of EDITOR_POLICY) await call('POST', `${API}/${object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, object)
  return Object.assign(server, { call })
}

const settle = (server: RunningServer) => server.controllers!.settled()
const ns = `${API}/namespaces/team`

describe('serve', () => {
  it('listens, and keeps Plan and Goal statuses reconciled as objects come and go', async () => {
    const server = await start()
    expect((await server.call('POST', `${ns}/goals`, goal('ship'))).status).toBe(201)
    await settle(server)
    expect((await server.call('GET', `${ns}/goals/ship`)).body.status).toMatchObject({ phase: 'Pending', conditions: expect.arrayContaining([expect.objectContaining({ type: 'PlanResolved', status: 'False' })]) })
    await server.call('POST', `${ns}/plans`, { ...plan('ship-v1'), spec: { ...plan('ship-v1').spec, goalRef: { name: 'ship' } } })
    await settle(server)
    expect((await server.call('GET', `${ns}/plans/ship-v1`)).body.status).toMatchObject({ phase: 'Ready', nodeCount: 1 })
    expect((await server.call('GET', `${ns}/goals/ship`)).body.status).toMatchObject({ phase: 'Ready', activePlanRef: { name: 'ship-v1', namespace: 'team' } })
    await server.call('POST', `${ns}/executions`, { ...execution('run', 'ship-v1'), spec: { planRef: { name: 'ship-v1' }, goalRef: { name: 'ship' } } })
    await settle(server)
    expect((await server.call('GET', `${ns}/goals/ship`)).body.status.phase).toBe('Executing')
    const g = (await server.call('GET', `${ns}/goals/ship`)).body
    await server.call('PUT', `${ns}/goals/ship`, { ...g, metadata: { ...g.metadata, annotations: { ...g.metadata.annotations, 'planspec.io/cancel': 'true' } } })
    await settle(server)
    expect((await server.call('GET', `${ns}/goals/ship`)).body.status.phase).toBe('Cancelled')
  })

  it('reconciles Capabilities against their requirements and Bindings against the plans they serve', async () => {
    const server = await start()
    const capability = (name: string, requirements?: object[]) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Capability', metadata: { name, namespace: 'team' }, spec: { description: name, ...(requirements ? { requirements } : {}) } })
    await server.call('POST', `${ns}/capabilities`, capability('deploy', [{ name: 'build' }]))
    await settle(server)
    expect((await server.call('GET', `${ns}/capabilities/deploy`)).body.status.phase).toBe('Unavailable')
    await server.call('POST', `${ns}/capabilities`, capability('build'))
    await settle(server)
    expect((await server.call('GET', `${ns}/capabilities/deploy`)).body.status.phase).toBe('Available')

    await server.call('POST', `${ns}/plans`, plan('p', [{ id: 'a', kind: 'Task', capabilityRefs: [{ name: 'build' }] }, { id: 'b', kind: 'Task', capabilityRefs: [{ name: 'deploy' }], dependsOn: ['a'] }]))
    const binding = { apiVersion: 'planspec.io/v1alpha1', kind: 'Binding', metadata: { name: 'b', namespace: 'team' }, spec: { rules: [{ selector: { capabilityRef: { name: 'build' } }, target: { provider: 'noop://x' } }] } }
    await server.call('POST', `${ns}/bindings`, binding)
    await server.call('POST', `${ns}/executions`, { ...execution('run', 'p'), spec: { planRef: { name: 'p' }, bindingRef: { name: 'b' } } })
    await settle(server)
    expect((await server.call('GET', `${ns}/bindings/b`)).body.status).toMatchObject({ phase: 'Unresolved', totalCount: 2, boundCount: 1 })
    const stored = (await server.call('GET', `${ns}/bindings/b`)).body
    await server.call('PUT', `${ns}/bindings/b`, { ...stored, spec: { rules: [...binding.spec.rules, { selector: { capabilityRef: { name: 'deploy' } }, target: { provider: 'noop://y' } }] } })
    await settle(server)
    expect((await server.call('GET', `${ns}/bindings/b`)).body.status).toMatchObject({ phase: 'Ready', boundCount: 2, observedGeneration: 2 })
  })

  it('activates a Gate when a run reaches it, and returns a decided Gate to Waiting when its spec changes', async () => {
    const server = await start()
    await server.call('POST', `${ns}/plans`, plan('p', [{ id: 'review', kind: 'Gate', gateRef: { name: 'review' } }]))
    const run = (await server.call('POST', `${ns}/executions`, execution('run-1', 'p'))).body
    await server.call('POST', `${ns}/gates`, gate('review'))
    await settle(server)
    expect((await server.call('GET', `${ns}/gates/review`)).body.status.phase).toBe('Pending')
    await server.call('PUT', `${ns}/executions/run-1/status`, { ...run, status: { phase: 'Blocked', runDigest: `sha256:${'d'.repeat(64)}`, nodeStatuses: { review: { phase: 'Blocked' } } } }, 'controller')
    await settle(server)
    expect((await server.call('GET', `${ns}/gates/review`)).body.status.phase).toBe('Waiting')
    const approved = await fetch(`${server.url}${ns}/gates/review/approve`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN.alice}`, 'content-type': 'application/json' }, body: '{}' })
    expect(((await approved.json()) as { status: { phase: string } }).status.phase).toBe('Approved')
    await settle(server)
    const current = (await server.call('GET', `${ns}/gates/review`)).body
    await server.call('PUT', `${ns}/gates/review`, { ...current, spec: { ...current.spec, description: 'changed after approval' } })
    await settle(server)
    const after = (await server.call('GET', `${ns}/gates/review`)).body.status
    expect(after.phase).toBe('Waiting')
    expect(after.resolution).toBeUndefined()
    expect(after.reviewHistory).toHaveLength(1)
  })

  it('keeps data and issues higher versions after a restart on the same file; reads a tokens file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-restart-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const db = join(dir, 'planspec.db')
    writeFileSync(join(dir, 'tokens.csv'), TOKENS_CSV)
    const first = await serve({ db, listen: { port: 0 }, tokens: join(dir, 'tokens.csv'), logger: false, controllers: false })
    const created = await fetch(`${first.url}${ns}/goals`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(goal('kept')) })
    const rv = Number(((await created.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion)
    await first.close()
    await first.close()
    const second = await start({ db })
    expect((await second.call('GET', `${ns}/goals/kept`)).status).toBe(200)
    const next = await second.call('POST', `${ns}/goals`, goal('new'))
    expect(Number(next.body.metadata.resourceVersion)).toBeGreaterThan(rv)
  })

  it('fails to start on an unreadable tokens file, leaving nothing open', async () => {
    await expect(serve({ db: ':memory:', listen: { port: 0 }, tokens: '/nonexistent/tokens.csv', logger: false })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_API_TOKENS_FILE' })
    await expect(serve({ db: ':memory:', listen: { port: 1, host: '256.0.0.1' }, logger: false })).rejects.toBeDefined()
  })
})
