// Watches across two API servers on one PostgreSQL schema (two replicas in one process): a
// BOOKMARK from one replica is a version the other resumes from, with no gap and no duplicate.
import { afterEach, describe, expect, it } from 'vitest'
import { buildServer, type ApiStore } from '../src/index.js'
import { API, auth, body, goal, openWatchStream, tokens, validation } from './helpers.js'
import { createDatabase, newSchema, openPostgres } from './postgres.js'

const closing: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closing.splice(0)) await close()
})
const database = await createDatabase('replica_watch')

function replica(schema: string) {
  const store: ApiStore = openPostgres(database, { schema })
  const app = buildServer({ store, tokens, validation, logger: false, limits: { rateLimit: false, bookmarkIntervalMs: 50 } })
  closing.push(async () => {
    await app.close()
    await store.close()
  })
  return { app, store, post: async (name: string) => body(await app.inject({ method: 'POST', url: `${API}/namespaces/team/goals`, headers: auth(), payload: goal(name) })) }
}

describe('watch across replicas', () => {
  it('resumes on one replica from a BOOKMARK another replica sent', async () => {
    const schema = newSchema()
    const a = replica(schema)
    const b = replica(schema)
    await Promise.all([a.app.ready(), b.app.ready()])
    const first = await a.post('first')
    const onB = await openWatchStream(b.app, `${API}/namespaces/team/goals?watch=true&sendInitialEvents=false&allowWatchBookmarks=true`)
    const current = (e: Record<string, any>): boolean => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) >= Number(first.metadata.resourceVersion)
    await onB.until((events) => events.some(current), 20_000)
    onB.close()
    const bookmark = onB.events.find(current)!.object.metadata.resourceVersion as string
    const second = await a.post('second')
    const third = await b.post('third')
    const onA = await openWatchStream(a.app, `${API}/namespaces/team/goals?watch=true&resourceVersion=${bookmark}`)
    await onA.until((events) => events.length >= 2, 20_000)
    expect(onA.events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`)).toEqual([`ADDED second ${second.metadata.resourceVersion}`, `ADDED third ${third.metadata.resourceVersion}`])
    onA.close()
  }, 60_000)
})
