// Which database `planspec serve` opens, and where a PostgreSQL password may come from (never a
// flag value): the resolution itself, and the real binary refusing a password in --db.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { resolveServeDatabase, type DatabaseFlags } from '../src/commands/server/serve-database.js'
import type { CommandIO } from '../src/io.js'
import { REPO, tempTree } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
// Loaded on demand, as `serve` loads it.
const { isPostgresUrl } = await import('@planspec/server')
const io = (env: Record<string, string>, cwd = '/srv/planspec'): CommandIO => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from(['']), cwd, env })
const resolve = (flags: DatabaseFlags, env: Record<string, string> = {}, cwd?: string) => resolveServeDatabase(flags, io(env, cwd), isPostgresUrl)

describe('resolveServeDatabase', () => {
  it('defaults to planspec.db in the working directory (SQLite stays the zero-setup default)', async () => {
    expect(await resolve({})).toEqual({ db: '/srv/planspec/planspec.db' })
    expect(await resolve({ db: 'data/x.db' })).toEqual({ db: '/srv/planspec/data/x.db' })
    expect(await resolve({ db: ':memory:' })).toEqual({ db: ':memory:' })
  })

  it('takes the password from PGPASSWORD, and the pool and timeout settings from their flags', async () => {
    expect(await resolve({ db: 'postgres://planspec@db:5432/planspec', dbPoolSize: '20', dbStatementTimeout: '5s' }, { PGPASSWORD: 'pw-from-env' })).toEqual({
      db: 'postgres://planspec@db:5432/planspec',
      database: { password: 'pw-from-env', poolSize: 20, statementTimeoutMs: 5_000 },
    })
  })

  it('reads PLANSPEC_DB_URL when --db is absent, keeps its password out of the returned URL, and prefers a password file', async () => {
    expect(await resolve({}, { PLANSPEC_DB_URL: 'postgresql://planspec:s3cr%40t@db/planspec?sslmode=require', PGPASSWORD: 'other' })).toEqual({ db: 'postgresql://planspec@db/planspec?sslmode=require', database: { password: 's3cr@t' } })
    const dir = tempTree({ 'pw.txt': 'from-file\n' })
    expect(await resolve({ dbPasswordFile: 'pw.txt' }, { PLANSPEC_DB_URL: 'postgres://planspec:in-url@db/planspec' }, dir)).toEqual({ db: 'postgres://planspec@db/planspec', database: { password: 'from-file' } })
  })

  it('refuses a password in --db, bad settings, PostgreSQL flags with SQLite, and unreadable or multi-line password files (usage errors)', async () => {
    await expect(resolve({ db: 'postgres://planspec:hunter2@db/planspec' })).rejects.toThrow(/must not carry a password/)
    await expect(resolve({ db: 'postgres://planspec:hunter2@db/planspec' })).rejects.not.toThrow(/hunter2/)
    await expect(resolve({ db: 'postgres://db/planspec', dbPoolSize: '1' })).rejects.toThrow(/--db-pool-size must be a whole number from 2 to 1000/)
    await expect(resolve({ db: 'postgres://db/planspec', dbStatementTimeout: 'soon' })).rejects.toThrow(/--db-statement-timeout/)
    await expect(resolve({ db: 'x.db', dbPoolSize: '5' })).rejects.toThrow(/applies to a PostgreSQL database/)
    await expect(resolve({ db: 'postgres://db/planspec', dbPasswordFile: '/nonexistent/pw' })).rejects.toThrow(/cannot be read \(ENOENT\)/)
    const dir = tempTree({ 'two-lines': 'a\nb\n' })
    await expect(resolve({ db: 'postgres://db/planspec', dbPasswordFile: join(dir, 'two-lines') })).rejects.toThrow(/on one line/)
  })

  it('the real binary exits 2 on a password in --db, without echoing it', () => {
    const dir = tempTree({})
    writeFileSync(join(dir, 'tokens.csv'), 't,admin,system:masters\n')
    const result = spawnSync(process.execPath, [BIN, 'serve', '--db', 'postgres://planspec:hunter2-secret@127.0.0.1:1/planspec', '--tokens', join(dir, 'tokens.csv'), '--listen', '127.0.0.1:0'], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 60_000 })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/--db must not carry a password/)
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret')
  })
})
