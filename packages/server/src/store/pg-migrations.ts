import { PlanSpecError } from '@planspec/core'
import type pg from 'pg'
import type { PgNames } from './pg-names.js'
import { inTransaction } from './pg-client.js'

/** One versioned step of the database schema. Steps are applied in order, each once. */
export interface Migration {
  readonly version: number
  readonly name: string
  /** The statements, given the qualified table names. */
  readonly sql: (n: PgNames) => string
}

/**
 * The schema, one step per version, never edited once released (a change is a new step):
 * 1. `meta` (the global resourceVersion `rv` and the compaction `floor`), `objects` (the current
 *    state) and `events` (the change log, one row per write, keyed by resourceVersion): the same
 *    layout as the SQLite store's;
 * 2. `leases` with their fencing-token sequence (the Execution controller's leases);
 * 3. `attempt_logs`: the kept output of Executions' attempts (`executions/{name}/log`).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'objects, events and the global resourceVersion',
    sql: (n) => `
      CREATE TABLE ${n.meta} (key text PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO ${n.meta} (key, value) VALUES ('rv', 0), ('floor', 0);
      CREATE TABLE ${n.objects} (kind text NOT NULL, ns text NOT NULL, name text NOT NULL, rv bigint NOT NULL, data text NOT NULL, PRIMARY KEY (kind, ns, name));
      CREATE TABLE ${n.events} (rv bigint PRIMARY KEY, type text NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')), kind text NOT NULL, ns text NOT NULL, name text NOT NULL, data text NOT NULL);
      CREATE INDEX events_by_key ON ${n.events} (kind, ns, name, rv);`,
  },
  {
    version: 2,
    name: 'leases with fencing tokens',
    sql: (n) => `
      CREATE SEQUENCE ${n.leaseTokens};
      CREATE TABLE ${n.leases} (name text PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL, acquired_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);`,
  },
  {
    version: 3,
    name: 'attempt logs',
    sql: (n) => `
      CREATE TABLE ${n.attemptLogs} (ns text NOT NULL, execution text NOT NULL, uid text NOT NULL, node text NOT NULL, attempt integer NOT NULL, stream text NOT NULL CHECK (stream IN ('stdout', 'stderr')),
        bytes bigint NOT NULL, truncated boolean NOT NULL, text text NOT NULL, PRIMARY KEY (ns, execution, node, attempt, stream));`,
  },
]

/** The database's schema is newer than this program knows: it was migrated by a newer planspec. */
export class SchemaTooNewError extends PlanSpecError {
  constructor(found: number, known: number) {
    super(`the database schema is at version ${found}, newer than this planspec knows (${known}): upgrade planspec on this replica`, { code: 'PLANSPEC_ERR_STORE_SCHEMA_TOO_NEW', data: { found, known }, terminal: true })
  }
}

/** Told about each applied step, and the version found. */
export interface MigrationLog {
  applied(migration: Migration): void
  current(version: number, applied: number): void
}

/**
 * Brings the schema up to date: in one transaction, under an advisory lock (so replicas starting
 * at once take turns, and the second finds the work done), creates the schema and the
 * `schema_migrations` table when missing and applies every step newer than the recorded version,
 * recording each. Idempotent. Throws `SchemaTooNewError` when the database is ahead of `steps`.
 */
export async function migrate(pool: pg.Pool, names: PgNames, log: MigrationLog, steps: readonly Migration[] = MIGRATIONS): Promise<number> {
  const { found, known, pending } = await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`planspec:${names.schema}`])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${names.schemaIdentifier}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${names.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const recorded = Number((await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${names.migrations}`)).rows[0]?.version ?? 0)
    const latest = steps.at(-1)?.version ?? 0
    if (recorded > latest) throw new SchemaTooNewError(recorded, latest)
    const newer = steps.filter((step) => step.version > recorded)
    for (const step of newer) {
      await client.query(step.sql(names))
      await client.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [step.version, step.name])
    }
    return { found: recorded, known: latest, pending: newer }
  })
  for (const step of pending) log.applied(step)
  log.current(Math.max(found, known), pending.length)
  return Math.max(found, known)
}
