import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { DatabaseOptions } from '@planspec/server'
import { durationFlag } from '../../duration-flag.js'
import { UsageError, type CommandIO } from '../../io.js'

/** The database flags of `planspec serve`, as given. */
export interface DatabaseFlags {
  /** `--db`: a SQLite file or a `postgres://USER@HOST:PORT/DATABASE` URL (never with a password). */
  readonly db?: string
  /** `--db-password-file`: a file holding the PostgreSQL password (one line). */
  readonly dbPasswordFile?: string
  /** `--db-pool-size`. */
  readonly dbPoolSize?: string
  /** `--db-statement-timeout`, a duration. */
  readonly dbStatementTimeout?: string
}

/** The database `serve` opens: `db` (a file path, or a URL without a password) and the PostgreSQL settings. */
export interface ServeDatabase {
  readonly db: string
  readonly database?: DatabaseOptions
}

const DEFAULT_DB = 'planspec.db'

/**
 * Decides which database `planspec serve` opens, flag > environment > default: `--db`, else
 * `PLANSPEC_DB_URL`, else `planspec.db` (SQLite, relative to the working directory). A PostgreSQL
 * URL's password never comes from a flag value (it would show in the process list and the shell's
 * history): `--db` with a password is a usage error; the password comes from `--db-password-file`,
 * else from `PLANSPEC_DB_URL`'s own userinfo, else `PGPASSWORD`, else node-postgres' pgpass file.
 * The returned URL carries no password. `isPostgresUrl` is the server's (loaded on demand). `--db-pool-size` and `--db-statement-timeout` apply to
 * PostgreSQL only. Throws `UsageError` (exit 2) for bad values and unreadable files.
 *
 * @example
 * await resolveServeDatabase({ db: 'postgres://planspec@db:5432/planspec', dbPoolSize: '20' }, io, isPostgresUrl)
 * // { db: 'postgres://planspec@db:5432/planspec', database: { password: <PGPASSWORD>, poolSize: 20 } }
 */
export async function resolveServeDatabase(flags: DatabaseFlags, io: CommandIO, isPostgresUrl: (db: string) => boolean): Promise<ServeDatabase> {
  const fromEnv = flags.db === undefined && io.env.PLANSPEC_DB_URL !== undefined && io.env.PLANSPEC_DB_URL !== ''
  const given = flags.db ?? (fromEnv ? io.env.PLANSPEC_DB_URL! : DEFAULT_DB)
  if (!isPostgresUrl(given)) {
    for (const [flag, value] of [['--db-password-file', flags.dbPasswordFile], ['--db-pool-size', flags.dbPoolSize], ['--db-statement-timeout', flags.dbStatementTimeout]] as const) {
      if (value !== undefined) throw new UsageError(`${flag} applies to a PostgreSQL database (--db postgres://...) only`)
    }
    return { db: given === ':memory:' ? given : resolve(io.cwd, given) }
  }
  let url: URL
  try {
    url = new URL(given)
  } catch {
    throw new UsageError(`${fromEnv ? 'PLANSPEC_DB_URL' : '--db'} is not a valid postgres:// URL`)
  }
  const inUrl = url.password === '' ? undefined : decodeURIComponent(url.password)
  if (inUrl !== undefined && !fromEnv) throw new UsageError('--db must not carry a password (it would show in the process list and shell history): put it in PGPASSWORD, PLANSPEC_DB_URL or --db-password-file')
  url.password = ''
  const password = flags.dbPasswordFile !== undefined ? await readPassword(resolve(io.cwd, flags.dbPasswordFile)) : (inUrl ?? nonEmpty(io.env.PGPASSWORD))
  const database: DatabaseOptions = {
    ...(password === undefined ? {} : { password }),
    ...(flags.dbPoolSize === undefined ? {} : { poolSize: poolSize(flags.dbPoolSize) }),
    ...(flags.dbStatementTimeout === undefined ? {} : { statementTimeoutMs: durationFlag(flags.dbStatementTimeout, '--db-statement-timeout') }),
  }
  return { db: url.toString(), database }
}

async function readPassword(file: string): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new UsageError(`--db-password-file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  const password = text.replace(/\r?\n$/, '')
  if (password === '' || password.includes('\n')) throw new UsageError(`--db-password-file ${file} must hold the password on one line`)
  return password
}

function poolSize(text: string): number {
  const size = Number(text)
  if (!/^\d+$/.test(text) || size < 2 || size > 1000) throw new UsageError(`--db-pool-size must be a whole number from 2 to 1000, got ${JSON.stringify(text)}`)
  return size
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value)
