import { createHash, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, extname, join } from 'node:path'
import type { TokenRegistry } from '@planspec/server'
import { userConfigPath } from '../../files/user-config.js'

/** The state `planspec serve` keeps beside its database on first start. */
export interface ServerState {
  /** The folder and file-name stem of the state files (`/var/lib/planspec/planspec` for `planspec.db`). */
  readonly stem: string
}

/** The TLS credentials of the server, and where its certificate (the CA clients pin) is. */
export interface StateTls {
  readonly cert: string
  readonly key: string
  readonly certFile: string
  /** Set when the certificate was made (or remade for a new host) by this start. */
  readonly created: boolean
}

/** The admin credential: the registry the server authenticates with, and the token when minted now. */
export interface StateAdmin {
  readonly tokens: TokenRegistry
  /** The new token, only on the start that mints it (printed once; the server keeps its digest). */
  readonly minted?: string
}

/** The user and groups of the admin token: `system:masters` may bootstrap Roles and bindings. */
export const ADMIN_IDENTITY = { user: 'admin', groups: ['system:masters'] } as const

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']
const digest = (token: string): Buffer => createHash('sha256').update(token).digest()

/**
 * Locates the server's state beside its database: `planspec.db` keeps `planspec.tls.crt`,
 * `planspec.tls.key` and `planspec.admin-token.sha256` in the same folder. A `:memory:` database
 * gets a new temporary folder (nothing survives the process, like the database).
 *
 * @example
 * const state = await serverState('/var/lib/planspec/planspec.db')
 */
export async function serverState(db: string): Promise<ServerState> {
  if (db === ':memory:') return { stem: join(await mkdtemp(join(tmpdir(), 'planspec-serve-state-')), 'planspec') }
  const name = basename(db)
  return { stem: join(dirname(db), extname(name) === '' ? name : name.slice(0, -extname(name).length)) }
}

/**
 * Loads the server's self-signed certificate, or creates it (k3s-style) when there is none or it
 * does not cover `host`: valid for localhost, 127.0.0.1, ::1 and the listen host. The key is
 * written with mode 0600.
 *
 * @example
 * const tls = await ensureCertificate(state, '127.0.0.1', createSelfSignedCertificate)
 */
export async function ensureCertificate(state: ServerState, host: string, create: (options: { hosts: readonly string[] }) => Promise<{ cert: string; key: string }>): Promise<StateTls> {
  const certFile = `${state.stem}.tls.crt`
  const keyFile = `${state.stem}.tls.key`
  const existing = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]).catch(() => undefined)
  if (existing !== undefined && covers(existing[0], host)) return { cert: existing[0], key: existing[1], certFile, created: false }
  const wildcard = host === '0.0.0.0' || host === '::' || host === ''
  const hosts = [...new Set([...LOOPBACK_NAMES, ...(wildcard ? [] : [host])])]
  const made = await create({ hosts })
  await mkdir(dirname(certFile), { recursive: true })
  await writeFile(keyFile, made.key, { mode: 0o600 })
  await chmod(keyFile, 0o600)
  await writeFile(certFile, made.cert)
  return { ...made, certFile, created: true }
}

/**
 * Loads the admin credential, or mints it on first start: a random 256-bit token whose SHA-256
 * digest alone is kept beside the database (mode 0600); the token itself is returned once, for
 * the caller to print and to hand to the user's config. The registry authenticates the token as
 * {@link ADMIN_IDENTITY}.
 *
 * @example
 * const admin = await ensureAdminToken(state)
 * if (admin.minted) io.stderr.write(`admin token: ${admin.minted}\n`)
 */
export async function ensureAdminToken(state: ServerState): Promise<StateAdmin> {
  const file = `${state.stem}.admin-token.sha256`
  const stored = await readFile(file, 'utf8').then((text) => Buffer.from(text.trim(), 'hex'), () => undefined)
  let minted: string | undefined
  let expected: Buffer
  if (stored === undefined || stored.length !== 32) {
    minted = `psa_${randomBytes(32).toString('base64url')}`
    expected = digest(minted)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, `${expected.toString('hex')}\n`, { mode: 0o600 })
    await chmod(file, 0o600)
  } else expected = stored
  const identity = { user: ADMIN_IDENTITY.user, groups: [...ADMIN_IDENTITY.groups] }
  const tokens: TokenRegistry = {
    authenticate: (token) => (timingSafeEqual(digest(token), expected) ? identity : undefined),
    identities: () => [identity],
  }
  return { tokens, ...(minted === undefined ? {} : { minted }) }
}

/**
 * Writes a token where the user's config can name it: `<config folder>/tokens/<context>` (mode
 * 0600, folder 0700). Undefined when there is no user config location (no HOME, no PLANSPEC_CONFIG).
 *
 * @example
 * const tokenFile = await storeUserToken(io.env, 'local', minted)
 */
export async function storeUserToken(env: Readonly<Record<string, string | undefined>>, context: string, token: string): Promise<string | undefined> {
  const config = userConfigPath(env)
  if (config === undefined) return undefined
  const folder = join(dirname(config), 'tokens')
  await mkdir(folder, { recursive: true, mode: 0o700 })
  const file = join(folder, context)
  await writeFile(file, `${token}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  return file
}

/** Whether `host` is a loopback address or name (what `--insecure-http` is limited to). */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

function covers(pem: string, host: string): boolean {
  try {
    const certificate = new X509Certificate(pem)
    if (certificate.validTo && Date.parse(certificate.validTo) < Date.now()) return false
    const wanted = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host
    return isIP(wanted) === 0 ? certificate.checkHost(wanted) !== undefined : certificate.checkIP(wanted) !== undefined
  } catch {
    return false
  }
}
