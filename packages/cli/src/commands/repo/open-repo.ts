import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import http from 'isomorphic-git/http/node'
import { gitAgentRepo, type GitAgentRepo } from '@planspec/agent'
import { UsageError, type CommandIO } from '../../io.js'

/** How a command reaches a repository: `--repo URL|PATH` and the branches. */
export interface RepoFlags {
  readonly repo: string
  readonly branch?: string
  readonly statusBranch?: string
  /** Where a remote is cloned (default: a per-URL folder under ~/.cache/planspec). */
  readonly cacheDir?: string
  /** Who acts, `Name <email>` (default: GIT_AUTHOR_NAME/EMAIL, then `git config user.*`). */
  readonly author?: string
}

/**
 * Opens the repository a command names. An http(s) URL is cloned (bare) into a cache folder and
 * fetched on every read; credentials come from `PLANSPEC_GIT_TOKEN` (or the URL's userinfo, or
 * `PLANSPEC_GIT_USERNAME`/`PLANSPEC_GIT_PASSWORD`), never from flags, so they stay out of shell
 * history. A path is read and written in place.
 */
export function openRepo(flags: RepoFlags, io: CommandIO): { repo: GitAgentRepo; author: { name: string; email: string } | undefined; url?: string; dir: string } {
  const remote = /^https?:\/\//i.test(flags.repo)
  const token = io.env.PLANSPEC_GIT_TOKEN
  const auth = token ? { token } : io.env.PLANSPEC_GIT_USERNAME && io.env.PLANSPEC_GIT_PASSWORD ? { username: io.env.PLANSPEC_GIT_USERNAME, password: io.env.PLANSPEC_GIT_PASSWORD } : undefined
  const dir = remote ? resolve(io.cwd, flags.cacheDir ?? join(io.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'planspec', createHash('sha256').update(flags.repo).digest('hex').slice(0, 16))) : resolve(io.cwd, flags.repo)
  if (!remote && !fs.existsSync(dir)) throw new UsageError(`repository ${flags.repo} does not exist`)
  if (remote) fs.mkdirSync(dir, { recursive: true })
  const author = parseAuthor(flags.author, io)
  const repo = gitAgentRepo({
    fs,
    dir,
    ...(remote ? { url: flags.repo, http } : {}),
    ...(auth ? { auth } : {}),
    ...(flags.branch ? { branch: flags.branch } : {}),
    ...(flags.statusBranch ? { statusBranch: flags.statusBranch } : {}),
  })
  return { repo, author, dir, ...(remote ? { url: flags.repo } : {}) }
}

/** `Name <email>` from the flag, the git environment variables, or git's own config. */
function parseAuthor(flag: string | undefined, io: CommandIO): { name: string; email: string } | undefined {
  const text = flag ?? (io.env.GIT_AUTHOR_EMAIL ? `${io.env.GIT_AUTHOR_NAME ?? io.env.GIT_AUTHOR_EMAIL} <${io.env.GIT_AUTHOR_EMAIL}>` : gitConfigAuthor(io))
  if (text === undefined) return undefined
  const match = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(text.trim())
  if (!match) throw new UsageError(`--author must look like "Name <email>", got ${JSON.stringify(text)}`)
  return { name: match[1] || (match[2] as string), email: match[2] as string }
}

function gitConfigAuthor(io: CommandIO): string | undefined {
  const read = (key: string): string => spawnSync('git', ['config', key], { cwd: io.cwd, encoding: 'utf8' }).stdout?.trim() ?? ''
  const email = read('user.email')
  return email ? `${read('user.name') || email} <${email}>` : undefined
}
