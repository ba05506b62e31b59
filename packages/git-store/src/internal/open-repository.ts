import git, { type AuthCallback, type FsClient, type GitAuth, type HttpClient } from 'isomorphic-git'
import { redact } from '@planspec/engine'
import { createGitStoreCache, type GitStoreCache } from '../create-git-store-cache.js'
import { GitInvalidInputError, GitUrlError } from '../errors.js'
import type { GitRepository } from '../types.js'
import type { StaleLock } from './ref-lock.js'
import { pathExists } from './path-exists.js'
import { advertiseHead } from './advertise-head.js'
import { DEFAULT_TIMEOUT_MS, timedHttp } from './timed-http.js'

/** The remote side of a repository: where to fetch from and push to, and what to keep secret. */
export interface RemoteContext {
  /** The URL as given (it may carry userinfo; it is only ever handed to isomorphic-git). */
  readonly url: string
  /** The URL without userinfo, safe for messages. */
  readonly displayUrl: string
  readonly http: HttpClient
  readonly onAuth: AuthCallback | undefined
  /** Every credential seen so far (from the URL, `auth` or `onAuth`), redacted from every error. */
  readonly secrets: Set<string>
}

/** An opened repository: its git directory, the remote if any, and the caches. */
export interface RepoContext {
  readonly fs: FsClient
  readonly gitdir: string
  readonly remote: RemoteContext | undefined
  readonly cache: GitStoreCache
  /** Told when a stale ref lock was removed. */
  readonly onStaleLock?: ((lock: StaleLock) => void) | undefined
}

/** The name the remote is known by in the cache repository. */
export const REMOTE = 'origin'

// A conservative subset of git's ref-name rules (git check-ref-format): no "..", "//", "@{",
// control characters, spaces, "~^:?*[\", no leading "-" or "/", no trailing "/", ".", ".lock".
const BRANCH = /^(?!-)(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)(?!.*\/$)(?!.*\.$)[A-Za-z0-9._/-]{1,200}$/

/** Checks a branch name, throwing {@link GitInvalidInputError} for one git would refuse. */
export function checkBranch(branch: string): string {
  if (!BRANCH.test(branch)) throw new GitInvalidInputError(`invalid branch name ${JSON.stringify(branch.slice(0, 100))}`, { data: { field: 'branch' } })
  return branch
}

/**
 * Checks the branch a status-branch function writes: a valid name that is not the tracked
 * branch, which the agent never writes (DECISIONS §6: its own writes never trigger a sync).
 */
export function checkStatusBranch(branch: string, tracked = 'main'): string {
  checkBranch(branch)
  if (branch === tracked) throw new GitInvalidInputError(`refusing to write the tracked branch ${branch}: status, requests and leases go to the status branch`, { data: { field: 'branch' } })
  return branch
}

/** The ref a branch is read from: the remote-tracking ref with a remote, the branch itself without. */
export function branchRef(context: RepoContext, branch: string): string {
  return context.remote ? `refs/remotes/${REMOTE}/${branch}` : `refs/heads/${branch}`
}

/**
 * Opens the repository an options object designates. With a URL, the cache directory is
 * initialised as a bare repository on first use; without, `dir` must be a repository (its `.git`
 * is used when there is one).
 */
export async function openRepository(options: GitRepository): Promise<RepoContext> {
  const cache = options.cache ?? createGitStoreCache()
  if (options.url === undefined) {
    const dotGit = `${options.dir}/.git`
    const gitdir = (await pathExists(options.fs, dotGit)) ? dotGit : options.dir
    return { fs: options.fs, gitdir, remote: undefined, cache, onStaleLock: options.onStaleLock }
  }
  if (!options.http) throw new GitInvalidInputError('an http client is required with a url (isomorphic-git/http/node)', { data: { field: 'http' } })
  const secrets = new Set<string>()
  const displayUrl = checkUrl(options.url, secrets)
  await git.init({ fs: options.fs, dir: options.dir, bare: true, defaultBranch: 'main' })
  const base = { fs: options.fs, gitdir: options.dir }
  if ((await git.getConfig({ ...base, path: `remote.${REMOTE}.fetch` })) === undefined) {
    // Only the redacted URL is stored: credentials never reach the disk.
    await git.setConfig({ ...base, path: `remote.${REMOTE}.url`, value: displayUrl })
    await git.setConfig({ ...base, path: `remote.${REMOTE}.fetch`, value: `+refs/heads/*:refs/remotes/${REMOTE}/*` })
  }
  const remote: RemoteContext = {
    url: options.url,
    displayUrl,
    http: advertiseHead(timedHttp(options.http, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)),
    onAuth: authCallback(options, secrets),
    secrets,
  }
  return { fs: options.fs, gitdir: options.dir, remote, cache, onStaleLock: options.onStaleLock }
}

/** Validates the URL, records its userinfo as secrets, and returns it without userinfo. */
function checkUrl(url: string, secrets: Set<string>): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new GitUrlError('the repository URL cannot be parsed', { data: { url: redact(url) } })
  }
  if (parsed.username) secrets.add(decodeURIComponent(parsed.username))
  if (parsed.password) secrets.add(decodeURIComponent(parsed.password))
  parsed.username = ''
  parsed.password = ''
  const display = parsed.toString()
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new GitUrlError(`unsupported transport ${parsed.protocol} for ${display}: use http or https`, { data: { url: display } })
  }
  return display
}

function remember(auth: GitAuth | void, secrets: Set<string>): GitAuth | void {
  if (!auth) return auth
  if (auth.password) secrets.add(auth.password)
  // A token sent as the user name (GitHub's `{ username: token }` form) is a secret too.
  if (auth.username && (!auth.password || auth.password === 'x-oauth-basic')) secrets.add(auth.username)
  for (const value of Object.values(auth.headers ?? {})) secrets.add(value)
  return auth
}

function authCallback(options: GitRepository, secrets: Set<string>): AuthCallback | undefined {
  const given = options.auth
  if (given) {
    const auth: GitAuth = 'token' in given ? { username: given.username ?? 'x-access-token', password: given.token } : { username: given.username, password: given.password }
    remember(auth, secrets)
    return () => auth
  }
  const onAuth = options.onAuth
  if (!onAuth) return undefined
  return async (url, auth) => remember(await onAuth(url, auth), secrets)
}
