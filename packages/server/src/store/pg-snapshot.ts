import type pg from 'pg'
import type { Snapshot, SnapshotObject } from './pg-mirror.js'
import type { PgNames } from './pg-names.js'
import { inTransaction } from './pg-client.js'
import { readEventRows, type RawEventRow } from './pg-rows.js'

/**
 * Reads the database's whole state in one consistent snapshot (a read-only, repeatable-read
 * transaction): the resourceVersion, the compaction floor, every object and the retained event
 * log. A replica loads it on start, and again when it finds that events it lacks were compacted.
 */
export async function loadSnapshot(pool: pg.Pool, n: PgNames): Promise<Snapshot> {
  const { meta, objects, events } = await inTransaction(
    pool,
    async (client) => ({
      meta: await client.query<{ key: string; value: string }>(`SELECT key, value::text AS value FROM ${n.meta}`),
      objects: await client.query<{ kind: string; ns: string; name: string; rv: string; data: string }>(`SELECT kind, ns, name, rv::text AS rv, data FROM ${n.objects}`),
      events: await client.query<RawEventRow>(`SELECT rv::text AS rv, type, kind, ns, name, data FROM ${n.events} e ORDER BY e.rv`),
    }),
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  )
  const value = (key: string): number => Number(meta.rows.find((row) => row.key === key)?.value ?? 0)
  return {
    version: value('rv'),
    floor: value('floor'),
    objects: objects.rows.map((row): SnapshotObject => ({ kind: row.kind, ns: row.ns, name: row.name, rv: Number(row.rv), data: row.data })),
    events: readEventRows(events.rows),
  }
}
