import { StoreGoneError } from '@planspec/core'
import type { ListCursor, ListPage, ListPageOptions, StoredRow } from './api-store.js'
import type { ObjectRow, SnapshotRow, Statements } from './sqlite-tables.js'
import { LazyRow } from './stored-entries.js'

/** The store's position when a page is read. */
export interface PageContext {
  readonly kind: string
  /** The current resourceVersion. */
  readonly version: number
  /** The compaction floor: snapshots below it are gone. */
  readonly floor: number
}

const BATCH = 256

/**
 * Reads one page of a list. A first page reads the current objects; a continued page reads the
 * snapshot at the cursor's version: from the current objects when nothing was written since,
 * otherwise from the event log (the latest event of each key at or below the snapshot, skipping
 * deletions). Rows come ordered by namespace then name; `filter` runs before `limit`.
 */
export function readPage(st: Statements, at: PageContext, options: ListPageOptions): ListPage {
  const snapshot = options.after === undefined ? at.version : Number(options.after.resourceVersion)
  if (options.after !== undefined && (!Number.isSafeInteger(snapshot) || snapshot < at.floor || snapshot > at.version)) {
    throw new StoreGoneError(options.after.resourceVersion, String(at.floor + 1))
  }
  const resourceVersion = String(snapshot)
  const { namespace, limit, filter } = options
  if (limit === undefined && options.after === undefined) {
    const all = namespace === undefined ? st.listKind.all(at.kind) : st.listKindNs.all(at.kind, namespace)
    const rows = all.map(toRow)
    return { rows: filter === undefined ? rows : rows.filter(filter), resourceVersion }
  }

  const historical = snapshot !== at.version
  const fetch = (ns: string, name: string, count: number): readonly (ObjectRow | SnapshotRow)[] => {
    if (historical) {
      return namespace === undefined
        ? st.snapshotKind.all(at.kind, snapshot, ns, name, snapshot, count)
        : st.snapshotKindNs.all(at.kind, namespace, snapshot, name, snapshot, count)
    }
    return namespace === undefined ? st.pageKind.all(at.kind, ns, name, count) : st.pageKindNs.all(at.kind, namespace, name, count)
  }

  const rows: StoredRow[] = []
  let cursor = { namespace: options.after?.namespace ?? '', name: options.after?.name ?? '' }
  for (;;) {
    const batch = fetch(cursor.namespace, cursor.name, BATCH)
    for (const raw of batch) {
      cursor = { namespace: raw.ns, name: raw.name }
      if ('type' in raw && raw.type === 'DELETED') continue
      const row = toRow(raw)
      if (filter !== undefined && !filter(row)) continue
      rows.push(row)
      if (limit !== undefined && rows.length >= limit) {
        const more = fetch(cursor.namespace, cursor.name, 1).length > 0
        const next: ListCursor | undefined = more ? { resourceVersion, ...cursor } : undefined
        return next === undefined ? { rows, resourceVersion } : { rows, resourceVersion, next }
      }
    }
    if (batch.length < BATCH) return { rows, resourceVersion }
  }
}

function toRow(raw: ObjectRow): StoredRow {
  return new LazyRow(raw.ns, raw.name, raw.data)
}
