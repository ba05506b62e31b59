import type { StoredResource } from '@planspec/core'
import { PRINTER_COLUMNS, type PrinterColumn } from './printer-columns.js'

/** What each row of a Table carries besides its cells (Kubernetes `includeObject`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object'

/** Options of {@link toTable}. */
export interface TableOptions {
  readonly includeObject: IncludeObject
  /** The `meta.k8s.io` version the client asked for (`v1` or `v1beta1`). */
  readonly version: string
  /** The clock, for AGE. */
  readonly now: Date
  readonly resourceVersion?: string
  readonly continue?: string
}

const NAME: PrinterColumn = { name: 'Name', type: 'string', description: 'Name must be unique within a namespace.', priority: 0, value: (o) => o.metadata.name }

/** Kubernetes' short age: `45s`, `12m`, `5h`, `3d`, `2y`. */
export function shortAge(from: string | undefined, now: Date): string {
  const start = from === undefined ? Number.NaN : Date.parse(from)
  if (Number.isNaN(start)) return '<unknown>'
  const seconds = Math.max(0, Math.floor((now.getTime() - start) / 1000))
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return `${minutes}m${seconds % 60 === 0 ? '' : `${seconds % 60}s`}`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  return days < 365 * 2 ? `${days}d` : `${Math.floor(days / 365)}y`
}

/**
 * Renders objects of one kind as a Kubernetes `meta.k8s.io` Table: NAME, the kind's printer
 * columns (`PRINTER_COLUMNS`, wide ones at priority 1) and AGE; each row carries the object, its
 * metadata only (`PartialObjectMetadata`, the default) or nothing, as `includeObject` asks.
 */
export function toTable(kind: string, objects: readonly StoredResource[], options: TableOptions): Record<string, unknown> {
  const columns = [NAME, ...(PRINTER_COLUMNS[kind] ?? [])]
  const definitions = [...columns, { name: 'Age', type: 'string', description: 'Time since the object was created', priority: 0 }].map((c) => ({
    name: c.name,
    type: c.type === 'date' ? 'string' : c.type,
    format: c.name === 'Name' ? 'name' : c.type === 'date' ? 'date-time' : '',
    description: c.description,
    priority: c.priority,
  }))
  const rows = objects.map((object) => ({
    cells: [...columns.map((c) => c.value(object) ?? (c.type === 'integer' ? 0 : '')), shortAge(object.metadata.creationTimestamp, options.now)],
    ...(options.includeObject === 'None' ? {} : { object: options.includeObject === 'Object' ? object : { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${options.version}`, metadata: object.metadata } }),
  }))
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: { ...(options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion }), ...(options.continue === undefined ? {} : { continue: options.continue }) },
    columnDefinitions: definitions,
    rows,
  }
}
