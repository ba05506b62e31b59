import type { EventRow } from './sqlite-tables.js'

/** An event row as node-postgres returns it (bigints as text). */
export interface RawEventRow {
  readonly rv: string
  readonly type: EventRow['type']
  readonly kind: string
  readonly ns: string
  readonly name: string
  readonly data: string
}

/** Converts event rows read from PostgreSQL to the local state's rows (resourceVersions as numbers). */
export function readEventRows(rows: readonly RawEventRow[]): EventRow[] {
  return rows.map((row) => ({ rv: Number(row.rv), type: row.type, kind: row.kind, ns: row.ns, name: row.name, data: row.data }))
}
