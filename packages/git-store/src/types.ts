import type { AuthCallback, FsClient, HttpClient } from 'isomorphic-git'
import type { GitStoreCache } from './create-git-store-cache.js'
import type { StaleLock } from './internal/ref-lock.js'

/**
 * Credentials for the remote. A token travels as the basic-auth password (user `x-access-token`
 * unless `username` says otherwise, as GitHub and Gitea accept); or a user and password.
 */
export type GitCredentials = { readonly token: string; readonly username?: string } | { readonly username: string; readonly password: string }

/**
 * The effects and location every git-store function takes (isomorphic-git style: bring your own
 * `fs` and `http`).
 *
 * - With `url`: `dir` is a cache directory holding a bare clone of the remote (created on first
 *   use); branches are read from the remote-tracking refs `refs/remotes/origin/*`, writes are
 *   pushed with compare-and-swap.
 * - Without `url`: `dir` is a local repository (a work tree with `.git`, or a bare repository)
 *   read and written in place, with no fetch or push.
 */
export interface GitRepository {
  readonly fs: FsClient
  readonly dir: string
  /** The remote's URL (http or https). Userinfo in it is used as credentials and never echoed. */
  readonly url?: string
  /** isomorphic-git's HTTP client (`isomorphic-git/http/node`); required with `url`. */
  readonly http?: HttpClient
  /** isomorphic-git's credential callback; `auth` is the simpler alternative. */
  readonly onAuth?: AuthCallback
  readonly auth?: GitCredentials
  /** Caches shared across calls (pack indexes, parsed blobs, the validator). Pass the same one every time. */
  readonly cache?: GitStoreCache
  /** Bound on each network request and on each pause while reading a response; 30 s by default. */
  readonly timeoutMs?: number
  /**
   * Told when a stale ref lock (`<ref>.lock` left by a killed writer: older than 60 s and its
   * process gone, or older than 10 minutes) was removed so a write could go on; log it.
   */
  readonly onStaleLock?: (lock: StaleLock) => void
  /**
   * Worker threads for validating many manifests at once (a cold read of a large tree): the
   * validator's worker script and how many threads (default: the available cores). Without it,
   * every manifest is validated in the calling thread.
   */
  readonly validationWorkers?: ValidationWorkers
}

/** Where validation workers come from: a script that serves validation (see `serveValidation` of the validator). */
export interface ValidationWorkers {
  readonly workerUrl: URL
  readonly jobs?: number
}

/** A commit identity: the person or agent a commit is attributed to. */
export interface GitIdentity {
  readonly name: string
  readonly email: string
}

/** The default identity of the agent's status commits. */
export const AGENT_IDENTITY: GitIdentity = { name: 'planspec-agent', email: 'planspec-agent@users.noreply.planspec.io' }

/** The default name of the status branch (DECISIONS §6). */
export const DEFAULT_STATUS_BRANCH = 'planspec/status'
