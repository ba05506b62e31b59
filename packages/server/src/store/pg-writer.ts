import { escapeLiteral, type Pool, type PoolClient } from 'pg'
import type { StoreTransaction } from './api-store.js'
import type { Lease } from './leases.js'
import { checkOut } from './pg-client.js'
import type { Mirror } from './pg-mirror.js'
import type { PgNames } from './pg-names.js'
import { storeError } from './pg-errors.js'
import { readEventRows, type RawEventRow } from './pg-rows.js'
import type { EventRow } from './sqlite-tables.js'
import { StoreFencedError, StoreUnavailableError } from './store-errors.js'

/** What the writer needs from the store around it. */
export interface WriterDeps {
  readonly pool: Pool
  readonly names: PgNames
  readonly mirror: Mirror
  /** How many recent events the database keeps (compaction moves its floor to `rv - historyLimit`). */
  readonly historyLimit: number
  /** The database log is compacted when it holds this many events more than `historyLimit`. */
  readonly compactEvery: number
  /** Most units of work committed in one database transaction (default 128). */
  readonly maxBatch?: number
  /** Reloads the local state from the database (an event the local state needs was compacted away). */
  readonly reload: (why: string) => Promise<void>
  /** Told whether the database answered. */
  readonly onHealth: (ok: boolean, error?: unknown) => void
}

/** Commits units of work to the database (see {@link createWriter}). */
export interface Writer {
  /** Commits `work` (under `fence` when given); resolves with its result once durable. */
  submit<T>(work: (tx: StoreTransaction) => T, fence: Lease | undefined): Promise<T>
  /** Refuses new work and fails what waits. */
  close(): void
}

