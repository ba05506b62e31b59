import type Database from 'better-sqlite3'
import { DEFAULT_LOG_ATTEMPTS_KEPT, selectAttemptLogs } from '@planspec/core'
import { keptFloor, logOfRow, type LogRow, type LogStore } from './attempt-logs.js'

const DDL = `
CREATE TABLE IF NOT EXISTS attempt_logs (
  ns TEXT NOT NULL, execution TEXT NOT NULL, uid TEXT NOT NULL, node TEXT NOT NULL, attempt INTEGER NOT NULL, stream TEXT NOT NULL,
  bytes INTEGER NOT NULL, truncated INTEGER NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (ns, execution, node, attempt, stream)
) WITHOUT ROWID;
`

/**
 * The SQLite log store: the `attempt_logs` table in the store's database (created when missing),
 * each save one transaction.
 *
 * @example
 * const logs = sqliteLogs(db)
 * await logs.save({ namespace: 'default', name: 'release-1', uid }, [{ node: 'build', attempt: 1, stream: 'stdout', text: 'ok\n', bytes: 3, truncated: false }])
 */
export function sqliteLogs(db: Database.Database): LogStore {
  db.exec(DDL)
  const dropOthers = db.prepare<[string, string, string]>('DELETE FROM attempt_logs WHERE ns = ? AND execution = ? AND uid <> ?')
  const upsert = db.prepare<[string, string, string, string, number, string, number, number, string]>(
    'INSERT INTO attempt_logs (ns, execution, uid, node, attempt, stream, bytes, truncated, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ns, execution, node, attempt, stream) DO UPDATE SET uid = excluded.uid, bytes = excluded.bytes, truncated = excluded.truncated, text = excluded.text',
  )
  const dropOld = db.prepare<[string, string, string, number]>('DELETE FROM attempt_logs WHERE ns = ? AND execution = ? AND node = ? AND attempt < ?')
  const read = db.prepare<[string, string, string], LogRow>('SELECT node, attempt, stream, bytes, truncated, text FROM attempt_logs WHERE ns = ? AND execution = ? AND uid = ?')
  const prune = db.prepare<[string, string]>('DELETE FROM attempt_logs WHERE ns = ? AND execution = ?')
  const save = db.transaction((ns: string, name: string, uid: string, logs: readonly Parameters<LogStore['save']>[1][number][], attemptsKept: number) => {
    dropOthers.run(ns, name, uid)
    for (const log of logs) upsert.run(ns, name, uid, log.node, log.attempt, log.stream, log.bytes, log.truncated ? 1 : 0, log.text)
    for (const [node, floor] of keptFloor(logs, attemptsKept)) dropOld.run(ns, name, node, floor)
  })
  return {
    async save(execution, logs, attemptsKept = DEFAULT_LOG_ATTEMPTS_KEPT) {
      save.immediate(execution.namespace, execution.name, execution.uid, logs, attemptsKept)
    },
    async read(execution) {
      return selectAttemptLogs(read.all(execution.namespace, execution.name, execution.uid).map(logOfRow), { allAttempts: true })
    },
    async prune(namespace, name) {
      prune.run(namespace, name)
    },
  }
}
