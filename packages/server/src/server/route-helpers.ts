import type { ObjectKey } from '@planspec/core'
import type { FastifyReply } from 'fastify'
import { ApiError } from './error-catalog.js'
import { kindByPlural, type KindEntry } from './kinds.js'

/** Route params of resource paths. */
export interface ResourceParams {
  readonly plural: string
  readonly namespace?: string
  readonly name?: string
}

/**
 * Resolves the kind of a path. Unknown plurals, namespaced kinds on a cluster path (for object
 * paths), and cluster-scoped kinds on a namespaced path are all 404: the resource does not exist
 * there, and nothing is ever stored for it.
 */
export function resolveKind(params: ResourceParams, options: { readonly acrossNamespaces?: boolean } = {}): KindEntry {
  const entry = kindByPlural(params.plural)
  const notFound = (): ApiError => new ApiError('NotFound', `the server could not find the requested resource (${params.plural})`, { group: 'planspec.io', kind: params.plural })
  if (entry === undefined) throw notFound()
  if (params.namespace !== undefined && !entry.namespaced) throw notFound()
  if (params.namespace === undefined && entry.namespaced && options.acrossNamespaces !== true) throw notFound()
  return entry
}

/** The store key of a path's object. */
export function keyFor(entry: KindEntry, params: ResourceParams): ObjectKey {
  return { kind: entry.kind, namespace: entry.namespaced ? (params.namespace ?? 'default') : '', name: params.name ?? '' }
}

/** The resource name RBAC rules use for a kind: its RBAC resource, or its plural (only `*` covers those). */
export function rbacResource(entry: KindEntry): string {
  return entry.rbacResource ?? entry.plural
}

/** Whether a write is a dry run (`?dryRun=All`). */
export function isDryRun(query: { readonly dryRun?: string } | undefined): boolean {
  return query?.dryRun === 'All'
}

/** Sends validator warnings as Kubernetes `Warning: 299 - "..."` headers (at most 10, ASCII-safe). */
export function setWarnings(reply: FastifyReply, warnings: readonly string[]): void {
  if (warnings.length === 0) return
  const values = warnings.slice(0, 10).map((w) => `299 - ${JSON.stringify(w.replace(/[^\x20-\x7e]/g, '?').slice(0, 512))}`)
  reply.header('warning', values)
}

/** Returns the bare, lower-case media type of a Content-Type header (`application/json`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}
