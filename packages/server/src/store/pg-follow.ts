import pg, { escapeIdentifier } from 'pg'
import type { Mirror } from './pg-mirror.js'
import type { PgNames } from './pg-names.js'
import { storeError } from './pg-errors.js'
import { readEventRows, type RawEventRow } from './pg-rows.js'

/** What a follower logs: transitions only (unreachable, reachable again), never a credential. */
export interface StoreLog {
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
}

/** What the follower needs. */
export interface FollowerDeps {
  /** Connection settings of the dedicated `LISTEN` connection (the pool's, without pooling). */
  readonly config: pg.ClientConfig
  readonly pool: pg.Pool
  readonly names: PgNames
  readonly mirror: Mirror
  /** Reloads the whole local state (the events it lacks were compacted away). */
  readonly reload: (why: string) => Promise<void>
  /** The safety-net poll while the database answers, in ms. */
  readonly pollMs: number
  readonly log?: StoreLog
}

/** Keeps a replica's local state up to date with the database (see {@link createFollower}). */
export interface Follower {
  /** Starts listening and polling (after the first load). */
  start(): void
  /** Resolves once every event committed before the call is applied locally. Coalesced: concurrent callers share round trips. */
  catchUp(): Promise<void>
  /** Whether the database answered the last time it was asked. */
  healthy(): boolean
  /** Records the outcome of any database call (the writer's, the pool's idle errors). */
  report(ok: boolean, error?: unknown): void
  close(): Promise<void>
}

const PAGE = 1000
const FIRST_BACKOFF_MS = 250
const MAX_BACKOFF_MS = 5_000

/**
 * Creates the follower of a PostgreSQL replica: `LISTEN`/`NOTIFY` is only the wake-up; the event
 * table is the truth. On every notification, on every poll (`pollMs`, which also catches
 * notifications lost while the listening connection was down) and whenever a reader asks
 * (`catchUp`), it reads the events after the local version, in order, and applies them; a missing
 * event (compacted while this replica was cut off) reloads the whole state. The listening
 * connection reconnects with capped exponential backoff (250 ms to 5 s, with jitter), and so does
 * the poll while the database does not answer; `healthy()` is what `/readyz` reports.
 */
export function createFollower(deps: FollowerDeps): Follower {
  const { names: n, mirror } = deps
  let healthy = true
  let closed = false
  let started = false
  let listener: pg.Client | undefined
  let listenBackoff = FIRST_BACKOFF_MS
  let pollBackoff = FIRST_BACKOFF_MS
  let listenTimer: NodeJS.Timeout | undefined
  let pollTimer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let next: Promise<void> | undefined

  const report = (ok: boolean, error?: unknown): void => {
    if (ok === healthy) return
    healthy = ok
    if (ok) deps.log?.info({ database: 'reachable' }, 'the database answers again')
    else deps.log?.warn({ database: 'unreachable', err: error }, 'the database does not answer; retrying with backoff')
  }
  const fetchOnce = async (): Promise<void> => {
    for (;;) {
      const from = mirror.version()
      const results = (await deps.pool.query(`SELECT value::text AS value FROM ${n.meta} WHERE key = 'rv'; SELECT rv::text AS rv, type, kind, ns, name, data FROM ${n.events} e WHERE e.rv > ${from} ORDER BY e.rv LIMIT ${PAGE}`)) as unknown as { rows: Record<string, unknown>[] }[]
      const target = Number((results[0]!.rows[0] as { value: string } | undefined)?.value ?? 0)
      const rows = readEventRows(results[1]!.rows as unknown as RawEventRow[])
      if (target <= mirror.version()) return
      if (mirror.apply(rows) === 'gap') return deps.reload(`events after ${mirror.version()} were compacted away`)
      if (rows.length < PAGE && mirror.version() < target) return deps.reload(`the database is at ${target}, its event log ends at ${mirror.version()}`)
      if (mirror.version() >= target) return
    }
  }
  const fetch = async (): Promise<void> => {
    try {
      await fetchOnce()
      report(true)
    } catch (error) {
      const mapped = storeError(error, 'catching up')
      report(false, error)
      throw mapped
    }
  }
  // A caller must wait for a read that started after it asked: one that is already running may
  // have been sent before the write the caller wants to see committed.
  const catchUp = (): Promise<void> => {
    if (closed) return Promise.resolve()
    if (running === undefined) {
      running = fetch().finally(() => (running = undefined))
      return running
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined
        return catchUp()
      })
    return next
  }
  const jitter = (ms: number): number => Math.round(ms / 2 + (Math.random() * ms) / 2)
  const poll = (): void => {
    if (closed) return
    catchUp().then(
      () => {
        pollBackoff = FIRST_BACKOFF_MS
        pollTimer = setTimeout(poll, deps.pollMs)
      },
      () => {
        pollTimer = setTimeout(poll, jitter(pollBackoff))
        pollBackoff = Math.min(pollBackoff * 2, MAX_BACKOFF_MS)
      },
    )
  }
  const relisten = (client: pg.Client): void => {
    if (listener !== client) return
    listener = undefined
    client.removeAllListeners('notification')
    void client.end().catch(() => undefined)
    if (closed || listenTimer !== undefined) return
    listenTimer = setTimeout(() => {
      listenTimer = undefined
      void listen()
    }, jitter(listenBackoff))
    listenBackoff = Math.min(listenBackoff * 2, MAX_BACKOFF_MS)
  }
  const listen = async (): Promise<void> => {
    if (closed) return
    const client = new pg.Client(deps.config)
    listener = client
    client.on('error', (error) => {
      report(false, error)
      relisten(client)
    })
    client.on('end', () => relisten(client))
    client.on('notification', () => void catchUp().catch(() => undefined))
    try {
      await client.connect()
      await client.query(`LISTEN ${escapeIdentifier(n.channel)}`)
      listenBackoff = FIRST_BACKOFF_MS
      // Notifications sent while this connection was down are lost: read the table instead.
      void catchUp().catch(() => undefined)
    } catch (error) {
      report(false, error)
      relisten(client)
    }
  }

  return {
    start() {
      if (started || closed) return
      started = true
      void listen()
      pollTimer = setTimeout(poll, deps.pollMs)
    },
    catchUp,
    healthy: () => healthy,
    report,
    async close() {
      closed = true
      clearTimeout(pollTimer)
      clearTimeout(listenTimer)
      const client = listener
      listener = undefined
      await client?.end().catch(() => undefined)
    },
  }
}
