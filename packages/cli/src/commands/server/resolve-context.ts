import { resolve } from 'node:path'
import { findRepositoryConfig } from '../../files/repository-config.js'
import { UsageError, type CommandIO } from '../../io.js'

/** Where a command reads and writes resources: a server, or a git repository. */
export type ResolvedContext =
  | { readonly mode: 'server'; readonly server: string; readonly namespace?: string; readonly token?: string }
  | { readonly mode: 'repo'; readonly repo: string; readonly namespace?: string }

/** One named context of `.planspec.yaml`; `tokenEnv` names the environment variable holding the server's token. */
export interface ContextEntry {
  readonly server?: string
  readonly repo?: string
  readonly namespace?: string
  readonly tokenEnv?: string
}

/** The flags that choose a context. */
export interface ContextFlags {
  readonly server?: string
  readonly repo?: string
  readonly context?: string
}

/**
 * Decides where a command goes, explicit before implicit (flag > context > default):
 * `--server URL` or `--repo URL|PATH` win; else the context named by `--context`, else the
 * `currentContext` of the nearest `.planspec.yaml` (from the working directory up); else the
 * repository in the working directory. A context's `namespace` is the default namespace. The
 * token of a server comes from the environment only (the variable the context names in
 * `tokenEnv`, else `PLANSPEC_TOKEN`), never from a flag, so it stays out of shell history.
 * Throws a `UsageError` for an unknown context, a context with neither or both of `server` and
 * `repo`, or `--server` together with `--repo`.
 *
 * @example
 * const target = await resolveContext({ server: o.server }, io)
 * if (target.mode === 'server') await runServerGet({ server: target.server, token: target.token, ... }, io)
 */
export async function resolveContext(flags: ContextFlags, io: CommandIO): Promise<ResolvedContext> {
  if (flags.server !== undefined && flags.repo !== undefined) throw new UsageError('--server and --repo exclude each other')
  const found = await findRepositoryConfig(io.cwd)
  const contexts = (found?.config.contexts ?? {}) as Readonly<Record<string, ContextEntry | undefined>>
  const name = flags.context ?? found?.config.currentContext
  const entry = name === undefined ? undefined : contexts[name]
  if (flags.context !== undefined && entry === undefined) throw new UsageError(`context "${flags.context}" not found${found ? ` in ${resolve(found.root, '.planspec.yaml')}` : ' (no .planspec.yaml here or above)'}`)
  if (entry !== undefined && (entry.server === undefined) === (entry.repo === undefined)) throw new UsageError(`context "${name}" must have exactly one of "server" and "repo"`)
  const namespace = entry?.namespace
  const token = (entry?.tokenEnv === undefined ? undefined : io.env[entry.tokenEnv]) || io.env.PLANSPEC_TOKEN || undefined
  if (flags.server !== undefined) return { mode: 'server', server: checkServer(flags.server), ...(namespace === undefined ? {} : { namespace }), ...(token === undefined ? {} : { token }) }
  if (flags.repo !== undefined) return { mode: 'repo', repo: flags.repo, ...(namespace === undefined ? {} : { namespace }) }
  if (entry?.server !== undefined) return { mode: 'server', server: checkServer(entry.server), ...(namespace === undefined ? {} : { namespace }), ...(token === undefined ? {} : { token }) }
  if (entry?.repo !== undefined) {
    const repo = /^https?:\/\//i.test(entry.repo) || found === undefined ? entry.repo : resolve(found.root, entry.repo)
    return { mode: 'repo', repo, ...(namespace === undefined ? {} : { namespace }) }
  }
  return { mode: 'repo', repo: io.cwd }
}

function checkServer(server: string): string {
  if (!/^https?:\/\/[^/]/i.test(server)) throw new UsageError(`the server must be an http(s) URL, got ${JSON.stringify(server)}`)
  return server
}
