// Three PostgreSQL stores on one schema, as three replicas in one process: interleaved writes on
// all of them reach every replica's subscribers in one order, without a reload. The versions cross
// from two to three digits, where an ordering of resourceVersions as text would put 100 before 97.
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiStore } from '../src/index.js'
import { createDatabase, newSchema, openPostgres } from './postgres.js'

const stores: ApiStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})
const database = await createDatabase('replicas')

const role = (name: string, resourceName: string, resourceVersion?: string) => ({
  apiVersion: 'planspec.io/v1alpha1',
  kind: 'Role',
  metadata: { name, namespace: 'default', ...(resourceVersion === undefined ? {} : { resourceVersion }) },
  rules: [{ resources: ['goals'], verbs: ['get'], resourceNames: [resourceName] }],
})

describe('postgresStore replicas', () => {
  it('deliver every write of every replica to every replica in resourceVersion order, with no reload', async () => {
    const schema = newSchema()
    const warnings: string[] = []
    const log = { info: () => undefined, warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) }
    const replicas = [0, 1, 2].map(() => openPostgres(database, { schema, log }))
    stores.push(...replicas)
    await Promise.all(replicas.map((s) => s.ready()))
    const seen: string[][] = replicas.map(() => [])
    replicas.forEach((s, i) => s.subscribe((event) => seen[i]!.push(event.resourceVersion), () => seen[i]!.push('reset')))
    const written: string[] = []
    await Promise.all(
      Array.from({ length: 10 }, async (_, writer) => {
        let version: string | undefined
        for (let step = 0; step < 25; step++) {
          const store = replicas[(writer + step) % replicas.length]!
          await store.catchUp()
          const saved = version === undefined ? await store.create(role(`w${writer}`, 'step-0')) : await store.update(role(`w${writer}`, `step-${step}`, version))
          version = saved.metadata.resourceVersion!
          written.push(version)
        }
      }),
    )
    await vi.waitFor(() => expect(seen.map((s) => s.length)).toEqual([250, 250, 250]), { timeout: 30_000 })
    const ordered = [...written].sort((a, b) => Number(a) - Number(b))
    for (const sequence of seen) expect(sequence).toEqual(ordered)
    expect(Number(ordered.at(-1))).toBeGreaterThan(100)
    expect(warnings).toEqual([])
  }, 60_000)
})
