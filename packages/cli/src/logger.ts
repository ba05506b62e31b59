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
