import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import http from 'isomorphic-git/http/node'
import { gitAgentRepo, type GitAgentRepo } from '@planspec/agent'
import type { AgentKeyring, GitRepository, StaleLock, ValidationWorkers } from '@planspec/git-store'
import type { ClientEnv } from './client-env.js'
import { lockedRepo } from './cache-lock.js'
import { ClientUsageError } from './errors.js'

/** How a command reaches a repository: `--repo URL|PATH` and the branches. */
export interface RepoFlags {
  readonly repo: string
  readonly branch?: string
  readonly statusBranch?: string
  /** Where a remote is cloned (default: a per-URL folder under ~/.cache/planspec). */
  readonly cacheDir?: string
}

/** What a command adds when it opens a repository: the agent's trust settings (DECISIONS §9), validation workers. */
export interface AgentRepoExtras {
  readonly agentKey?: AgentKeyring
  readonly allowUnsignedRequests?: boolean
  readonly onStaleLock?: (lock: StaleLock) => void
  /** Authenticate requests by their signatures without the agents' key (a worker judging claims as the agent will). */
  readonly verifyRequests?: boolean
  /** Validate a large read's manifests in worker threads running this script (a bundled program ships its own). */
  readonly validationWorkers?: ValidationWorkers
}

/**
 * Opens the repository a command names. An http(s) URL is cloned (bare) into a cache folder and
 * fetched on every read; credentials come from `PLANSPEC_GIT_TOKEN` (or the URL's userinfo, or
 * `PLANSPEC_GIT_USERNAME`/`PLANSPEC_GIT_PASSWORD`), never from flags, so they stay out of shell
 * history. A path is read and written in place. Every read and write of a remote's cache is
 * taken under the cache's lock, so processes sharing it take turns.
 */
export function openRepo(flags: RepoFlags, io: ClientEnv, extras: AgentRepoExtras = {}): { repo: GitAgentRepo; author: { name: string; email: string } | undefined; url?: string; dir: string; git: GitRepository } {
  const remote = /^https?:\/\//i.test(flags.repo)
  const token = io.env.PLANSPEC_GIT_TOKEN
  const auth = token ? { token } : io.env.PLANSPEC_GIT_USERNAME && io.env.PLANSPEC_GIT_PASSWORD ? { username: io.env.PLANSPEC_GIT_USERNAME, password: io.env.PLANSPEC_GIT_PASSWORD } : undefined
  const dir = remote ? resolve(io.cwd, flags.cacheDir ?? join(io.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'planspec', createHash('sha256').update(flags.repo).digest('hex').slice(0, 16))) : resolve(io.cwd, flags.repo)
  if (!remote && !fs.existsSync(dir)) throw new ClientUsageError(`repository ${flags.repo} does not exist`)
  if (remote) fs.mkdirSync(dir, { recursive: true })
  const author = authorOf(io, remote ? io.cwd : dir)
  const git: GitRepository = { fs, dir, ...(remote ? { url: flags.repo, http } : {}), ...(auth ? { auth } : {}) }
  const repo = gitAgentRepo({
    ...git,
    ...(flags.branch ? { branch: flags.branch } : {}),
    ...(flags.statusBranch ? { statusBranch: flags.statusBranch } : {}),
    ...(extras.agentKey ? { agentKey: extras.agentKey } : {}),
    ...(extras.allowUnsignedRequests ? { allowUnsignedRequests: true } : {}),
    ...(extras.onStaleLock ? { onStaleLock: extras.onStaleLock } : {}),
    ...(extras.verifyRequests ? { verifyRequests: true } : {}),
    ...(extras.validationWorkers ? { validationWorkers: extras.validationWorkers } : {}),
  })
  // Processes sharing a remote's cache take turns on it (two fetches at once corrupt a read).
  return { repo: remote ? lockedRepo(repo, dir) : repo, author, dir, git, ...(remote ? { url: flags.repo } : {}) }
}

/**
 * Who a request is from, as git would write it on a commit: GIT_AUTHOR_NAME/EMAIL, else `git
 * config user.name/user.email` (the repository's, then the global). It counts only with a
 * signature of a key the allowed-signers file lists for that e-mail (DECISIONS §9).
 */
export function authorOf(io: ClientEnv, cwd: string): { name: string; email: string } | undefined {
  if (io.env.GIT_AUTHOR_EMAIL) return { name: io.env.GIT_AUTHOR_NAME || io.env.GIT_AUTHOR_EMAIL, email: io.env.GIT_AUTHOR_EMAIL }
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(io.env)) if (value !== undefined) env[name] = value
  const read = (key: string): string => spawnSync('git', ['config', '--get', key], { cwd, encoding: 'utf8', env, shell: false }).stdout?.trim() ?? ''
  const email = read('user.email')
  return email ? { name: read('user.name') || email, email } : undefined
}
