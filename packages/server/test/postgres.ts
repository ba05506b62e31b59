// Test support for the PostgreSQL store: a database per test file in the shared cluster
// (postgres-setup.ts), and stores over it, each in its own schema.
import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import pg from 'pg'
import { parseIntoClientConfig } from 'pg-connection-string'
import { postgresStore, type PostgresStore, type PostgresStoreOptions } from '../src/index.js'

const cluster = inject('postgres')

/** The shared cluster's superuser password (the URLs carry none). */
export const PG_PASSWORD = cluster.password

/** Creates a new database in the shared cluster and returns its URL (without a password). */
export async function createDatabase(prefix: string): Promise<string> {
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`
  const client = new pg.Client({ ...parseIntoClientConfig(`${cluster.url}postgres`), password: cluster.password })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  return `${cluster.url}${name}`
}

let schemas = 0
/** A fresh schema name: stores in different schemas of one database do not see each other. */
export const newSchema = (): string => `s${process.pid}_${++schemas}`

/** Opens a store over `url` (in a fresh schema unless one is given). */
export function openPostgres(url: string, options: Partial<PostgresStoreOptions> = {}): PostgresStore {
  return postgresStore({ connectionString: url, password: cluster.password, schema: newSchema(), pollMs: 200, ...options })
}
