// Watch: initial events, resume from a resourceVersion, bookmarks, 410, selectors, timeouts, limits.
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { API, body, create, goal, openWatchStream, setup, testNow } from './helpers.js'

const summary = (events: Record<string, any>[]) => events.map((e) => `${e.type}:${e.object.metadata.name ?? ''}`)

describe('watch', () => {
  it('sends current objects as ADDED, then live changes in order, each with its resourceVersion', async () => {
    const { app, request } = setup()
    await create(request, goal('a'))
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true`)
    expect(w.statusCode).toBe(200)
    const a = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` }))
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...a, spec: { description: 'x' } } })
    await create(request, goal('b'))
    await create(request, goal('elsewhere', {}, 'other'))
    await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/a` })
    await w.until((e) => e.length >= 4)
    expect(summary(w.events)).toEqual(['ADDED:a', 'MODIFIED:a', 'ADDED:b', 'DELETED:a'])
    const versions = w.events.map((e) => Number(e.object.metadata.resourceVersion))
    expect(versions).toEqual([...versions].sort((x, y) => x - y))
    w.close()
  })

  it('resumes after a resourceVersion: replays what happened since, then streams live, with no gap or duplicate', async () => {
    const { app, request } = setup()
    const a = await create(request, goal('a'))
    await create(request, goal('b'))
    await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/b` })
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true&resourceVersion=${a.metadata.resourceVersion}`)
    await create(request, goal('c'))
    await w.until((e) => e.length >= 3)
    expect(summary(w.events)).toEqual(['ADDED:b', 'DELETED:b', 'ADDED:c'])
    w.close()
  })

  it('ends the initial events with a BOOKMARK annotated k8s.io/initial-events-end', async () => {
    const { app, request, store } = setup()
    await create(request, goal('a'))
    await create(request, goal('b'))
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`)
    await w.until((e) => e.length >= 3)
    expect(summary(w.events)).toEqual(['ADDED:a', 'ADDED:b', 'BOOKMARK:'])
    expect(w.events[2]!.object).toEqual({ kind: 'Goal', apiVersion: 'planspec.io/v1alpha1', metadata: { resourceVersion: store.currentResourceVersion(), annotations: { 'k8s.io/initial-events-end': 'true' } } })
    w.close()
  })

  it('sends periodic BOOKMARKs with the current resourceVersion, and no initial events with sendInitialEvents=false', async () => {
    const { app, request, store } = setup({ limits: { rateLimit: false, bookmarkIntervalMs: 20 } })
    await create(request, goal('a'))
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true&sendInitialEvents=false&allowWatchBookmarks=true`)
    await w.until((e) => e.length >= 2)
    expect(w.events.every((e) => e.type === 'BOOKMARK' && e.object.metadata.resourceVersion === store.currentResourceVersion())).toBe(true)
    w.close()
  })

  it('answers 410 Gone before streaming when the version is older than the retained history', async () => {
    const store = sqliteStore({ now: testNow, historyLimit: 2, compactEvery: 1 })
    const { app, request } = setup({ store })
    for (const n of ['a', 'b', 'c', 'd']) await create(request, goal(n))
    const res = await request({ method: 'GET', url: `${API}/namespaces/team/goals?watch=true&resourceVersion=1` })
    expect(res.statusCode).toBe(410)
    expect(body(res)).toMatchObject({ kind: 'Status', reason: 'Gone', code: 410 })
    const relist = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals` }))
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true&resourceVersion=${relist.metadata.resourceVersion}`)
    await create(request, goal('e'))
    await w.until((e) => e.length >= 1)
    expect(summary(w.events)).toEqual(['ADDED:e'])
    w.close()
  })

  it.each([
    ['abc', 400],
    ['999999', 400],
  ])('refuses resourceVersion %s with %i', async (rv, code) => {
    const { request } = setup()
    expect((await request({ method: 'GET', url: `${API}/namespaces/team/goals?watch=true&resourceVersion=${rv}` })).statusCode).toBe(code)
  })

  it('with a selector, turns objects that stop matching into DELETED and that start matching into ADDED', async () => {
    const { app, request } = setup()
    const a = await create(request, goal('a', { labels: { tier: 'gold' } }))
    await create(request, goal('b'))
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true&labelSelector=tier%3Dgold&resourceVersion=${a.metadata.resourceVersion}`)
    const b = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/b` }))
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/b`, payload: { ...b, metadata: { ...b.metadata, labels: { tier: 'gold' } } } })
    const a2 = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` }))
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...a2, metadata: { ...a2.metadata, labels: { tier: 'lead' } } } })
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...a2, metadata: { ...a2.metadata, resourceVersion: String(Number(a2.metadata.resourceVersion) + 2), labels: { tier: 'lead' } }, spec: { description: 'still not gold' } } })
    await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/b` })
    await w.until((e) => e.length >= 3)
    expect(summary(w.events)).toEqual(['ADDED:b', 'DELETED:a', 'DELETED:b'])
    w.close()
  })

  it('fans one change out to many watchers, each with its own selector, the same bytes to those that match', async () => {
    const { app, request } = setup()
    await create(request, goal('a', { labels: { tier: 'gold' } }))
    await create(request, goal('b'))
    const urls = ['fieldSelector=metadata.name%3Da', 'fieldSelector=metadata.name%3Db', 'labelSelector=tier%3Dgold', 'labelSelector=tier%3Dgold', '']
    const watchers = await Promise.all(urls.map((q) => openWatchStream(app, `${API}/namespaces/team/goals?watch=true&sendInitialEvents=false&${q}`)))
    const a = body(await request({ method: 'GET', url: `${API}/namespaces/team/goals/a` }))
    await request({ method: 'PUT', url: `${API}/namespaces/team/goals/a`, payload: { ...a, spec: { description: 'changed' } } })
    await request({ method: 'DELETE', url: `${API}/namespaces/team/goals/b` })
    for (const [i, w] of watchers.entries()) await w.until((e) => e.length >= [1, 1, 1, 1, 2][i]!)
    expect(watchers.map((w) => summary(w.events))).toEqual([['MODIFIED:a'], ['DELETED:b'], ['MODIFIED:a'], ['MODIFIED:a'], ['MODIFIED:a', 'DELETED:b']])
    expect(new Set(watchers.flatMap((w) => w.events.filter((e) => e.object.metadata.name === 'a').map((e) => JSON.stringify(e)))).size).toBe(1)
    for (const w of watchers) w.close()
  })

  it('filters initial events by fieldSelector and watches across namespaces', async () => {
    const { app, request } = setup()
    await create(request, goal('a'))
    await create(request, goal('a', {}, 'other'))
    await create(request, goal('b', {}, 'other'))
    const w = await openWatchStream(app, `${API}/goals?watch=true&fieldSelector=metadata.name%3Da&timeoutSeconds=0.2`)
    await w.ended
    expect(w.events.map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['other/a', 'team/a'])
  })

  it('ends the stream after timeoutSeconds and stops counting it as open', async () => {
    const { app } = setup()
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true&timeoutSeconds=0.05`)
    await w.ended
    expect(app.planspec.watches.size).toBe(0)
  })

  it('refuses more watches than the limit with 429', async () => {
    const { app, request } = setup({ limits: { rateLimit: false, maxWatches: 1 } })
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true`)
    const res = await request({ method: 'GET', url: `${API}/namespaces/team/goals?watch=true` })
    expect(res.statusCode).toBe(429)
    expect(res.headers['retry-after']).toBe('1')
    w.close()
  })

  it('ends a watcher that falls behind with an ERROR event (410 Expired), never dropping silently', async () => {
    const { app, request } = setup({ limits: { rateLimit: false, watchBufferBytes: 2048 } })
    const res = await app.inject({ method: 'GET', url: `${API}/namespaces/team/goals?watch=true`, headers: { authorization: 'Bearer admin-secret-token' }, payloadAsStream: true })
    // The stream is never read: its buffer fills.
    for (let i = 0; i < 80 && app.planspec.watches.size > 0; i++) await create(request, goal(`g${i}`))
    expect(app.planspec.watches.size).toBe(0)
    const text = await new Promise<string>((resolve) => {
      let all = ''
      const s = res.stream()
      s.on('data', (c: Buffer) => (all += c.toString()))
      s.on('end', () => resolve(all))
    })
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>)
    expect(lines.at(-1)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })
    const delivered = lines.slice(0, -1).map((l) => Number(l.object.metadata.resourceVersion))
    expect(delivered).toEqual([...delivered].sort((x, y) => x - y))
  })

  it('ends open watches when the server closes', async () => {
    const { app } = setup()
    const w = await openWatchStream(app, `${API}/namespaces/team/goals?watch=true`)
    await app.close()
    await w.ended
    expect(app.planspec.watches.size).toBe(0)
  })
})
