import type { Readable, Writable } from 'node:stream'

/**
 * The effects a command may use, injected so that tests call commands directly and spawn
 * nothing (STYLE: kubectl's IOStreams).
 */
export interface CommandIO {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number }
  readonly stderr: Writable & { isTTY?: boolean }
  readonly stdin: Readable
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly (a run is cancelled). */
  readonly signal?: AbortSignal
  /** How long a network request may take (`--request-timeout`; default 30 s). */
  readonly requestTimeoutMs?: number
}

/** The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130

/** Exit codes: 0 success, 1 findings or failure, 2 usage or I/O error (DECISIONS §7). */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const

/** An error that ends a command with exit code 2 and a one-line message on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Decides whether to colour output: only on a TTY, and never when NO_COLOR is set. */
export function useColor(io: CommandIO): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true
  return Boolean(io.stdout.isTTY)
}
