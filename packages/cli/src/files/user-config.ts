import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { Document, isMap, parseDocument } from 'yaml'
import { UsageError } from '../io.js'

/**
 * One context of the user's PlanSpec config: where commands go (a server or a repository), the
 * default namespace, and how to authenticate to a server. Secrets are never inline: the token is
 * named by reference (`tokenFile`, a 0600 file, or `tokenEnv`, an environment variable).
 */
export interface UserContext {
  readonly server?: string
  readonly repo?: string
  readonly namespace?: string
  /** The environment variable holding the server's bearer token. */
  readonly tokenEnv?: string
  /** A file (mode 0600) holding the server's bearer token. */
  readonly tokenFile?: string
  /** A PEM file of the CA that signed the server's certificate (a self-signed server's own). */
  readonly certificateAuthority?: string
}

/** The user's PlanSpec config (`$PLANSPEC_CONFIG`, default `~/.planspec/config`). */
export interface UserConfig {
  readonly contexts?: Readonly<Record<string, UserContext>>
  readonly currentContext?: string
}

/**
 * Returns the path of the user's PlanSpec config: `$PLANSPEC_CONFIG`, else `$HOME/.planspec/config`;
 * undefined when neither variable is set (then there is no user config).
 *
 * @example
 * userConfigPath({ HOME: '/home/ann' }) // '/home/ann/.planspec/config'
 */
export function userConfigPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.PLANSPEC_CONFIG) return resolve(env.PLANSPEC_CONFIG)
  return env.HOME ? join(env.HOME, '.planspec', 'config') : undefined
}

/**
 * Reads the user's PlanSpec config; undefined when it does not exist. Throws a `UsageError` naming
 * the file when it is not a YAML mapping.
 *
 * @example
 * const found = await readUserConfig(io.env)
 * found?.config.currentContext
 */
export async function readUserConfig(env: Readonly<Record<string, string | undefined>>): Promise<{ readonly file: string; readonly config: UserConfig } | undefined> {
  const file = userConfigPath(env)
  if (file === undefined) return undefined
  const document = await loadDocument(file)
  if (document === undefined) return undefined
  return { file, config: (document.toJS() ?? {}) as UserConfig }
}

/**
 * Writes (or replaces) one context of the user's config, and makes it current when `current` is
 * set, keeping everything else in the file (comments included). The file is created with mode
 * 0600 in a 0700 directory and replaced atomically. Paths in the context are stored absolute.
 *
 * @example
 * await writeUserContext(io.env, 'local', { server: 'https://127.0.0.1:8080', tokenFile, certificateAuthority }, { current: true })
 */
export async function writeUserContext(env: Readonly<Record<string, string | undefined>>, name: string, context: UserContext, options: { readonly current: boolean }): Promise<string> {
  const file = requirePath(env)
  const document = (await loadDocument(file)) ?? new Document({})
  const value: Record<string, string> = {}
  for (const [key, text] of Object.entries(context)) if (typeof text === 'string') value[key] = text
  document.setIn(['contexts', name], document.createNode(value))
  if (options.current) document.set('currentContext', name)
  await saveDocument(file, document)
  return file
}

/**
 * Makes `name` the current context in the user's config (never in a committed file); the caller
 * checks that the context exists. Returns the file written.
 *
 * @example
 * await setUserCurrentContext(io.env, 'staging')
 */
export async function setUserCurrentContext(env: Readonly<Record<string, string | undefined>>, name: string): Promise<string> {
  const file = requirePath(env)
  const document = (await loadDocument(file)) ?? new Document({})
  document.set('currentContext', name)
  await saveDocument(file, document)
  return file
}

/** A path of the config resolved against the config's folder (`~` for the home directory). */
export function configRelative(file: string, path: string, env: Readonly<Record<string, string | undefined>>): string {
  if (path === '~' || path.startsWith('~/')) return join(env.HOME ?? '~', path.slice(1))
  return isAbsolute(path) ? path : resolve(dirname(file), path)
}

function requirePath(env: Readonly<Record<string, string | undefined>>): string {
  const file = userConfigPath(env)
  if (file === undefined) throw new UsageError('no user config: set PLANSPEC_CONFIG or HOME')
  return file
}

async function loadDocument(file: string): Promise<Document | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  const document = parseDocument(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 0 } as never)
  if (document.errors.length > 0) throw new UsageError(`${file} is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`)
  if (document.contents !== null && !isMap(document.contents)) throw new UsageError(`${file} must be a YAML mapping (contexts:, currentContext:)`)
  return document
}

async function saveDocument(file: string, document: Document): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, document.toString(), { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, file)
}
