import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createRedactor } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { durationFlag } from '../../duration-flag.js'
import { maxLogBytesOf } from '../../size-flag.js'
import { createAccessLogger, createLogger } from '../../logger.js'
import { secretValues } from '../../secret-values.js'
import { resolveServeDatabase, type DatabaseFlags } from './serve-database.js'
import { prepareServeCredentials } from './serve-credentials.js'

/** Options of `planspec serve`. */
export interface ServeCommandOptions extends DatabaseFlags {
  /** How long an Execution's lease lasts unrenewed (`--lease`, a duration; default 15s). */
  readonly lease?: string
  /** `HOST:PORT`, `:PORT` or `PORT` (0 picks a free port). */
  readonly listen: string
  /** The tokens file (`token,user[,groups]` lines or YAML). */
  readonly tokens?: string
  readonly allowCommands: readonly string[]
  readonly allowUrls: readonly string[]
  /** Process variables a Binding's `config.env` may hand to commands (patterns). */
  readonly allowEnv?: readonly string[]
  /** What is kept of each stream of each attempt (`--max-log-bytes`). */
  readonly maxLogBytes?: string
  /** Root of the runs' working directories. */
  readonly workspace?: string
  /** Run Executions in the server (default true). */
  readonly executions: boolean
  /** Turn RBAC off: every authenticated caller may do everything (insecure; logged at every start). */
  readonly insecureAllowAllAuthenticated: boolean
  /** Serve the web dashboard at `/` (default true). */
  readonly dashboard?: boolean
  /** Log every request to this file (`-`: stdout), asynchronously; absent: no access log. */
  readonly accessLog?: string
  /** Log each request that takes at least this long (default 1,000 ms). */
  readonly slowRequestMs?: number
  /** Serve HTTPS with this certificate file (PEM); needs `tlsKey`. */
  readonly tlsCert?: string
  /** The private key file (PEM) of `tlsCert`. */
  readonly tlsKey?: string
  /** Plain HTTP, on loopback only (logged as a warning). */
  readonly insecureHttp?: boolean
  /** Write a kubeconfig for kubectl here (first-start mode, without `tokens`). */
  readonly writeKubeconfig?: string
  /** The name of the context written to the user's config (default `local`). */
  readonly contextName?: string
}

/**
 * Runs the API server (`serve` from `@planspec/server`): opens the database (a SQLite file, or a
 * PostgreSQL database shared by several replicas: see `resolveServeDatabase`), listens, runs the
 * status controllers and, unless `--no-executions`, the Executions (each under a lease, `--lease`),
 * under the allow-lists of `--allow-command` and `--allow-url`. Logs are JSON lines on stdout (pretty on a terminal;
 * `PLANSPEC_LOG_LEVEL` sets the level); the first says `listening on URL` with the `url` field,
 * the next `dashboard at URL/` (the web dashboard, unless `dashboard: false`).
 * Runs until SIGINT or SIGTERM (`io.signal`), then closes everything and exits 0. Exit 2 when it
 * cannot start (bad flags, unreadable tokens file, address in use).
 *
 * @example
 * await runServeCommand({ db: 'planspec.db', listen: '127.0.0.1:8080', tokens: 'tokens.csv', allowCommands: [], allowUrls: [], executions: true, insecureAllowAllAuthenticated: false }, io)
 */
export async function runServeCommand(options: ServeCommandOptions, io: CommandIO): Promise<number> {
  const [host, port] = splitAddress(options.listen)
  const leaseMs = options.lease === undefined ? undefined : durationFlag(options.lease, '--lease')
  // Loaded on demand: only `serve` needs fastify, the native SQLite module and node-postgres.
  const { serve, isPostgresUrl, createSelfSignedCertificate } = await import('@planspec/server')
  const { db, database } = await resolveServeDatabase(options, io, isPostgresUrl)
  // One redactor for every sink of the server: logs, database rows, API responses (DECISIONS §9).
  const redactor = createRedactor(secretValues(io.env))
  const logger = createLogger(io, redactor)
  // A first start keeps its certificate and admin-token digest beside the SQLite file; with
  // PostgreSQL (several replicas give --tokens and --tls-cert), beside the working directory.
  const credentials = await prepareServeCredentials({ db: database === undefined ? db : resolve(io.cwd, 'planspec'), host, ...pick(options, ['tokens', 'tlsCert', 'tlsKey', 'insecureHttp', 'writeKubeconfig', 'contextName']) }, io, logger, createSelfSignedCertificate)
  const access = options.accessLog === undefined ? undefined : createAccessLogger(options.accessLog === '-' ? undefined : resolve(io.cwd, options.accessLog), redactor)
  let server: Awaited<ReturnType<typeof serve>>
  try {
    server = await serve({
      ...(credentials.tls === undefined ? {} : { tls: credentials.tls }),
      db,
      ...(database === undefined ? {} : { database }),
      ...(leaseMs === undefined ? {} : { leaseMs }),
      listen: { host, port },
      ...(credentials.tokens === undefined ? {} : { tokens: credentials.tokens }),
      rbac: !options.insecureAllowAllAuthenticated,
      logger,
      executions: options.executions,
      dashboard: options.dashboard ?? true,
      requestLog: { ...(access === undefined ? {} : { access: access.logger }), ...(options.slowRequestMs === undefined ? {} : { slowMs: options.slowRequestMs }) },
      policy: { allowCommands: options.allowCommands, allowUrls: options.allowUrls, allowEnv: options.allowEnv ?? [], ...maxLogBytesOf(options.maxLogBytes) },
      redactor,
      env: io.env,
      workspace: resolve(io.cwd, options.workspace ?? join(tmpdir(), 'planspec-serve')),
    })
  } catch (error) {
    access?.close()
    io.stderr.write(`error: cannot start the server: ${(error as Error)?.message ?? String(error)}\n`)
    return EXIT.usage
  }
  logger.info({ url: server.url, db, executions: options.executions }, `listening on ${server.url}`)
  if (options.dashboard !== false) logger.info({ dashboard: `${server.url}/` }, `dashboard at ${server.url}/`)
  await credentials.publish(server.url)
  await new Promise<void>((done) => {
    if (io.signal === undefined) return
    if (io.signal.aborted) return done()
    io.signal.addEventListener('abort', () => done(), { once: true })
  })
  logger.info('stopping')
  await server.close()
  access?.close()
  return EXIT.ok
}

function pick<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key]
  return out
}

/** Parses `HOST:PORT`, `:PORT` or `PORT` (IPv6 hosts in brackets). */
export function splitAddress(text: string): [string, number] {
  const at = text.lastIndexOf(':')
  const host = at > 0 ? text.slice(0, at).replace(/^\[(.*)\]$/, '$1') : '127.0.0.1'
  const port = Number(at >= 0 ? text.slice(at + 1) : text)
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--listen must be HOST:PORT, :PORT or PORT, got ${JSON.stringify(text)}`)
  return [host, port]
}
