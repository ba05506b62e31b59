import type { Writable } from 'node:stream'
import type { Redactor } from '@planspec/core'
import { pino, type Logger } from 'pino'

export type { Logger }
import pretty from 'pino-pretty'
import type { CommandIO } from './io.js'

/**
 * Creates the logger of the long-running commands (`agent`, `serve`): JSON lines on stdout,
 * human-readable on a terminal (pino-pretty), level from `PLANSPEC_LOG_LEVEL` (default `info`).
 * Every line goes through the redactor as it is written: logs are a sink (DECISIONS §9), whatever
 * a message or a field holds.
 */
export function createLogger(io: CommandIO, redactor: Redactor): Logger {
  const level = io.env.PLANSPEC_LOG_LEVEL ?? 'info'
  const hooks = { streamWrite: (line: string): string => redactor.redact(line) }
  if (io.stdout.isTTY) return pino({ level, hooks }, pretty({ destination: io.stdout as unknown as Writable, colorize: !io.env.NO_COLOR, sync: true, ignore: 'pid,hostname' }) as unknown as Writable)
  return pino({ level, base: undefined, hooks }, io.stdout as Writable)
}

/** The access log of `planspec serve --access-log`, and how to flush it when the server stops. */
export interface AccessLogger {
  readonly logger: Logger
  /** Writes what is buffered and closes the destination. Idempotent. */
  close(): void
}

/**
 * Creates the access log: one JSON line per request, written asynchronously (pino's SonicBoom
 * destination: lines that come while a write is under way are written together with the next
 * one), so a request never waits for the write and a quiet server's lines still appear at once. To `file` (created
 * owner-only when missing), or stdout without one. Lines go through the redactor like every log.
 */
export function createAccessLogger(file: string | undefined, redactor: Redactor): AccessLogger {
  // On stdout, writes stay within PIPE_BUF so they never interleave with the main log's lines.
  const destination = pino.destination({ dest: file ?? 1, sync: false, ...(file === undefined ? { maxWrite: 4096 } : { mode: 0o600 }) })
  const logger = pino({ level: 'info', base: undefined, hooks: { streamWrite: (line: string): string => redactor.redact(line) } }, destination)
  let closed = false
  return {
    logger,
    close() {
      if (closed) return
      closed = true
      try {
        destination.flushSync()
      } catch {
        // Not open yet (a server stopped at once): end() below writes the buffer once it is.
      }
      if (file !== undefined) destination.end()
    },
  }
}
