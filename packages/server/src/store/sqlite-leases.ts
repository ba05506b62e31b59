import type Database from 'better-sqlite3'
import type { Lease, LeaseStore } from './leases.js'
import { StoreFencedError } from './store-errors.js'

const DDL = `
CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL, expires_ms INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('lease_token', 0);
`

/** The SQLite leases, and the fence check a write transaction runs. */
export interface SqliteLeases extends LeaseStore {
  /** Throws `StoreFencedError` unless `lease` is held with its token and not expired; call inside the write transaction. */
  checkFence(lease: Lease): void
}

/**
 * Creates the leases of a SQLite store (table `leases`; tokens from the `meta` row `lease_token`),
 * with the semantics of `LeaseStore`. Time is this process's clock: one machine shares a SQLite
 * file, so every writer reads the same clock.
 */
export function sqliteLeases(db: Database.Database, clock: () => number = Date.now): SqliteLeases {
  db.exec(DDL)
  const read = db.prepare<[string], { holder: string; token: number; expires_ms: number }>('SELECT holder, token, expires_ms FROM leases WHERE name = ?')
  const nextToken = db.prepare<[], number>("UPDATE meta SET value = value + 1 WHERE key = 'lease_token' RETURNING value").pluck()
  const upsert = db.prepare<[string, string, number, number]>('INSERT INTO leases (name, holder, token, expires_ms) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_ms = excluded.expires_ms')
  const extend = db.prepare<[number, string, string, number]>('UPDATE leases SET expires_ms = ? WHERE name = ? AND holder = ? AND token = ?')
  const remove = db.prepare<[string, string, number]>('DELETE FROM leases WHERE name = ? AND holder = ? AND token = ?')
  const acquire = db.transaction((name: string, holder: string, ttlMs: number, onlyExpired: boolean) => {
    const now = clock()
    const current = read.get(name)
    if (current === undefined ? onlyExpired : current.expires_ms > now && current.holder !== holder) {
      return current === undefined ? { acquired: false as const } : { acquired: false as const, holder: current.holder, remainingMs: current.expires_ms - now }
    }
    const token = nextToken.get()!
    upsert.run(name, holder, token, now + ttlMs)
    return { acquired: true as const, lease: { name, holder, token: String(token) } }
  })
  return {
    acquire: async (name, holder, ttlMs, options = {}) => acquire.immediate(name, holder, ttlMs, options.onlyExpired === true),
    renew: async (lease, ttlMs) => extend.run(clock() + ttlMs, lease.name, lease.holder, Number(lease.token)).changes === 1,
    async release(lease) {
      remove.run(lease.name, lease.holder, Number(lease.token))
    },
    checkFence(lease) {
      const current = read.get(lease.name)
      if (current === undefined || current.holder !== lease.holder || String(current.token) !== lease.token || current.expires_ms <= clock()) throw new StoreFencedError(lease)
    },
  }
}
