import type pg from 'pg'

/** A pooled connection checked out for one transaction (see {@link checkOut}). */
export interface CheckedOut {
  readonly client: pg.PoolClient
  /** Returns the connection to the pool, or closes it when `broken` or when it reported an error while out. */
  release(broken: boolean): void
}

/**
 * Checks a connection out of the pool with an `error` listener for as long as it is out.
 * node-postgres emits `error` on a checked-out client whose connection drops between two queries
 * (the database restarted, a proxy cut it), and the pool listens only while the client is idle:
 * unheard, the error would end the process. Heard here, it is reported (`onError`), the query in
 * progress or the next one fails with it, and the connection is closed on release instead of being
 * pooled again.
 *
 * @example
 * const { client, release } = await checkOut(pool)
 * let broken = false
 * try { await client.query('SELECT 1') } catch (error) { broken = true; throw error } finally { release(broken) }
 */
export async function checkOut(pool: pg.Pool, onError?: (error: Error) => void): Promise<CheckedOut> {
  const client = await pool.connect()
  let failed = false
  const listener = (error: Error): void => {
    failed = true
    onError?.(error)
  }
  client.on('error', listener)
  return {
    client,
    release(broken) {
      client.removeListener('error', listener)
      client.release(broken || failed)
    },
  }
}

/**
 * Runs `work` in one transaction on a connection checked out of `pool` ({@link checkOut}): `begin`
 * (plain `BEGIN` by default), then `work`, then `COMMIT`. When anything fails the transaction is
 * rolled back, the connection is closed rather than pooled again, and the error is rethrown.
 *
 * @example
 * const count = await inTransaction(pool, async (client) => (await client.query('SELECT count(*) FROM t')).rows[0].count, 'BEGIN READ ONLY')
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const { client, release } = await checkOut(pool)
  let failed = false
  try {
    await client.query(begin)
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    failed = true
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    release(failed)
  }
}
