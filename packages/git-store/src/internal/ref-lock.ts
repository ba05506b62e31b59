import type { FsClient } from 'isomorphic-git'
import { StatusConflictError } from '../errors.js'

type Callback = (error: unknown) => void

function call(fs: FsClient, name: 'writeFile' | 'unlink' | 'mkdir', ...args: unknown[]): Promise<void> {
  if ('promises' in fs && fs.promises) {
    const method = fs.promises[name] as (...a: unknown[]) => Promise<unknown>
    return method.apply(fs.promises, args).then(() => undefined)
  }
  const method = (fs as unknown as Record<string, (...a: unknown[]) => void>)[name]!
  return new Promise((resolve, reject) => method.apply(fs, [...args, ((error) => (error ? reject(error) : resolve())) as Callback]))
}

/**
 * Runs `action` holding git's own lock file for `ref` (`<gitdir>/<ref>.lock`, created
 * exclusively), so two local writers (and native git) never update the ref at once. A lock held
 * by someone else makes it throw {@link StatusConflictError}: the caller re-reads and retries.
 */
export async function withRefLock<T>(fs: FsClient, gitdir: string, ref: string, action: () => Promise<T>): Promise<T> {
  const lock = `${gitdir}/${ref}.lock`
  const parent = lock.slice(0, lock.lastIndexOf('/'))
  await call(fs, 'mkdir', parent, { recursive: true })
  try {
    await call(fs, 'writeFile', lock, `${process.pid}\n`, { flag: 'wx' })
  } catch (cause) {
    throw new StatusConflictError(`${ref} is locked by another writer`, { cause, data: { ref } })
  }
  try {
    return await action()
  } finally {
    await call(fs, 'unlink', lock).catch(() => undefined)
  }
}
