import { createHash } from 'node:crypto'
import { PlanSpecError } from '@planspec/core'
import type { ApiStore, ListCursor, StoredRow } from '../store/api-store.js'
import { ApiError } from './error-catalog.js'
import { API_VERSION, type KindEntry } from './kinds.js'
import { fieldFilter, labelFilter, type ObjectFilter } from './selectors.js'

/** What a list request asks for. */
export interface ListRequest {
  readonly entry: KindEntry
  /** Absent: across namespaces (or a cluster-scoped kind). */
  readonly namespace?: string
  readonly labelSelector?: string
  readonly fieldSelector?: string
  readonly limit?: number
  readonly continueToken?: string
}

/** Builds one predicate from the label and field selectors, or undefined when neither is given. */
export function objectFilter(labelSelector: string | undefined, fieldSelector: string | undefined): ObjectFilter | undefined {
  const filters = [labelSelector ? labelFilter(labelSelector) : undefined, fieldSelector ? fieldFilter(fieldSelector) : undefined].filter((f) => f !== undefined)
  if (filters.length === 0) return undefined
  return (object) => filters.every((f) => f(object))
}

/**
 * Lists objects and returns the typed list (`GoalList`, ...) as JSON text, built from the stored
 * JSON without re-serialising it. With `limit`, `metadata.continue` holds an opaque token that
 * resumes the same snapshot; a token whose snapshot was compacted away gives 410 Expired, a token
 * that does not belong to this request gives 400.
 */
export function listObjects(store: ApiStore, request: ListRequest): string {
  const filter = objectFilter(request.labelSelector, request.fieldSelector)
  const scope = scopeDigest(request)
  const after = request.continueToken === undefined ? undefined : decodeContinue(request.continueToken, scope)
  let page
  try {
    page = store.listPage(request.entry.kind, {
      ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
      ...(request.limit === undefined ? {} : { limit: request.limit }),
      ...(after === undefined ? {} : { after }),
      ...(filter === undefined ? {} : { filter: (row: StoredRow) => filter(row.object) }),
    })
  } catch (error) {
    if (error instanceof PlanSpecError && error.code === 'PLANSPEC_ERR_STORE_GONE') {
      throw new ApiError('Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.')
    }
    throw error
  }
  const token = page.next === undefined ? '' : `,"continue":${JSON.stringify(encodeContinue(page.next, scope))}`
  const items = page.rows.map((row) => row.text).join(',')
  return `{"apiVersion":"${API_VERSION}","kind":"${request.entry.kind}List","metadata":{"resourceVersion":"${page.resourceVersion}"${token}},"items":[${items}]}`
}

function scopeDigest(request: ListRequest): string {
  const scope = JSON.stringify([request.entry.kind, request.namespace ?? null, request.labelSelector ?? '', request.fieldSelector ?? ''])
  return createHash('sha256').update(scope).digest('base64url').slice(0, 16)
}

function encodeContinue(cursor: ListCursor, scope: string): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: cursor.resourceVersion, ns: cursor.namespace, n: cursor.name, s: scope })).toString('base64url')
}

function decodeContinue(token: string, scope: string): ListCursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {
    throw new ApiError('BadRequest', 'the continue token is malformed')
  }
  const t = parsed as { v?: unknown; rv?: unknown; ns?: unknown; n?: unknown; s?: unknown }
  if (t === null || typeof t !== 'object' || t.v !== 1 || typeof t.rv !== 'string' || !/^\d+$/.test(t.rv) || typeof t.ns !== 'string' || typeof t.n !== 'string') {
    throw new ApiError('BadRequest', 'the continue token is malformed')
  }
  if (t.s !== scope) throw new ApiError('BadRequest', 'the continue token belongs to a different list request (kind, namespace or selectors differ)')
  return { resourceVersion: t.rv, namespace: t.ns, name: t.n }
}
