import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { TokenRegistry } from '@planspec/server'
import { writeKubeconfig } from '../../files/kubeconfig.js'
import { readUserConfig, writeUserContext } from '../../files/user-config.js'
import { UsageError, type CommandIO } from '../../io.js'
import type { Logger } from '../../logger.js'
import { ensureAdminToken, ensureCertificate, isLoopback, serverState, storeUserToken } from './first-start.js'

/** The flags of `planspec serve` that decide its transport and credentials. */
export interface CredentialFlags {
  /** The database path as given (`:memory:` or a file, resolved against the working directory). */
  readonly db: string
  readonly host: string
  readonly tokens?: string
  readonly tlsCert?: string
  readonly tlsKey?: string
  /** Plain HTTP on loopback (logged as a warning). */
  readonly insecureHttp?: boolean
  /** Also write a kubeconfig for kubectl here. */
  readonly writeKubeconfig?: string
  /** The name of the context written to the user's config (default `local`). */
  readonly contextName?: string
}

/** What `serve` starts with, and what to publish once the URL is known. */
export interface ServeCredentials {
  readonly tls?: { readonly cert: string; readonly key: string }
  readonly tokens?: string | TokenRegistry
  /** Writes the user's context (and kubeconfig) and prints the lines a user needs. */
  publish(url: string): Promise<void>
}

/**
 * Decides how `planspec serve` is reached, ready on first start (k3s and Jupyter are the models):
 * - TLS: `--tls-cert/--tls-key`; else `--insecure-http` (loopback only, logged as a warning); else
 *   a self-signed certificate kept beside the database (created on first start).
 * - Tokens: `--tokens FILE`; else an admin token (`system:masters`) minted on first start, whose
 *   SHA-256 digest alone is kept beside the database.
 * Without `--tokens`, `publish` then writes a context (server URL, the CA file, the token file) to
 * the user's config and makes it current, so `planspec get goals` on the same machine needs no
 * flag; with `writeKubeconfig`, a kubeconfig for kubectl too. It prints two lines on stderr (not in
 * the JSON log): where the server is and which context to use, and the admin token the one time it
 * is minted. Throws a `UsageError` for half a TLS pair or `--insecure-http` off loopback.
 *
 * @example
 * const credentials = await prepareServeCredentials({ db, host: '127.0.0.1' }, io, logger, createSelfSignedCertificate)
 */
export async function prepareServeCredentials(flags: CredentialFlags, io: CommandIO, logger: Logger, createCertificate: (options: { hosts: readonly string[] }) => Promise<{ cert: string; key: string }>): Promise<ServeCredentials> {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together: give both, or neither')
  if (flags.insecureHttp && flags.tlsCert !== undefined) throw new UsageError('--insecure-http and --tls-cert exclude each other')
  if (flags.insecureHttp && !isLoopback(flags.host)) throw new UsageError(`--insecure-http serves loopback only (127.0.0.1, ::1, localhost), not ${JSON.stringify(flags.host)}: use TLS to listen on other addresses`)
  if (flags.writeKubeconfig !== undefined && flags.tokens !== undefined) throw new UsageError('--write-kubeconfig writes the admin token of a first start: it does not go with --tokens')
  const needsState = flags.tokens === undefined || (flags.tlsCert === undefined && !flags.insecureHttp)
  const state = needsState ? await serverState(flags.db) : undefined
  let tls: { cert: string; key: string; certFile?: string; selfSigned: boolean } | undefined
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    const certFile = resolve(io.cwd, flags.tlsCert)
    try {
      tls = { cert: await readFile(certFile, 'utf8'), key: await readFile(resolve(io.cwd, flags.tlsKey), 'utf8'), certFile, selfSigned: false }
    } catch (error) {
      throw new UsageError(`cannot read the TLS certificate or key: ${(error as Error)?.message ?? String(error)}`)
    }
  } else if (!flags.insecureHttp) {
    const made = await ensureCertificate(state!, flags.host, createCertificate)
    tls = { cert: made.cert, key: made.key, certFile: made.certFile, selfSigned: true }
    if (made.created) logger.info({ certificate: made.certFile }, `created a self-signed certificate in ${made.certFile} (clients pin it as their CA)`)
  } else logger.warn({ insecureHttp: true }, '--insecure-http: serving plain HTTP on loopback; tokens cross unencrypted')
  const admin = flags.tokens === undefined ? await ensureAdminToken(state!) : undefined
  const contextName = flags.contextName ?? 'local'

  async function publish(url: string): Promise<void> {
    const reachable = url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:')
    if (admin === undefined) {
      if (tls?.selfSigned) io.stderr.write(`PlanSpec API server at ${reachable} (self-signed certificate: ${tls.certFile})\n`)
      return
    }
    const existing = (await readUserConfig(io.env).catch(() => undefined))?.config.contexts?.[contextName]
    const tokenFile = admin.minted !== undefined ? await storeUserToken(io.env, contextName, admin.minted) : existing?.tokenFile
    let configFile: string | undefined
    try {
      configFile = await writeUserContext(io.env, contextName, { server: reachable, ...(existing?.namespace === undefined ? {} : { namespace: existing.namespace }), ...(tokenFile === undefined ? {} : { tokenFile }), ...(tls?.selfSigned && tls.certFile ? { certificateAuthority: tls.certFile } : {}) }, { current: true })
    } catch (error) {
      logger.warn({ err: error }, `could not write the user's PlanSpec config: ${(error as Error).message}`)
    }
    if (flags.writeKubeconfig !== undefined) {
      const file = resolve(io.cwd, flags.writeKubeconfig)
      await writeKubeconfig(file, { name: `planspec-${contextName}`, server: reachable, ...(tls?.selfSigned ? { ca: tls.cert } : {}), ...(tokenFile === undefined ? {} : { tokenFile }) })
      logger.info({ kubeconfig: file }, `kubeconfig for kubectl written to ${file}`)
    }
    io.stderr.write(`PlanSpec API server at ${reachable}: context "${contextName}"${configFile ? ` in ${configFile}` : ''}; try: planspec get goals\n`)
    if (admin.minted !== undefined) io.stderr.write(`Admin token (shown once${tokenFile ? `; kept for this user in ${tokenFile}` : ''}): ${admin.minted}\n`)
    else io.stderr.write(`Admin token: unchanged${tokenFile ? ` (in ${tokenFile})` : ''}; to mint a new one, delete ${state!.stem}.admin-token.sha256 and restart\n`)
  }
  return { ...(tls === undefined ? {} : { tls: { cert: tls.cert, key: tls.key } }), ...(flags.tokens !== undefined ? { tokens: resolve(io.cwd, flags.tokens) } : admin ? { tokens: admin.tokens } : {}), publish }
}
