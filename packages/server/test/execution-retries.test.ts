import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { terminal } from '@planspec/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { sqliteStore, startExecutionController, type ApiStore } from '../src/index.js'

type Obj = Record<string, any>
const V = 'planspec.io/v1alpha1'
const plan = { apiVersion: V, kind: 'Plan', metadata: { name: 'p', namespace: 'team' }, spec: { description: 'p', graph: { nodes: [{ id: 'a', kind: 'Task', capabilityRefs: [{ name: 'work' }] }] } } }
const binding = { apiVersion: V, kind: 'Binding', metadata: { name: 'b', namespace: 'team' }, spec: { rules: [{ selector: { capabilityRef: { name: 'work' } }, target: { provider: 'noop://ok' } }] } }
const execution = (name: string) => ({ apiVersion: V, kind: 'Execution', metadata: { name, namespace: 'team' }, spec: { planRef: { name: 'p' }, bindingRef: { name: 'b' } } })
const key = (name: string) => ({ kind: 'Execution', namespace: 'team', name })
// The floor of the Execution controller's backoff (`minMs` of its policy): no retry comes sooner.
const BACKOFF_FLOOR_MS = 100

/**
 * The real SQLite store, whose lease table fails for the runs named in `failing` (a database that
 * is locked for a while, or one whose failure no retry can mend), recording when each was tried.
 */
function failingLeases(store: ApiStore, failing: Map<string, () => Error | undefined>, tried: Map<string, number[]>): ApiStore {
  const leases = new Proxy(store.leases, {
    get(target, prop, receiver) {
      if (prop === 'acquire') {
        return async (name: string, ...rest: unknown[]) => {
          tried.set(name, [...(tried.get(name) ?? []), performance.now()])
          const error = failing.get(name)?.()
          if (error !== undefined) throw error
          return (target.acquire as (...args: unknown[]) => Promise<unknown>)(name, ...rest)
        }
      }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'leases') return leases
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

describe('the Execution controller on the work queue', () => {
  it('retries a run that failed transiently with backoff until it succeeds, and never retries a terminal failure until its Execution changes', async () => {
    const store = sqliteStore()
    const dir = mkdtempSync(join(tmpdir(), 'planspec-retries-'))
    let locked = 3
    const failing = new Map<string, () => Error | undefined>([
      ['execution/team/flaky', () => (locked-- > 0 ? new Error('database is locked') : undefined)],
      ['execution/team/broken', () => terminal(new Error('the lease table is corrupt'))],
    ])
    const tried = new Map<string, number[]>()
    const errors: { name: string; message: string }[] = []
    // No periodic resync in this test: only the queue's retries (and changes) may look at a run again.
    const controller = startExecutionController({ store: failingLeases(store, failing, tried), workspace: dir, pollMs: 20, resyncMs: 3_600_000, onError: (error, k) => errors.push({ name: k.name, message: (error as Error).message }) })
    onTestFinished(async () => {
      await controller.stop()
      store.close()
      rmSync(dir, { recursive: true, force: true })
    })
    await store.create(plan as never)
    await store.create(binding as never)
    await controller.settled()
    await store.create(execution('flaky') as never)
    await store.create(execution('broken') as never)

    // settled() resolves only when no failed run waits for its retry: flaky has succeeded, broken is not retried.
    await controller.settled()
    expect(((await store.get(key('flaky')))?.status as Obj | undefined)?.phase).toBe('Succeeded')
    expect(errors.filter((e) => e.name === 'flaky').map((e) => e.message)).toEqual(['database is locked', 'database is locked', 'database is locked'])
    const attempts = tried.get('execution/team/flaky')!
    expect(attempts).toHaveLength(4)
    for (let i = 1; i < attempts.length; i++) expect(attempts[i]! - attempts[i - 1]!).toBeGreaterThanOrEqual(BACKOFF_FLOOR_MS - 1)

    expect(errors.filter((e) => e.name === 'broken').map((e) => e.message)).toEqual(['the lease table is corrupt'])
    expect(tried.get('execution/team/broken')).toHaveLength(1)
    expect((await store.get(key('broken')))?.status).toMatchObject({ phase: 'Pending' })

    // Level-based: a change of the Execution looks at it again, and now the table answers.
    failing.delete('execution/team/broken')
    const broken = (await store.get(key('broken')))!
    await store.update({ ...broken, metadata: { ...broken.metadata, labels: { repaired: 'yes' } } } as never)
    await controller.settled()
    expect(tried.get('execution/team/broken')).toHaveLength(2)
    expect(((await store.get(key('broken')))?.status as Obj | undefined)?.phase).toBe('Succeeded')
  }, 60_000)
})
