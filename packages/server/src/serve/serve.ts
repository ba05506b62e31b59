import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRedactor, type Redactor } from '@planspec/core'
import type { Policy } from '@planspec/engine'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { RbacOptions } from '../server/authorizer.js'
import { buildServer } from '../server/build-server.js'
import type { ServerLimits } from '../server/server-context.js'
import { loadTokens, type TokenRegistry } from '../server/tokens.js'
import type { TlsCredentials } from '../tls/self-signed-certificate.js'
import { sqliteStore, type SqliteStore } from '../store/sqlite-store.js'
import { startControllers, type Controllers } from './controller-loop.js'
import { startExecutionController, type ExecutionController } from './execution-controller.js'

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The SQLite database file (created when missing; `:memory:` for a throwaway server). */
  readonly db: string
  /** Where to listen (default `127.0.0.1:8080`; port 0 picks a free port). */
  readonly listen?: { readonly host?: string; readonly port?: number }
  /** Bearer tokens, or the path of a tokens file (`token,user[,groups]` lines or YAML, see `parseTokens`). */
  readonly tokens?: TokenRegistry | string
  /** RBAC (default on); `false` is the insecure mode where every authenticated caller may do everything, logged as a warning at every start. */
  readonly rbac?: boolean | RbacOptions
  readonly logger?: boolean | FastifyBaseLogger
  readonly limits?: Partial<ServerLimits>
  /** Run the status controllers in-process (default true). */
  readonly controllers?: boolean
  /**
   * Run Executions in-process (`startExecutionController`). Off by default so that an embedding
   * that runs Executions elsewhere (an agent writing statuses through the API) keeps working;
   * `planspec serve` turns it on.
   */
  readonly executions?: boolean
  /** What runs may reach: `exec://` commands and `http(s)://` URLs (default: nothing). */
  readonly policy?: Policy
  /** Root of the runs' working directories (default `<tmpdir>/planspec-serve`). */
  readonly workspace?: string
  /** How often a waiting run re-reads its gates and externals, in ms (default 1000). */
  readonly pollMs?: number
  /** The clock, RFC 3339. */
  readonly now?: () => string
  /**
   * The process's redactor (DECISIONS §9): database rows, watch events, API responses and what
   * runs record are masked with it; providers register the secrets they come to know on it.
   */
  readonly redactor?: Redactor
  /** The environment commands' explicit environments are built from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Serve the web dashboard at `/` (default true). */
  readonly dashboard?: boolean
  /** Serve HTTPS with this certificate and key (PEM), e.g. from `createSelfSignedCertificate`; plain HTTP without it. */
  readonly tls?: TlsCredentials
}

/** A running server. */
export interface RunningServer {
  readonly app: FastifyInstance
  readonly store: SqliteStore
  /** The base URL, e.g. `http://127.0.0.1:8080` (`https://` with `tls`). */
  readonly url: string
  /** The in-process controllers, when they run. */
  readonly controllers: Controllers | undefined
  /** The in-process Execution runner, when it runs. */
  readonly executions: ExecutionController | undefined
  /** Stops the controllers, closes the server (open watches are ended) and the database. Idempotent. */
  close(): Promise<void>
}

/**
 * Opens the SQLite store, builds the API server, starts listening and runs the controllers
 * in-process: Plan, Capability, Binding, Goal and Gate statuses follow every change (watch →
 * reconcile with core's pure controllers → status write with compare-and-swap, retried on
 * conflict). With `executions: true` every Execution is run too (`startExecutionController`):
 * its DAG is dispatched to the providers its Bindings name under `policy`, Gate nodes wait for
 * `POST .../approve`, cancel and retry requests (annotations) are applied. Without it, an
 * Execution's status stays what the server set on create until a runner writes it through the
 * API. This is what `planspec serve` calls (with `executions: true`).
 *
 * @example
 * const server = await serve({ db: 'planspec.db', tokens: 'tokens.csv', listen: { port: 8080 }, executions: true, workspace: '/var/lib/planspec/runs' })
 * // ... later
 * await server.close()
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const tokens = typeof options.tokens === 'string' ? await loadTokens(options.tokens) : options.tokens
  const redactor = options.redactor ?? createRedactor()
  const store = sqliteStore({ file: options.db, pollMs: 1000, redactor, ...(options.now === undefined ? {} : { now: options.now }) })
  let app: FastifyInstance | undefined
  let controllers: Controllers | undefined
  let executions: ExecutionController | undefined
  try {
    app = buildServer({
      store,
      ...(tokens === undefined ? {} : { tokens }),
      ...(options.rbac === undefined ? {} : { rbac: options.rbac }),
      ...(options.logger === undefined ? { logger: true } : { logger: options.logger }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.now === undefined ? {} : { now: options.now }),
      redactor,
      dashboard: options.dashboard ?? true,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    })
    await app.ready()
    const context = app.planspec
    const log = app.log
    if (options.rbac === false) log.warn({ rbac: false }, 'RBAC is off (--insecure-allow-all-authenticated): every authenticated caller may read, write and delete everything, including roles and namespaces')
    if (options.controllers !== false) {
      controllers = startControllers({
        store,
        validation: context.validation,
        tokens,
        authorizer: context.authorizer,
        now: context.now,
        onError: (error, key) => log.warn({ err: error, subject: `${key.kind.toLowerCase()}/${key.namespace}/${key.name}` }, 'reconcile failed; retrying'),
      })
    }
    if (options.executions === true) {
      executions = startExecutionController({
        store,
        ...(options.policy === undefined ? {} : { policy: options.policy }),
        workspace: options.workspace ?? join(tmpdir(), 'planspec-serve'),
        redactor,
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        onChange: (key, next, previous) => {
          if (next.phase !== previous?.phase) log.info({ subject: `execution/${key.namespace}/${key.name}`, phase: next.phase, reason: next.reason }, `execution/${key.namespace}/${key.name} ${next.phase ?? 'Pending'}`)
        },
        onError: (error, key) => log.warn({ err: error, subject: `execution/${key.namespace}/${key.name}` }, 'run failed; retrying'),
      })
    }
    const address = await app.listen({ host: options.listen?.host ?? '127.0.0.1', port: options.listen?.port ?? 8080 })
    // fastify names the scheme from its own https option; the TLS server here comes from buildServer's factory.
    const url = options.tls === undefined ? address : address.replace(/^http:/, 'https:')
    let closed: Promise<void> | undefined
    const running = app
    const loops = controllers
    const runs = executions
    return {
      app: running,
      store,
      url,
      controllers: loops,
      executions: runs,
      close: () => {
        closed ??= (async () => {
          await runs?.stop()
          loops?.stop()
          await running.close()
          store.close()
        })()
        return closed
      },
    }
  } catch (error) {
    await executions?.stop()
    controllers?.stop()
    await app?.close()
    store.close()
    throw error
  }
}
