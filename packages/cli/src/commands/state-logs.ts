import { existsSync, readFileSync } from 'node:fs'
import type { AttemptLog } from '@planspec/core'
import { UsageError } from '../io.js'

/** Where `planspec run --state FILE` keeps its attempts' logs: `FILE.logs.json` beside the state file. */
export function stateLogsPath(statePath: string): string {
  return `${statePath}.logs.json`
}

/**
 * Reads the attempt logs a `planspec run --state FILE` kept (each stream capped, secrets masked,
 * the last attempts of each node): none when the file is absent. A file that is not what `run`
 * writes throws a `UsageError` naming it.
 */
export function readStateLogs(statePath: string): AttemptLog[] {
  const file = stateLogsPath(statePath)
  if (!existsSync(file)) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`${file} is not a run's log file: ${(error as Error).message}`)
  }
  const logs = (parsed as { logs?: unknown } | null)?.logs
  if (!Array.isArray(logs)) throw new UsageError(`${file} is not a run's log file: no "logs" list`)
  return logs.filter((l): l is AttemptLog => typeof l === 'object' && l !== null && typeof l.node === 'string' && typeof l.attempt === 'number' && (l.stream === 'stdout' || l.stream === 'stderr') && typeof l.text === 'string')
}