interface Job {
  readonly work: (tx: StoreTransaction) => unknown
  readonly fence: Lease | undefined
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/** The gap check of a round found the local state behind a compaction: reload, then try again. */
class NeedsReload {
  constructor(readonly why: string) {}
}

/**
 * Creates the writer of a PostgreSQL replica. Every write of every replica goes through one global
 * order: a round locks the `meta` row holding the resourceVersion (`SELECT ... FOR UPDATE`), so
 * rounds of all replicas take turns, and resourceVersions become visible in order with no gap (a
 * watcher reading `rv > N` can never skip a write that commits later with a smaller version).
 * Within its turn a round:
 * 1. reads the events committed since the local state's version and applies them, so the local
 *    state is exactly the database's, and reads the leases its fenced units are guarded by (`FOR
 *    SHARE`: a takeover waits for this round, or this round sees the new holder);
 * 2. runs every queued unit of work on the local state (`Mirror.simulate`): compare-and-swap
 *    checks see the latest state, so exactly one of concurrent writers with one version wins;
 *    a unit whose lease is gone fails with `StoreFencedError` without running;
 * 3. writes the events and objects of the units that succeeded in one statement, advances `rv`,
 *    notifies the other replicas (`pg_notify`, delivered at commit), compacts the log now and then,
 *    commits, applies the events locally and settles each unit.
 * Units queued while a round runs go together into the next round (group commit). A failure to
 * reach the database fails the round's units with `StoreUnavailableError`; when a commit's outcome
 * is unknown, the local state learns it from the database later.
 */
export function createWriter(deps: WriterDeps): Writer {
  const { pool, names: n, mirror } = deps
  const maxBatch = deps.maxBatch ?? 128
  const queue: Job[] = []
  let running = false
  let closed = false

  const writeSql = `
    WITH ev AS (
      INSERT INTO ${n.events} (rv, type, kind, ns, name, data)
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    ), up AS (
      INSERT INTO ${n.objects} (kind, ns, name, rv, data)
      SELECT * FROM unnest($7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[])
      ON CONFLICT (kind, ns, name) DO UPDATE SET rv = excluded.rv, data = excluded.data
    ), del AS (
      DELETE FROM ${n.objects} o USING unnest($12::text[], $13::text[], $14::text[]) AS d(kind, ns, name)
      WHERE o.kind = d.kind AND o.ns = d.ns AND o.name = d.name
    ), version AS (
      UPDATE ${n.meta} SET value = $15::bigint WHERE key = 'rv'
    )
    SELECT pg_notify($16, $17)`
  // Moving the floor from $1 to $2 drops the events that newer ones at or below it supersede, and
  // the deletion tombstones among them (the SQLite store's compaction, in PostgreSQL).
  const compactSql = `
    WITH gone AS (
      DELETE FROM ${n.events} WHERE rv IN (
        SELECT e.rv FROM ${n.events} nw JOIN ${n.events} e ON e.kind = nw.kind AND e.ns = nw.ns AND e.name = nw.name AND e.rv < nw.rv
        WHERE nw.rv > $1::bigint AND nw.rv <= $2::bigint
      ) OR (type = 'DELETED' AND rv > $1::bigint AND rv <= $2::bigint)
    )
    UPDATE ${n.meta} SET value = $2::bigint WHERE key = 'floor'`

  const schedule = (): void => {
    if (running || queue.length === 0) return
    running = true
    void round(queue.splice(0, maxBatch)).finally(() => {
      running = false
      schedule()
    })
  }

  async function round(jobs: Job[]): Promise<void> {
    let client: PoolClient
    let release: (broken: boolean) => void
    try {
      ;({ client, release } = await checkOut(pool, (error) => deps.onHealth(false, error)))
    } catch (error) {
      deps.onHealth(false, error)
      return fail(jobs, storeError(error, 'connecting'))
    }
    let broken = false
    let committed = false
    let outcome: NeedsReload | undefined
    try {
      outcome = await turn(client, jobs, () => (committed = true))
      deps.onHealth(true)
    } catch (error) {
      broken = storeError(error, 'writing') instanceof StoreUnavailableError
      if (broken) deps.onHealth(false, error)
      else await client.query('ROLLBACK').catch(() => (broken = true))
      fail(jobs, committed ? new StoreUnavailableError('the outcome of a commit is unknown (the connection was lost while committing)', { cause: error }) : storeError(error, 'writing'))
    } finally {
      release(broken)
    }
    if (outcome instanceof NeedsReload) {
      try {
        await deps.reload(outcome.why)
        queue.unshift(...jobs)
      } catch (error) {
        fail(jobs, storeError(error, 'reloading'))
      }
    }
  }

  /** One database transaction for `jobs`; settles them, or returns NeedsReload having settled none. */
  async function turn(client: PoolClient, jobs: Job[], committing: () => void): Promise<NeedsReload | undefined> {
    const from = mirror.version()
    const fenced = [...new Set(jobs.flatMap((job) => (job.fence === undefined ? [] : [job.fence.name])))]
    // One round trip: begin, take the global write turn, read what this replica has not seen yet,
    // and lock the leases the fenced units depend on.
    const results = (await client.query(
      [
        'BEGIN',
        `SELECT key, value::text AS value FROM ${n.meta} WHERE key IN ('rv', 'floor') ORDER BY key FOR UPDATE`,
        `SELECT rv::text AS rv, type, kind, ns, name, data FROM ${n.events} e WHERE e.rv > ${from} ORDER BY e.rv`,
        ...(fenced.length === 0 ? [] : [`SELECT name, holder, token::text AS token, expires_at > statement_timestamp() AS live FROM ${n.leases} WHERE name IN (${fenced.map(escapeLiteral).join(', ')}) FOR SHARE`]),
      ].join(';\n'),
    )) as unknown as { rows: Record<string, unknown>[] }[]
    const meta = new Map((results[1]!.rows as { key: string; value: string }[]).map((row) => [row.key, Number(row.value)]))
    const version = meta.get('rv') ?? 0
    const floor = meta.get('floor') ?? 0
    if (mirror.apply(readEventRows(results[2]!.rows as unknown as RawEventRow[])) === 'gap' || mirror.version() !== version) {
      await client.query('ROLLBACK')
      return new NeedsReload(`writing at ${version}, the local state is at ${mirror.version()}`)
    }
    const leases = new Map((results[3]?.rows ?? []).map((row) => [row.name as string, row as { holder: string; token: string; live: boolean }]))
    const runnable: Job[] = []
    const refused: Job[] = []
    for (const job of jobs) {
      const held = job.fence === undefined ? undefined : leases.get(job.fence.name)
      if (job.fence !== undefined && (held === undefined || held.holder !== job.fence.holder || held.token !== job.fence.token || !held.live)) refused.push(job)
      else runnable.push(job)
    }
    const simulation = mirror.simulate(
      runnable.map((job) => job.work),
      'commit',
    )
    const events = simulation.events
    if (events.length === 0) {
      await client.query('ROLLBACK')
    } else {
      const last = events.at(-1)!.rv
      await client.query(writeSql, writeParams(events, n.channel))
      if (last - floor >= deps.historyLimit + deps.compactEvery) await client.query(compactSql, [floor, last - deps.historyLimit])
      committing()
      await client.query('COMMIT')
      mirror.apply(events)
    }
    for (const job of refused) job.reject(new StoreFencedError(job.fence!))
    simulation.outcomes.forEach((outcome, i) => (outcome.ok ? runnable[i]!.resolve(outcome.value) : runnable[i]!.reject(outcome.error)))
    return undefined
  }

  function fail(jobs: readonly Job[], error: unknown): void {
    for (const job of jobs) job.reject(error)
  }

  return {
    submit<T>(work: (tx: StoreTransaction) => T, fence: Lease | undefined): Promise<T> {
      if (closed) return Promise.reject(new Error('the store is closed'))
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, fence, resolve: resolve as (value: unknown) => void, reject })
        schedule()
      })
    },
    close() {
      closed = true
      fail(queue.splice(0), new Error('the store is closed'))
    },
  }
}

/** The arrays of the write statement: every event, and the last state of each object the events touch. */
function writeParams(events: readonly EventRow[], channel: string): unknown[] {
  const last = new Map<string, EventRow>()
  for (const event of events) last.set(JSON.stringify([event.kind, event.ns, event.name]), event)
  const kept = [...last.values()]
  const upserts = kept.filter((e) => e.type !== 'DELETED')
  const deletes = kept.filter((e) => e.type === 'DELETED')
  const version = events.at(-1)!.rv
  return [
    events.map((e) => e.rv),
    events.map((e) => e.type),
    events.map((e) => e.kind),
    events.map((e) => e.ns),
    events.map((e) => e.name),
    events.map((e) => e.data),
    upserts.map((e) => e.kind),
    upserts.map((e) => e.ns),
    upserts.map((e) => e.name),
    upserts.map((e) => e.rv),
    upserts.map((e) => e.data),
    deletes.map((e) => e.kind),
    deletes.map((e) => e.ns),
    deletes.map((e) => e.name),
    version,
    channel,
    String(version),
  ]
}
