import type { FsClient } from 'isomorphic-git'

/** Tells whether `path` exists, through the injected file system (promise or callback style). */
export async function pathExists(fs: FsClient, path: string): Promise<boolean> {
  try {
    if ('promises' in fs && fs.promises) await fs.promises.stat(path)
    else {
      const callbackFs = fs as unknown as { stat: (path: string, callback: (error: unknown) => void) => void }
      await new Promise<void>((resolve, reject) => callbackFs.stat(path, (error) => (error ? reject(error) : resolve())))
    }
    return true
  } catch {
    return false
  }
}
