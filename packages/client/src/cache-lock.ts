import { lock } from 'proper-lockfile'
import type { GitAgentRepo } from '@planspec/agent'

/** How long a command waits for another process's turn on a cache (then it fails, naming the lock). */
const WAIT_MS = 120_000
const RETRY_MS = 100

/**
 * Runs `work` while this process holds the lock of a repository cache directory (`DIR.lock`,
 * proper-lockfile: an atomic mkdir, kept fresh while held, taken over when its holder died and it
 * went stale), so that processes sharing one cache (`planspec get -w` in one terminal, `planspec
 * approve` in another, an agent) never fetch into it at the same time: two concurrent fetches
 * into one clone let a reader meet a commit whose objects are not written yet.
 *
 * @example
 * const desired = await withCacheLock(dir, () => repo.readDesired())
 */
export async function withCacheLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const release = await lock(dir, { realpath: false, stale: 10_000, update: 2_000, retries: { retries: WAIT_MS / RETRY_MS, factor: 1, minTimeout: RETRY_MS, maxTimeout: RETRY_MS }, onCompromised: () => undefined })
  try {
    return await work()
  } finally {
    await release().catch(() => undefined)
  }
}

/**
 * Returns the repository with every read and write taken under its cache's lock
 * ({@link withCacheLock}): what a remote repository's handle is (a local path is read in place).
 */
export function lockedRepo(repo: GitAgentRepo, dir: string): GitAgentRepo {
  return {
    ...repo,
    readDesired: () => withCacheLock(dir, () => repo.readDesired()),
    readStatus: () => withCacheLock(dir, () => repo.readStatus()),
    writeStatus: (write, expectedHead) => withCacheLock(dir, () => repo.writeStatus(write, expectedHead)),
    appendRequest: (request, author, sign) => withCacheLock(dir, () => repo.appendRequest(request, author, sign)),
    desiredAt: (revision) => withCacheLock(dir, () => repo.desiredAt(revision)),
    changeAuthor: (item) => withCacheLock(dir, () => repo.changeAuthor(item)),
    reachable: (revision) => withCacheLock(dir, () => repo.reachable(revision)),
    signers: () => withCacheLock(dir, () => repo.signers()),
  }
}
