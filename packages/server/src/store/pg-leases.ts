import type pg from 'pg'
import type { LeaseClaim, LeaseStore } from './leases.js'
import type { PgNames } from './pg-names.js'
import { storeError } from './pg-errors.js'

/**
 * Creates the PostgreSQL leases (table `leases`, tokens from the sequence `lease_tokens`), with the
 * semantics of `LeaseStore`. Expiry is the database's clock (`now()`), so replicas whose clocks
 * disagree still agree on who holds what. Each call is one statement; failures to reach the
 * database are `StoreUnavailableError`.
 */
export function pgLeases(pool: pg.Pool, n: PgNames): LeaseStore {
  // The CTE's write is invisible to the outer SELECT (one snapshot): it reports the holding that
  // was there before, which is what a refused claim needs.
  const claim = (onlyExpired: boolean): string => `
    WITH taken AS (
      ${onlyExpired ? `UPDATE ${n.leases} SET holder = $2, token = nextval('${n.schema}.lease_tokens'), acquired_at = now(), expires_at = now() + $3 * interval '1 millisecond' WHERE name = $1 AND (expires_at <= now() OR holder = $2)` : `INSERT INTO ${n.leases} AS l (name, holder, token, acquired_at, expires_at) VALUES ($1, $2, nextval('${n.schema}.lease_tokens'), now(), now() + $3 * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at WHERE l.expires_at <= now() OR l.holder = excluded.holder`}
      RETURNING token::text
    )
    SELECT (SELECT token FROM taken) AS token, l.holder, GREATEST(0, CEIL(EXTRACT(EPOCH FROM (l.expires_at - now())) * 1000))::bigint::text AS remaining
    FROM (SELECT 1) one LEFT JOIN ${n.leases} l ON l.name = $1`
  const acquire = claim(false)
  const takeOver = claim(true)
  const renew = `UPDATE ${n.leases} SET expires_at = now() + $4 * interval '1 millisecond' WHERE name = $1 AND holder = $2 AND token = $3::bigint`
  const release = `DELETE FROM ${n.leases} WHERE name = $1 AND holder = $2 AND token = $3::bigint`
  const run = async <R extends pg.QueryResultRow>(sql: string, values: readonly unknown[], doing: string): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(sql, values as unknown[])
    } catch (error) {
      throw storeError(error, doing)
    }
  }
  return {
    async acquire(name, holder, ttlMs, options = {}): Promise<LeaseClaim> {
      const result = await run<{ token: string | null; holder: string | null; remaining: string | null }>(options.onlyExpired === true ? takeOver : acquire, [name, holder, Math.max(1, Math.round(ttlMs))], `acquiring lease ${name}`)
      const row = result.rows[0]
      if (row?.token !== null && row?.token !== undefined) return { acquired: true, lease: { name, holder, token: row.token } }
      return row?.holder === null || row?.holder === undefined ? { acquired: false } : { acquired: false, holder: row.holder, remainingMs: Number(row.remaining) }
    },
    renew: async (lease, ttlMs) => (await run(renew, [lease.name, lease.holder, lease.token, Math.max(1, Math.round(ttlMs))], `renewing lease ${lease.name}`)).rowCount === 1,
    async release(lease) {
      await run(release, [lease.name, lease.holder, lease.token], `releasing lease ${lease.name}`)
    },
  }
}
