import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { findRepositoryConfig } from '../../files/repository-config.js'
import { configRelative, readUserConfig, type UserContext } from '../../files/user-config.js'
import { UsageError, type CommandIO } from '../../io.js'

/** Where a command reads and writes resources: a server, or a git repository. */
export type ResolvedContext =
  | { readonly mode: 'server'; readonly server: string; readonly namespace?: string; readonly token?: string; readonly ca?: string }
  | { readonly mode: 'repo'; readonly repo: string; readonly namespace?: string }

/** One named context (user config, or legacy `.planspec.yaml`); the token and CA are named by reference. */
export type ContextEntry = UserContext

/** Every context a command can use: the user config's, then the legacy ones of `.planspec.yaml`. */
export interface KnownContexts {
  readonly contexts: Readonly<Record<string, { readonly entry: ContextEntry; readonly source: string; readonly root: string }>>
  readonly current?: string
  /** The user config file (also when it does not exist yet). */
  readonly userFile?: string
}

/**
 * Collects the contexts: those of the user config (`$PLANSPEC_CONFIG`, default
 * `~/.planspec/config`) win over those of the nearest `.planspec.yaml` (kept for repositories that
 * still commit them); the current context is the user config's, else the repository file's.
 *
 * @example
 * const { contexts, current } = await knownContexts(io)
 */
export async function knownContexts(io: CommandIO): Promise<KnownContexts> {
  const found = await findRepositoryConfig(io.cwd)
  const user = await readUserConfig(io.env)
  const contexts: Record<string, { entry: ContextEntry; source: string; root: string }> = {}
  for (const [name, entry] of Object.entries((found?.config.contexts ?? {}) as Readonly<Record<string, ContextEntry>>)) contexts[name] = { entry, source: resolve(found!.root, '.planspec.yaml'), root: found!.root }
  for (const [name, entry] of Object.entries(user?.config.contexts ?? {})) contexts[name] = { entry, source: user!.file, root: io.cwd }
  const current = user?.config.currentContext ?? found?.config.currentContext
  return { contexts, ...(current === undefined ? {} : { current }), ...(user === undefined ? {} : { userFile: user.file }) }
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
 * current context of the user config (`$PLANSPEC_CONFIG`, default `~/.planspec/config`), else the
 * `currentContext` of the nearest `.planspec.yaml`; else the repository in the working directory.
 * A context's `namespace` is the default namespace. The token of a server is never a flag (it
 * stays out of shell history): the context's `tokenEnv` variable or `tokenFile`, else
 * `PLANSPEC_TOKEN`; a context's token and CA are only sent to that context's own server.
 * Throws a `UsageError` for an unknown context, a context with neither or both of `server` and
 * `repo`, or `--server` together with `--repo`.
 *
 * @example
 * const target = await resolveContext({ server: o.server }, io)
 * if (target.mode === 'server') await runServerGet({ server: target.server, token: target.token, ... }, io)
 */
export async function resolveContext(flags: ContextFlags, io: CommandIO): Promise<ResolvedContext> {
  if (flags.server !== undefined && flags.repo !== undefined) throw new UsageError('--server and --repo exclude each other')
  const known = await knownContexts(io)
  const name = flags.context ?? known.current
  const found = name === undefined ? undefined : known.contexts[name]
  const entry = found?.entry
  if (flags.context !== undefined && entry === undefined) throw new UsageError(`context "${flags.context}" not found (planspec config get-contexts lists them)`)
  if (entry !== undefined && (entry.server === undefined) === (entry.repo === undefined)) throw new UsageError(`context "${name}" must have exactly one of "server" and "repo"`)
  const namespace = entry?.namespace
  // The context's credentials and CA go to the context's own server only, never to another --server.
  const sameServer = entry?.server !== undefined && (flags.server === undefined || sameOrigin(flags.server, entry.server))
  const token = (sameServer ? await contextToken(entry!, found!.source, io) : undefined) ?? (io.env.PLANSPEC_TOKEN || undefined)
  const ca = sameServer && entry!.certificateAuthority !== undefined ? await readReferenced(configRelative(found!.source, entry!.certificateAuthority, io.env), `the CA of context "${name}"`) : undefined
  const credentials = { ...(token === undefined ? {} : { token }), ...(ca === undefined ? {} : { ca }) }
  if (flags.server !== undefined) return { mode: 'server', server: checkServer(flags.server), ...(namespace === undefined ? {} : { namespace }), ...credentials }
  if (flags.repo !== undefined) return { mode: 'repo', repo: flags.repo, ...(namespace === undefined ? {} : { namespace }) }
  if (entry?.server !== undefined) return { mode: 'server', server: checkServer(entry.server), ...(namespace === undefined ? {} : { namespace }), ...credentials }
  if (entry?.repo !== undefined) {
    const repo = /^https?:\/\//i.test(entry.repo) ? entry.repo : resolve(found!.root, entry.repo)
    return { mode: 'repo', repo, ...(namespace === undefined ? {} : { namespace }) }
  }
  return { mode: 'repo', repo: io.cwd }
}

/** The token a context names: its `tokenEnv` variable, else its `tokenFile`. */
async function contextToken(entry: ContextEntry, source: string, io: CommandIO): Promise<string | undefined> {
  if (entry.tokenEnv !== undefined && io.env[entry.tokenEnv]) return io.env[entry.tokenEnv]
  if (entry.tokenFile === undefined) return undefined
  const text = (await readReferenced(configRelative(source, entry.tokenFile, io.env), 'the token file')).trim()
  return text === '' ? undefined : text
}

async function readReferenced(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}

function checkServer(server: string): string {
  if (!/^https?:\/\/[^/]/i.test(server)) throw new UsageError(`the server must be an http(s) URL, got ${JSON.stringify(server)}`)
  return server
}
