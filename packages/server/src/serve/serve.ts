import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { RbacOptions } from '../server/authorizer.js'
import { buildServer } from '../server/build-server.js'
import type { ServerLimits } from '../server/server-context.js'
import { loadTokens, type TokenRegistry } from '../server/tokens.js'
import { sqliteStore, type SqliteStore } from '../store/sqlite-store.js'
import { startControllers, type Controllers } from './controller-loop.js'

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The SQLite database file (created when missing; `:memory:` for a throwaway server). */
  readonly db: string
  /** Where to listen (default `127.0.0.1:8080`; port 0 picks a free port). */
  readonly listen?: { readonly host?: string; readonly port?: number }
  /** Bearer tokens, or the path of a tokens file (`token,user[,groups]` lines or YAML, see `parseTokens`). */
  readonly tokens?: TokenRegistry | string
  /** Enforce the RBAC profile. */
  readonly rbac?: boolean | RbacOptions
  readonly logger?: boolean | FastifyBaseLogger
  readonly limits?: Partial<ServerLimits>
  /** Run the status controllers in-process (default true). */
  readonly controllers?: boolean
  /** The clock, RFC 3339. */
  readonly now?: () => string
}

/** A running server. */
export interface RunningServer {
  readonly app: FastifyInstance
  readonly store: SqliteStore
  /** The base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  /** The in-process controllers, when they run. */
  readonly controllers: Controllers | undefined
  /** Stops the controllers, closes the server (open watches are ended) and the database. Idempotent. */
  close(): Promise<void>
}

/**
 * Opens the SQLite store, builds the API server, starts listening and runs the status controllers
 * in-process: Plan, Capability, Binding, Goal and Gate statuses follow every change (watch →
 * reconcile with core's pure controllers → status write with compare-and-swap, retried on
 * conflict). Executions are not run by `serve`: their status stays what the server set on create
 * until a runner (`planspec agent`/`run` against this server) writes it; their cancel and retry
 * requests are recorded as annotations. This is what `planspec serve` calls.
 *
 * @example
 * const server = await serve({ db: 'planspec.db', tokens: 'tokens.csv', listen: { port: 8080 } })
 * // ... later
 * await server.close()
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const tokens = typeof options.tokens === 'string' ? await loadTokens(options.tokens) : options.tokens
  const store = sqliteStore({ file: options.db, pollMs: 1000, ...(options.now === undefined ? {} : { now: options.now }) })
  let app: FastifyInstance | undefined
  let controllers: Controllers | undefined
  try {
    app = buildServer({
      store,
      ...(tokens === undefined ? {} : { tokens }),
      ...(options.rbac === undefined ? {} : { rbac: options.rbac }),
      ...(options.logger === undefined ? { logger: true } : { logger: options.logger }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.now === undefined ? {} : { now: options.now }),
    })
    await app.ready()
    const context = app.planspec
    const log = app.log
    if (options.controllers !== false) {
      controllers = startControllers({
        store,
        validator: context.validator,
        tokens,
        authorizer: context.authorizer,
        now: context.now,
        onError: (error, key) => log.warn({ err: error, subject: `${key.kind.toLowerCase()}/${key.namespace}/${key.name}` }, 'reconcile failed; retrying'),
      })
    }
    const url = await app.listen({ host: options.listen?.host ?? '127.0.0.1', port: options.listen?.port ?? 8080 })
    let closed: Promise<void> | undefined
    const running = app
    const loops = controllers
    return {
      app: running,
      store,
      url,
      controllers: loops,
      close: () => {
        closed ??= (async () => {
          loops?.stop()
          await running.close()
          store.close()
        })()
        return closed
      },
    }
  } catch (error) {
    controllers?.stop()
    await app?.close()
    store.close()
    throw error
  }
}
