import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A running `planspec serve` (the bundle) with an admin token. */
export interface ServeProcess {
  readonly url: string
  /** The environment a CLI call needs to act as the admin. */
  readonly env: Record<string, string>
  /** Restarts the server on a new, empty database. */
  reset(): Promise<void>
  stop(): Promise<void>
}

const TOKEN = 'parity-admin-token-5d1c'

/** Options of {@link startServe}. */
export interface ServeOptions {
  /** Run Executions (default false: `--no-executions`). */
  readonly executions?: boolean
  /** More lines of the tokens file (`token,user[,groups]`), besides the admin's. */
  readonly tokens?: readonly string[]
  /** Commands the runner may start (`--allow-command`). */
  readonly allowCommands?: readonly string[]
  /** Writes the access log to this file (`--access-log`). */
  readonly accessLog?: string
}

/** Starts `planspec serve` (by default `--no-executions`) on a fresh SQLite file and resolves once it listens. */
export async function startServe(bin: string, root: string, options: ServeOptions = {}): Promise<ServeProcess> {
  const tokens = join(root, 'tokens.csv')
  writeFileSync(tokens, [`${TOKEN},admin,system:masters`, ...(options.tokens ?? [])].join('\n') + '\n')
  let child: ChildProcess | undefined
  let url = ''
  const start = async (): Promise<void> => {
    const dir = mkdtempSync(join(root, 'serve-'))
    const proc = spawn(process.execPath, [bin, 'serve', '--insecure-http', '--db', join(dir, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', tokens, '--workspace', join(dir, 'runs'), ...(options.executions ? [] : ['--no-executions']), ...(options.allowCommands ?? []).flatMap((c) => ['--allow-command', c]), ...(options.accessLog ? ['--access-log', options.accessLog] : [])], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PLANSPEC_LOG_LEVEL: 'info' } })
    child = proc
    let log = ''
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${log}`)), 60_000)
      proc.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
      proc.stdout!.on('data', (chunk: Buffer) => {
        log += chunk.toString()
        const found = /"url":"(http:\/\/[^"]+)"/.exec(log)
        if (found) {
          clearTimeout(timer)
          resolve(found[1]!)
        }
      })
      proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${log}`)))
    })
  }
  const stop = async (): Promise<void> => {
    const proc = child
    if (proc === undefined || proc.exitCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGTERM')
    await exited
  }
  await start()
  return {
    get url() {
      return url
    },
    env: { PLANSPEC_TOKEN: TOKEN },
    reset: async () => {
      await stop()
      await start()
    },
    stop,
  }
}
