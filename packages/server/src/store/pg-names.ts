import { PlanSpecError } from '@planspec/core'
import { escapeIdentifier } from 'pg'

/** The qualified names of a store's tables in its schema, quoted, and its notification channel. */
export interface PgNames {
  /** The schema's name, as given. */
  readonly schema: string
  readonly schemaIdentifier: string
  readonly meta: string
  readonly objects: string
  readonly events: string
  readonly leases: string
  readonly leaseTokens: string
  readonly attemptLogs: string
  readonly migrations: string
  /** The `LISTEN`/`NOTIFY` channel that wakes replicas up after a commit (unquoted). */
  readonly channel: string
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/

/** The schema name is not a plain lower-case identifier of at most 40 characters. */
export class InvalidSchemaNameError extends PlanSpecError {
  constructor(schema: string) {
    super(`the database schema name ${JSON.stringify(schema)} must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 40 characters)`, { code: 'PLANSPEC_ERR_STORE_SCHEMA_NAME', data: { schema }, terminal: true })
  }
}

/** Names the tables of a store kept in `schema` (default `planspec`); throws `InvalidSchemaNameError` for a name that is not a plain identifier. */
export function pgNames(schema: string): PgNames {
  if (!SCHEMA_NAME.test(schema)) throw new InvalidSchemaNameError(schema)
  const s = escapeIdentifier(schema)
  return {
    schema,
    schemaIdentifier: s,
    meta: `${s}.meta`,
    objects: `${s}.objects`,
    events: `${s}.events`,
    leases: `${s}.leases`,
    leaseTokens: `${s}.lease_tokens`,
    attemptLogs: `${s}.attempt_logs`,
    migrations: `${s}.schema_migrations`,
    channel: `${schema}_planspec_events`,
  }
}
