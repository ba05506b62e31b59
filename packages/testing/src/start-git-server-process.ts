import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { GitServer, GitServerOptions, GitServerStats, OutageMode } from './start-git-server.js'

/** A message from the server process: ready (with the port), a stats update, or a reply. */
type FromChild = { type: 'ready'; port: number } | { type: 'stats'; stats: GitServerStats } | { type: 'done'; id: number } | { type: 'failed'; message: string }

/**
 * Starts the same loopback smart-HTTP server as `startGitServer`, in a child Node process. Use it
 * from large processes (a test runner with many modules loaded): every request spawns the CGI,
 * and spawning from a small process is several times cheaper; the server's own work no longer
 * competes with the code under test for the event loop or shows in its CPU time.
 *
 * `stats` is brought up to date by every call (`sync()` does only that): await `sync()` before
 * reading it to see every request answered so far.
 *
 * @example
 * const server = await startGitServerProcess({ root })
 * await server.down('refuse'); await server.up(); await server.close()
 */
export async function startGitServerProcess(options: GitServerOptions): Promise<GitServer> {
  // The child runs compiled code: from the TypeScript sources (this package's own tests), the
  // build output next to them is used.
  const here = new URL(import.meta.url)
  const entry = here.pathname.endsWith('.ts') ? new URL('../dist/git-server-child.js', here) : new URL('./git-server-child.js', here)
  if (!existsSync(entry)) throw new Error(`${entry.pathname} does not exist: build @planspec/testing first`)
  const child = fork(entry.pathname, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' })
  const stats: GitServerStats = { requests: 0, pushes: 0, unauthorized: 0 }
  const pending = new Map<number, () => void>()
  let next = 0
  let exited = false
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the git server process exited with ${code ?? 'a signal'}`)))
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') resolve(message.port)
      else if (message.type === 'failed') reject(new Error(message.message))
      else if (message.type === 'stats') Object.assign(stats, message.stats)
      else pending.get(message.id)?.()
    })
  })
  child.removeAllListeners('exit')
  child.on('exit', () => {
    exited = true
    for (const done of pending.values()) done()
  })
  const call = (op: string, mode?: OutageMode): Promise<void> =>
    exited
      ? Promise.resolve()
      : new Promise((resolve) => {
          const id = next++
          pending.set(id, () => {
            pending.delete(id)
            resolve()
          })
          child.send({ op, id, mode })
        })
  return {
    port,
    stats,
    url: (repo) => `http://127.0.0.1:${port}/${repo.replace(/^\/+/, '')}`,
    down: (mode = 'reset') => call('down', mode),
    up: () => call('up'),
    sync: () => call('sync'),
    async close() {
      await call('close')
      if (!exited) await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}
