import type { AttemptLog } from '@planspec/core'

/** The Execution object logs belong to: a new object of the same name (another uid) starts with none. */
export interface LoggedExecution {
  readonly namespace: string
  readonly name: string
  readonly uid: string
}

/**
 * Where the server keeps its Executions' attempt logs (the `executions/{name}/log` subresource):
 * a table beside the objects, bounded by the engine's cap on each stream and by `attemptsKept`
 * attempts per node. `sqliteLogs` and `pgLogs` implement it.
 */
export interface LogStore {
  /**
   * Keeps the logs of attempts of `execution`: a log of the same node, attempt and stream is
   * replaced, logs of another object of the same name are dropped, and each node keeps its last
   * `attemptsKept` attempts.
   */
  save(execution: LoggedExecution, logs: readonly AttemptLog[], attemptsKept?: number): Promise<void>
  /** The kept logs of `execution`, ordered by node, attempt and stream. */
  read(execution: LoggedExecution): Promise<AttemptLog[]>
  /** Drops every log of the Execution `namespace/name` (it was deleted). */
  prune(namespace: string, name: string): Promise<void>
}

/** A row of the logs table, as both databases return it. */
export interface LogRow {
  readonly node: string
  readonly attempt: number | string
  readonly stream: string
  readonly bytes: number | string
  readonly truncated: number | boolean
  readonly text: string
}

/** Turns a row into a log (numbers from text columns, SQLite's 0/1 as booleans). */
export function logOfRow(row: LogRow): AttemptLog {
  return { node: row.node, attempt: Number(row.attempt), stream: row.stream === 'stderr' ? 'stderr' : 'stdout', text: row.text, bytes: Number(row.bytes), truncated: row.truncated === true || row.truncated === 1 }
}

/** Per node, the lowest attempt still kept once `logs` are added (older attempts are dropped). */
export function keptFloor(logs: readonly AttemptLog[], attemptsKept: number): Map<string, number> {
  const floor = new Map<string, number>()
  for (const log of logs) floor.set(log.node, Math.max(floor.get(log.node) ?? 0, log.attempt - attemptsKept + 1))
  return floor
}
