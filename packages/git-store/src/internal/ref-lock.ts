import { hostname } from 'node:os'
import type { FsClient } from 'isomorphic-git'
import { StatusConflictError } from '../errors.js'
import { systemClock } from './system-clock.js'

type Callback = (error: unknown, value?: unknown) => void

function call<T = void>(fs: FsClient, name: 'writeFile' | 'unlink' | 'mkdir' | 'stat' | 'readFile', ...args: unknown[]): Promise<T> {
  if ('promises' in fs && fs.promises) {
    const method = fs.promises[name] as (...a: unknown[]) => Promise<unknown>
    return method.apply(fs.promises, args) as Promise<T>
  }
  const method = (fs as unknown as Record<string, (...a: unknown[]) => void>)[name]!
  return new Promise((resolve, reject) => method.apply(fs, [...args, ((error, value) => (error ? reject(error) : resolve(value as T))) as Callback]))
}

/** A ref lock found stale and removed (DECISIONS §9), for the caller's log. */
export interface StaleLock {
  /** The lock file. */
  readonly path: string
  /** How old it was, in milliseconds. */
  readonly ageMs: number
  /** Who held it, when the lock says (`pid@host` of a PlanSpec writer); native git's locks do not. */
  readonly holder?: string
  /** Why it counts as stale. */
  readonly reason: 'WriterGone' | 'TooOld'
}

/** A lock older than this whose writer is gone on this host is stale. */
export const STALE_LOCK_GONE_MS = 60_000
/** A lock older than this is stale whoever holds it. */
export const STALE_LOCK_MAX_MS = 10 * 60_000

/** Tells whether process `pid` is gone (this host only). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH'
  }
}

/** Judges a lock file: stale (with why), or held. */
async function staleness(fs: FsClient, lock: string, now: number): Promise<StaleLock | undefined> {
  let stat: { mtimeMs: number }
  try {
    stat = await call<{ mtimeMs: number }>(fs, 'stat', lock)
  } catch {
    return undefined
  }
  const ageMs = Math.max(0, now - stat.mtimeMs)
  const content = await call<Uint8Array | string>(fs, 'readFile', lock).then((b) => String(typeof b === 'string' ? b : Buffer.from(b).toString('utf8')), () => '')
  const match = /^(\d+)@(\S+)\n?$/.exec(content.slice(0, 300))
  const holder = match ? `${match[1]}@${match[2]}` : undefined
  if (ageMs > STALE_LOCK_MAX_MS) return { path: lock, ageMs, reason: 'TooOld', ...(holder ? { holder } : {}) }
  if (ageMs > STALE_LOCK_GONE_MS && match && match[2] === hostname() && processGone(Number(match[1]))) return { path: lock, ageMs, holder: holder!, reason: 'WriterGone' }
  return undefined
}

/**
 * Runs `action` holding git's own lock file for `ref` (`<gitdir>/<ref>.lock`, created
 * exclusively, holding `pid@host`), so two local writers (and native git) never update the ref at
 * once. A lock held by someone else makes it throw {@link StatusConflictError}: the caller
 * re-reads and retries. A stale lock left by a killed writer (older than 60 s and its process gone
 * from this host, or older than 10 minutes whoever wrote it) is removed, reported to `onStale`,
 * and the lock taken: one killed writer never stops every later one.
 */
export async function withRefLock<T>(fs: FsClient, gitdir: string, ref: string, action: () => Promise<T>, options: { readonly onStale?: (lock: StaleLock) => void; readonly now?: () => number } = {}): Promise<T> {
  const lock = `${gitdir}/${ref}.lock`
  const parent = lock.slice(0, lock.lastIndexOf('/'))
  await call(fs, 'mkdir', parent, { recursive: true })
  const take = (): Promise<void> => call(fs, 'writeFile', lock, `${process.pid}@${hostname()}\n`, { flag: 'wx' })
  try {
    await take()
  } catch (cause) {
    const stale = await staleness(fs, lock, (options.now ?? systemClock)())
    if (stale === undefined) throw new StatusConflictError(`${ref} is locked by another writer`, { cause, data: { ref } })
    await call(fs, 'unlink', lock).catch(() => undefined)
    options.onStale?.(stale)
    try {
      await take()
    } catch (again) {
      throw new StatusConflictError(`${ref} is locked by another writer`, { cause: again, data: { ref } })
    }
  }
  try {
    return await action()
  } finally {
    await call(fs, 'unlink', lock).catch(() => undefined)
  }
}
