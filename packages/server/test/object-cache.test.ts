// GET of one object is served from a cache of masked bytes: every answer must still be the answer a
// fresh read gives (writes by this process and others, deletes, new secrets) and every request is
// authorized (a revoked binding refuses a cached object at once).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRedactor } from '@planspec/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { createObjectCache } from '../src/server/object-cache.js'
import { API, body, create, goal, setup, testNow } from './helpers.js'
import { inAnotherProcess } from './other-process.js'

const url = `${API}/namespaces/team/goals/g`

describe('the object cache', () => {
  it('answers a repeated GET with the same bytes, and after a write, a delete or a new secret as a fresh read would', async () => {
    const redactor = createRedactor()
    const { request, store } = setup({ redactor })
    await create(request, goal('g'))
    const first = await request({ method: 'GET', url })
    const again = await request({ method: 'GET', url })
    expect(again.payload).toBe(first.payload)
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(JSON.parse(again.payload)).toEqual(JSON.parse(store.getText({ kind: 'Goal', namespace: 'team', name: 'g' })!))
    // The status subresource reads the same object.
    expect((await request({ method: 'GET', url: `${url}/status` })).payload).toBe(first.payload)
    // A write shows at once.
    const patched = await request({ method: 'PATCH', url, headers: { 'content-type': 'application/merge-patch+json' }, payload: { spec: { description: 'changed' } } })
    expect(patched.statusCode).toBe(200)
    const afterPatch = await request({ method: 'GET', url })
    expect(body(afterPatch).spec.description).toBe('changed')
    expect(body(afterPatch).metadata.resourceVersion).toBe(body(patched).metadata.resourceVersion)
    // A secret the redactor learns after the object was cached is masked in the next answer.
    redactor.add(['changed'])
    const masked = await request({ method: 'GET', url })
    expect(masked.payload).not.toContain('"changed"')
    expect(body(masked).spec.description).toBe('[REDACTED]')
    // A deleted object is gone at once.
    expect((await request({ method: 'DELETE', url })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url })).statusCode).toBe(404)
  })

  it('authorizes every request: a cached object is refused once the binding that allowed it is gone', async () => {
    const { request } = setup()
    await create(request, goal('g'))
    await create(request, { apiVersion: 'planspec.io/v1alpha1', kind: 'Role', metadata: { name: 'reader', namespace: 'team' }, rules: [{ resources: ['goals'], verbs: ['get'] }] } as never)
    await create(request, { apiVersion: 'planspec.io/v1alpha1', kind: 'RoleBinding', metadata: { name: 'readers', namespace: 'team' }, subjects: [{ kind: 'User', name: 'bob' }], roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'reader' } } as never)
    expect((await request({ method: 'GET', url, user: 'bob' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url, user: 'bob' })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url, user: 'carol' })).statusCode).toBe(403)
    expect((await request({ method: 'GET', url, user: null })).statusCode).toBe(401)
    expect((await request({ method: 'DELETE', url: `${API}/namespaces/team/rolebindings/readers` })).statusCode).toBe(200)
    expect((await request({ method: 'GET', url, user: 'bob' })).statusCode).toBe(403)
  })

  it('sees a write another process committed to the same database file, even past the retained history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-object-cache-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'api.db')
    const store = sqliteStore({ file, now: testNow, historyLimit: 5, compactEvery: 1 })
    const { request } = setup({ store })
    await create(request, goal('g'))
    expect(body(await request({ method: 'GET', url })).spec.description).toBe('goal g')
    // Another process (a second `planspec serve` or the CLI on the same file) updates g.
    const update = (name: string, description: string): string =>
      `{ const current = JSON.parse(store.getText({ kind: 'Goal', namespace: 'team', name: ${JSON.stringify(name)} })); await store.update({ ...current, spec: { description: ${JSON.stringify(description)} } }) }`
    const options = { historyLimit: 5, compactEvery: 1 }
    await inAnotherProcess(file, update('g', 'from another process'), options)
    expect(body(await request({ method: 'GET', url })).spec.description).toBe('from another process')
    // The change to g, then more changes to h than the history keeps: the store cannot say what
    // changed in between, so the cache starts over.
    const h = JSON.stringify(goal('h'))
    await inAnotherProcess(file, [`await store.create(${h})`, update('g', 'before the gap'), ...Array.from({ length: 12 }, (_, i) => update('h', `write ${i}`))].join('\n'), options)
    expect(body(await request({ method: 'GET', url })).spec.description).toBe('before the gap')
  })

  it('bounds what it holds and drops everything when the store resets', () => {
    const listeners: { event?: (e: never) => void; reset?: () => void } = {}
    const store = { subscribe: (event: (e: never) => void, reset?: () => void) => ((listeners.event = event), (listeners.reset = reset), () => undefined) }
    const cache = createObjectCache({ store, redactions: () => 0, maxEntries: 2 })
    const key = (name: string) => ({ kind: 'Goal', namespace: 'team', name })
    cache.set(key('a'), Buffer.from('a'))
    cache.set(key('b'), Buffer.from('b'))
    cache.set(key('c'), Buffer.from('c'))
    expect([cache.get(key('a')), String(cache.get(key('b'))), String(cache.get(key('c')))]).toEqual([undefined, 'b', 'c'])
    listeners.event?.({ key: key('b') } as never)
    expect(cache.get(key('b'))).toBeUndefined()
    listeners.reset?.()
    expect(cache.get(key('c'))).toBeUndefined()
  })
})
