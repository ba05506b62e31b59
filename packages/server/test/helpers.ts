// Shared test setup: a server over an in-memory SQLite store, tokens, and manifest builders.
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { onTestFinished } from 'vitest'
import { buildServer, createValidationPool, parseTokens, sqliteStore, type BuildServerOptions, type SqliteStore } from '../src/index.js'

export const API = '/apis/planspec.io/v1alpha1'

/**
 * admin is in system:masters (the RBAC bypass group); controller is an external engine (group
 * system:controllers: the only API writer of node results) that may also do everything; the
 * others are plain users.
 */
export const TOKEN = { admin: 'admin-secret-token', controller: 'controller-secret-token', alice: 'alice-secret-token', bob: 'bob-secret-token', carol: 'carol-secret-token', dave: 'dave-secret-token' } as const
export type User = keyof typeof TOKEN
export const TOKENS_CSV = [
  `${TOKEN.admin},admin,system:masters`,
  `${TOKEN.controller},engine,"system:controllers,system:masters"`,
  `${TOKEN.alice},alice,"acme/sre,writers"`,
  `${TOKEN.bob},bob,acme/sre`,
  `${TOKEN.carol},carol,acme/dev`,
  `${TOKEN.dave},dave`,
].join('\n')
export const tokens = parseTokens(TOKENS_CSV)
export const auth = (user: User = 'admin'): Record<string, string> => ({ authorization: `Bearer ${TOKEN[user]}` })

/** One pool of validation workers for the whole test process: starting them once keeps each test's server cheap. */
export const validation = createValidationPool()

let clock = 0
/** A deterministic clock: one second per call. */
export const testNow = (): string => new Date(Date.UTC(2026, 0, 1) + clock++ * 1000).toISOString()

/** Builds a server (and its store) that is closed when the current test finishes. */
export function setup(options: Partial<BuildServerOptions> & { store?: SqliteStore } = {}) {
  const store = options.store ?? sqliteStore({ now: testNow })
  const app = buildServer({ tokens, validation, logger: false, now: testNow, limits: { rateLimit: false }, ...options, store })
  onTestFinished(async () => {
    await app.close()
    store.close()
  })
  const request = (opts: InjectOptions & { user?: User | null }): Promise<LightMyRequestResponse> => {
    const { user, headers, ...rest } = opts
    return app.inject({ ...rest, headers: { ...(user === null ? {} : auth(user ?? 'admin')), ...(headers as Record<string, string> | undefined) } })
  }
  return { app, store, request }
}

export const goal = (name: string, extra: Record<string, unknown> = {}, namespace = 'team') => ({
  apiVersion: 'planspec.io/v1alpha1',
  kind: 'Goal',
  metadata: { name, namespace, ...extra },
  spec: { description: `goal ${name}` },
})

export const plan = (name: string, nodes: unknown[] = [{ id: 'a', kind: 'Task', description: 'a' }], namespace = 'team', labels?: Record<string, string>) => ({
  apiVersion: 'planspec.io/v1alpha1',
  kind: 'Plan',
  metadata: { name, namespace, ...(labels ? { labels } : {}) },
  spec: { description: `plan ${name}`, graph: { nodes } },
})

export const execution = (name: string, planName: string, namespace = 'team', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'planspec.io/v1alpha1',
  kind: 'Execution',
  metadata: { name, namespace, ...extra },
  spec: { planRef: { name: planName } },
})

export const gate = (name: string, spec: Record<string, unknown> = {}, namespace = 'team') => ({
  apiVersion: 'planspec.io/v1alpha1',
  kind: 'Gate',
  metadata: { name, namespace },
  spec: { gateType: 'approval', targetRef: { kind: 'Execution', name: 'run-1' }, ...spec },
})

/**
 * The policy most tests assume: every authenticated user may do everything to the PlanSpec kinds
 * (not to roles, bindings or namespaces). RBAC is on by default, so tests that act as plain users
 * apply it first, as an operator bootstrapping a server would.
 */
export const EDITOR_POLICY = [
  { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'planspec-editor' }, rules: [{ resources: ['goals', 'plans', 'capabilities', 'bindings', 'executions', 'gates'], verbs: ['*'] }] },
  {
    apiVersion: 'planspec.io/v1alpha1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'planspec-editors' },
    subjects: [{ kind: 'Group', name: 'system:authenticated' }],
    roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'planspec-editor' },
  },
]

/** Grants every authenticated user the editor policy (see {@link EDITOR_POLICY}). */
export async function grantEditors(request: ReturnType<typeof setup>['request']): Promise<void> {
  for (const object of EDITOR_POLICY) await create(request, object as never)
}

/** Parses a JSON response body. */
export const body = (res: { readonly payload: string }): Record<string, any> => JSON.parse(res.payload) as Record<string, any>

/** Creates an object through the API and returns the stored object. */
export async function create(request: ReturnType<typeof setup>['request'], object: { kind: string; metadata: { name: string; namespace?: string } }, user: User = 'admin') {
  const plural = { Goal: 'goals', Plan: 'plans', Execution: 'executions', Gate: 'gates', Capability: 'capabilities', Binding: 'bindings', Role: 'roles', RoleBinding: 'rolebindings', ClusterRole: 'clusterroles', ClusterRoleBinding: 'clusterrolebindings' }[object.kind]!
  const url = object.metadata.namespace === undefined ? `${API}/${plural}` : `${API}/namespaces/${object.metadata.namespace}/${plural}`
  const res = await request({ method: 'POST', url, payload: object, user })
  if (res.statusCode !== 201) throw new Error(`create ${object.kind} failed: ${res.statusCode} ${res.payload}`)
  return body(res)
}

/** A watch stream read in-process (inject with payloadAsStream): its parsed events as they arrive. */
export interface WatchHandle {
  readonly statusCode: number
  readonly events: Record<string, any>[]
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>
  /** Disconnects, as a client closing its connection. */
  close(): void
  /** Waits until `predicate(events)` holds (polling the event loop), or fails after `ms`. */
  until(predicate: (events: Record<string, any>[]) => boolean, ms?: number): Promise<void>
}

/** Opens a watch on `url` (which must carry `watch=true`). */
export async function openWatchStream(app: ReturnType<typeof setup>['app'], url: string, user: User = 'admin'): Promise<WatchHandle> {
  const res = await app.inject({ method: 'GET', url, headers: auth(user), payloadAsStream: true })
  const events: Record<string, any>[] = []
  let buffer = ''
  const stream = res.stream()
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve)
    stream.on('error', () => resolve())
    stream.on('close', resolve)
  })
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      events.push(JSON.parse(buffer.slice(0, i)) as Record<string, any>)
      buffer = buffer.slice(i + 1)
    }
  })
  return {
    statusCode: res.statusCode,
    events,
    ended,
    close: () => (res.raw.res as unknown as { destroy(): void }).destroy(),
    async until(predicate, ms = 2000) {
      const deadline = Date.now() + ms
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`watch condition not met; events: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion]))}`)
        await new Promise((r) => setTimeout(r, 2))
      }
    },
  }
}
