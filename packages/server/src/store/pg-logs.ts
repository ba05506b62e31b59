import type pg from 'pg'
import { DEFAULT_LOG_ATTEMPTS_KEPT, selectAttemptLogs } from '@planspec/core'
import { keptFloor, logOfRow, type LogRow, type LogStore } from './attempt-logs.js'
import { inTransaction } from './pg-client.js'
import { storeError } from './pg-errors.js'
import type { PgNames } from './pg-names.js'

/**
 * The PostgreSQL log store: the `attempt_logs` table of the store's schema (migration 3), each
 * save one transaction, shared by every replica.
 *
 * @example
 * const logs = pgLogs(pool, pgNames('planspec'))
 * await logs.read({ namespace: 'default', name: 'release-1', uid })
 */
export function pgLogs(pool: pg.Pool, n: PgNames): LogStore {
  return {
    async save(execution, logs, attemptsKept = DEFAULT_LOG_ATTEMPTS_KEPT) {
      try {
        await inTransaction(pool, async (client) => {
          await client.query(`DELETE FROM ${n.attemptLogs} WHERE ns = $1 AND execution = $2 AND uid <> $3`, [execution.namespace, execution.name, execution.uid])
          for (const log of logs) {
            await client.query(
              `INSERT INTO ${n.attemptLogs} (ns, execution, uid, node, attempt, stream, bytes, truncated, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (ns, execution, node, attempt, stream) DO UPDATE SET uid = excluded.uid, bytes = excluded.bytes, truncated = excluded.truncated, text = excluded.text`,
              [execution.namespace, execution.name, execution.uid, log.node, log.attempt, log.stream, log.bytes, log.truncated, log.text],
            )
          }
          for (const [node, floor] of keptFloor(logs, attemptsKept)) await client.query(`DELETE FROM ${n.attemptLogs} WHERE ns = $1 AND execution = $2 AND node = $3 AND attempt < $4`, [execution.namespace, execution.name, node, floor])
        })
      } catch (error) {
        throw storeError(error, `saving the logs of execution ${execution.namespace}/${execution.name}`)
      }
    },
    async read(execution) {
      try {
        const result = await pool.query<LogRow>(`SELECT node, attempt, stream, bytes, truncated, text FROM ${n.attemptLogs} WHERE ns = $1 AND execution = $2 AND uid = $3`, [execution.namespace, execution.name, execution.uid])
        return selectAttemptLogs(result.rows.map(logOfRow), { allAttempts: true })
      } catch (error) {
        throw storeError(error, `reading the logs of execution ${execution.namespace}/${execution.name}`)
      }
    },
    async prune(namespace, name) {
      try {
        await pool.query(`DELETE FROM ${n.attemptLogs} WHERE ns = $1 AND execution = $2`, [namespace, name])
      } catch (error) {
        throw storeError(error, `dropping the logs of execution ${namespace}/${name}`)
      }
    },
  }
}
