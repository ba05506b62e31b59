import type { ChildProcess } from 'node:child_process'
import type { SpawnFn } from '../types.js'

/** Inputs of {@link runArgv}. */
export interface RunArgvOptions {
  spawn: SpawnFn
  /** argv; `argv[0]` is the executable. Already checked against the allow-list by the caller. */
  argv: readonly string[]
  cwd: string
  env: Readonly<Record<string, string>>
  /** Written to stdin, which is then closed. */
  stdin?: string
  timeoutMs: number
  /** Cap on each of stdout and stderr. */
  maxBytes: number
  signal: AbortSignal
}

/** How a process run ended. */
export type RunArgvResult =
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  | { kind: 'signaled'; signal: string; stdout: string; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'cancelled' }
  | { kind: 'too-large'; stream: 'stdout' | 'stderr' }
  | { kind: 'spawn-error'; code: string }

type Stop = Extract<RunArgvResult, { kind: 'timeout' | 'cancelled' | 'too-large' }>

/** After the group is killed, how long to wait for the pipes to close before giving up on them. */
const CLOSE_GRACE_MS = 2_000

/**
 * Runs an argv without a shell, in its own process group (`detached: true`), so a timeout, an
 * abort, an output overflow or the leader's exit kills the whole group with
 * `process.kill(-pid, 'SIGKILL')` and no grandchild outlives the attempt (THREATS T11).
 * Never throws.
 */
export function runArgv(opts: RunArgvOptions): Promise<RunArgvResult> {
  const [file, ...args] = opts.argv
  if (file === undefined) return Promise.resolve({ kind: 'spawn-error', code: 'EMPTY_ARGV' })
  return new Promise((resolve) => {
    let child: ChildProcess
    try {
      child = opts.spawn(file, args, {
        cwd: opts.cwd,
        env: { ...opts.env },
        shell: false,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      })
    } catch (err) {
      resolve({ kind: 'spawn-error', code: errorCode(err) })
      return
    }
    let settled = false
    let stopped: Stop | undefined
    const out: Buffer[] = []
    const err: Buffer[] = []
    const sizes = { stdout: 0, stderr: 0 }

    const killGroup = (): void => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // ESRCH: the group is already gone.
      }
    }
    const finish = (result: RunArgvResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      opts.signal.removeEventListener('abort', onAbort)
      resolve(result)
    }
    let grace: NodeJS.Timeout | undefined
    const stop = (why: Stop): void => {
      if (stopped !== undefined || settled) return
      stopped = why
      killGroup()
      // A grandchild that left the group (setsid) may hold the pipes open: do not wait forever.
      grace = setTimeout(() => {
        child.stdout?.destroy()
        child.stderr?.destroy()
        finish(why)
      }, CLOSE_GRACE_MS)
    }
    const onAbort = (): void => stop({ kind: 'cancelled' })
    const timer = setTimeout(() => stop({ kind: 'timeout' }), opts.timeoutMs)
    if (opts.signal.aborted) onAbort()
    else opts.signal.addEventListener('abort', onAbort, { once: true })

    const collect = (stream: 'stdout' | 'stderr', into: Buffer[]) => (chunk: Buffer) => {
      if (stopped !== undefined) return
      sizes[stream] += chunk.length
      if (sizes[stream] > opts.maxBytes) stop({ kind: 'too-large', stream })
      else into.push(chunk)
    }
    child.stdout?.on('data', collect('stdout', out))
    child.stderr?.on('data', collect('stderr', err))
    child.stdin?.on('error', () => {
      // EPIPE when the child exits without reading stdin: not our failure to report.
    })
    child.stdin?.end(opts.stdin ?? '')

    child.on('error', (e) => {
      if (child.pid === undefined) finish({ kind: 'spawn-error', code: errorCode(e) })
    })
    // The leader is gone: reap whatever it left behind in its group, which also frees the pipes.
    child.on('exit', killGroup)
    child.on('close', (code, signal) => {
      if (stopped !== undefined) return finish(stopped)
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (signal !== null) finish({ kind: 'signaled', signal, stdout, stderr })
      else finish({ kind: 'exited', code: code ?? -1, stdout, stderr })
    })
  })
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code
  return 'SPAWN_FAILED'
}
