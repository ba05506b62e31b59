import type Database from 'better-sqlite3'

/**
 * The schema: `objects` holds the current state (the fast read path); `events` is the ordered
 * change log, one row per write, keyed by the global resourceVersion. Compaction keeps, for every
 * key, its latest event at or below the floor, so `events` alone can rebuild any snapshot at or
 * after the floor (consistent pagination) and replay every change after it (watch resume).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('rv', 0), ('floor', 0), ('schema', 1);
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL, rv INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (kind, ns, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  rv INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_key ON events (kind, ns, name, rv);
`

/** A row of `objects`, or an event row projected to the same columns. */
export interface ObjectRow {
  readonly ns: string
  readonly name: string
  readonly rv: number
  readonly data: string
}

/** A row of `events`. */
export interface EventRow {
  readonly rv: number
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly kind: string
  readonly ns: string
  readonly name: string
  readonly data: string
}

/** A snapshot row: the latest event of a key at or below the snapshot version. */
export interface SnapshotRow extends ObjectRow {
  readonly type: EventRow['type']
}

/** Every statement the store runs, prepared once. */
export interface Statements {
  readonly readMeta: Database.Statement<[string], { value: number }>
  readonly writeMeta: Database.Statement<[number, string]>
  readonly getObject: Database.Statement<[string, string, string], ObjectRow>
  /** One object's stored JSON alone (the GET path: no row object to build). */
  readonly getData: Database.Statement<[string, string, string], string>
  readonly listKind: Database.Statement<[string], ObjectRow>
  readonly listKindNs: Database.Statement<[string, string], ObjectRow>
  readonly pageKind: Database.Statement<[string, string, string, number], ObjectRow>
  readonly pageKindNs: Database.Statement<[string, string, string, number], ObjectRow>
  readonly snapshotKind: Database.Statement<[string, number, string, string, number, number], SnapshotRow>
  readonly snapshotKindNs: Database.Statement<[string, string, number, string, number, number], SnapshotRow>
  readonly insertObject: Database.Statement<[string, string, string, number, string]>
  readonly replaceObject: Database.Statement<[number, string, string, string, string]>
  readonly deleteObject: Database.Statement<[string, string, string]>
  readonly insertEvent: Database.Statement<[number, string, string, string, string, string]>
  readonly eventsAfter: Database.Statement<[number, number], EventRow>
  readonly compactEvents: Database.Statement<[{ prev: number; floor: number }]>
}

/** Creates the tables (idempotent), sets WAL mode and prepares the statements. */
export function prepareTables(db: Database.Database, synchronous: 'NORMAL' | 'FULL'): Statements {
  // WAL: readers never block the writer; NORMAL survives a process crash (not a power cut).
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous}`)
  db.pragma('busy_timeout = 5000')
  db.exec(DDL)
  const latestAt = `e.rv = (SELECT MAX(e2.rv) FROM events e2 WHERE e2.kind = e.kind AND e2.ns = e.ns AND e2.name = e.name AND e2.rv <= ?)`
  return {
    readMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    writeMeta: db.prepare('UPDATE meta SET value = ? WHERE key = ?'),
    getObject: db.prepare('SELECT ns, name, rv, data FROM objects WHERE kind = ? AND ns = ? AND name = ?'),
    getData: db.prepare<[string, string, string], string>('SELECT data FROM objects WHERE kind = ? AND ns = ? AND name = ?').pluck(),
    listKind: db.prepare('SELECT ns, name, rv, data FROM objects WHERE kind = ? ORDER BY ns, name'),
    listKindNs: db.prepare('SELECT ns, name, rv, data FROM objects WHERE kind = ? AND ns = ? ORDER BY name'),
    pageKind: db.prepare('SELECT ns, name, rv, data FROM objects WHERE kind = ? AND (ns, name) > (?, ?) ORDER BY ns, name LIMIT ?'),
    pageKindNs: db.prepare('SELECT ns, name, rv, data FROM objects WHERE kind = ? AND ns = ? AND name > ? ORDER BY name LIMIT ?'),
    snapshotKind: db.prepare(
      `SELECT e.type, e.ns, e.name, e.rv, e.data FROM events e WHERE e.kind = ? AND e.rv <= ? AND (e.ns, e.name) > (?, ?) AND ${latestAt} ORDER BY e.ns, e.name LIMIT ?`,
    ),
    snapshotKindNs: db.prepare(
      `SELECT e.type, e.ns, e.name, e.rv, e.data FROM events e WHERE e.kind = ? AND e.ns = ? AND e.rv <= ? AND e.name > ? AND ${latestAt} ORDER BY e.name LIMIT ?`,
    ),
    insertObject: db.prepare('INSERT INTO objects (kind, ns, name, rv, data) VALUES (?, ?, ?, ?, ?)'),
    replaceObject: db.prepare('UPDATE objects SET rv = ?, data = ? WHERE kind = ? AND ns = ? AND name = ?'),
    deleteObject: db.prepare('DELETE FROM objects WHERE kind = ? AND ns = ? AND name = ?'),
    insertEvent: db.prepare('INSERT INTO events (rv, type, kind, ns, name, data) VALUES (?, ?, ?, ?, ?, ?)'),
    eventsAfter: db.prepare('SELECT rv, type, kind, ns, name, data FROM events WHERE rv > ? ORDER BY rv LIMIT ?'),
    // Moving the floor from @prev to @floor drops the events the newly passed ones supersede (the
    // latest event of each key at or below the floor stays) and the deletion tombstones among them;
    // the work is proportional to the events passed, not to the whole log.
    compactEvents: db.prepare(
      `DELETE FROM events WHERE rv IN (
         SELECT e.rv FROM events n JOIN events e ON e.kind = n.kind AND e.ns = n.ns AND e.name = n.name AND e.rv < n.rv
         WHERE n.rv > @prev AND n.rv <= @floor
       ) OR (type = 'DELETED' AND rv > @prev AND rv <= @floor)`,
    ),
  }
}
