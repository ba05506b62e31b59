import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A throw-away PostgreSQL cluster on loopback (see {@link startPostgres}). */
export interface PostgresCluster {
  readonly host: string
  readonly port: number
  /** The superuser, `postgres`. */
  readonly user: string
  /** Its password (host connections use scram-sha-256): pass it as `PGPASSWORD`, never in a URL. */
  readonly password: string
  /** The cluster's directory (data, sockets, the server log). */
  readonly dir: string
  /** `postgres://postgres@127.0.0.1:PORT/DATABASE`: no password in it. */
  url(database?: string): string
  /** Creates a new, empty database named `PREFIX_<random>` and returns its name. */
  createDatabase(prefix?: string): Promise<string>
  /** Runs SQL with `psql` (superuser) and returns its unaligned, tuples-only output. */
  psql(database: string, sql: string): Promise<string>
  /** Stops the server: `fast` (clients are disconnected, a clean shutdown) or `immediate` (a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  /** Starts the stopped server again, on the same port and data. */
  start(): Promise<void>
  /** Whether the server process runs. */
  running(): boolean
  /** Stops the server and removes its directory. Idempotent. */
  close(): Promise<void>
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Extra server settings (`-c NAME=VALUE`). */
  readonly settings?: Readonly<Record<string, string>>
}

/**
 * Finds Debian's PostgreSQL server binaries: the newest `/usr/lib/postgresql/<version>/bin` that
 * holds `initdb`. Throws when none is installed (tests must fail, not skip: `.ci/run` installs the
 * `postgresql` package).
 */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined) throw new Error('PostgreSQL is not installed: no /usr/lib/postgresql/<version>/bin/initdb (apt-get install postgresql)')
  return join(root, newest, 'bin')
}

/**
 * Starts a throw-away PostgreSQL cluster for tests: `initdb` in a new temporary directory, then the
 * server on a free loopback port (TCP only on 127.0.0.1; its socket in the same directory), with
 * password authentication for TCP clients. PostgreSQL refuses to run as root, so when the tests run
 * as root (CI) the cluster belongs to the `postgres` user and its programs run as that user;
 * otherwise they run as the current user. `fsync` is off (a crash of the server process still
 * keeps every committed transaction: its WAL is written at commit), so a test may kill the server
 * (`stop('immediate')`) and find every acknowledged write after `start()`.
 *
 * @example
 * const pg = await startPostgres()
 * const db = await pg.createDatabase('contract')
 * const env = { PGPASSWORD: pg.password } // the URL carries no password
 * await pg.close()
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir()
  const owner = clusterOwner()
  const dir = mkdtempSync(join(tmpdir(), 'planspec-pg-'))
  const data = join(dir, 'data')
  const sockets = join(dir, 'sockets')
  mkdirSync(sockets)
  const password = randomBytes(18).toString('base64url')
  const passwordFile = join(dir, 'password')
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
  if (owner !== undefined) for (const path of [dir, sockets, passwordFile]) chownSync(path, owner.uid, owner.gid)
  const asOwner = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir }
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${passwordFile}`, '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], { ...asOwner, env })
  rmSync(passwordFile)
  const port = await freePort()
  const host = '127.0.0.1'
  const settings: Record<string, string> = {
    listen_addresses: host,
    port: String(port),
    unix_socket_directories: sockets,
    fsync: 'off',
    max_connections: '400',
    shared_buffers: '32MB',
    log_min_messages: 'warning',
    ...options.settings,
  }
  let server: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  const logFile = join(dir, 'server.log')
  const launch = async (): Promise<void> => {
    const log = openSync(logFile, 'a')
    if (owner !== undefined) chownSync(logFile, owner.uid, owner.gid)
    const child = spawn(join(bin, 'postgres'), ['-D', data, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])], { ...asOwner, env, stdio: ['ignore', log, log], shell: false })
    server = child
    exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const deadline = Date.now() + 60_000
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`PostgreSQL exited at start: ${tail(logFile)}`)
      const ready = await run(join(bin, 'pg_isready'), ['-h', host, '-p', String(port), '-U', 'postgres', '-q'], { env, check: false })
      if (ready.code === 0) return
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 60 s: ${tail(logFile)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const running = (): boolean => server !== undefined && server.exitCode === null && server.signalCode === null
  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    if (!running()) return
    // SIGINT: fast shutdown (disconnect clients, checkpoint); SIGQUIT: immediate (crash recovery on the next start).
    server!.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT')
    await exited
  }
  const killOnExit = (): void => void (running() && server!.kill('SIGQUIT'))
  process.once('exit', killOnExit)
  const clientEnv = { ...env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' }
  const psql = async (database: string, sql: string): Promise<string> => {
    const result = await run(join(bin, 'psql'), ['-h', host, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-X', '-A', '-t', '-c', sql], { env: clientEnv })
    return result.stdout.trim()
  }
  try {
    await launch()
  } catch (error) {
    await stop('immediate')
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  let closed = false
  return {
    host,
    port,
    user: 'postgres',
    password,
    dir,
    url: (database = 'postgres') => `postgres://postgres@${host}:${port}/${database}`,
    async createDatabase(prefix = 'test') {
      const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`
      await psql('postgres', `CREATE DATABASE ${name}`)
      return name
    },
    psql,
    stop,
    async start() {
      if (!running()) await launch()
    },
    running,
    async close() {
      if (closed) return
      closed = true
      process.removeListener('exit', killOnExit)
      await stop('immediate')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The `postgres` user when this process is root (PostgreSQL refuses to run as root). */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
  if (line === undefined) throw new Error('running as root, but there is no postgres user to own the test cluster (apt-get install postgresql creates it)')
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

function run(file: string, args: readonly string[], options: { uid?: number; gid?: number; env: Record<string, string>; check?: boolean }): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }), env: options.env, stdio: ['ignore', 'pipe', 'pipe'], shell: false })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => {
      if (code !== 0 && options.check !== false) reject(new Error(`${file} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`))
      else resolve({ code: code ?? -1, stdout })
    })
  })
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ')
  } catch {
    return '(no server log)'
  }
}
