import type { StoredResource } from '@planspec/core'
import { ApiError, type StatusCause } from '../error-catalog.js'
import type { KindEntry } from '../kinds.js'
import { CREATED_BY_ANNOTATION } from '../write-object.js'
import { formatPath } from './field-set.js'
import { managedFieldsOf, managedView, trackUpdate, type FieldConflict, type ManagedFieldsEntry } from './managed-fields.js'

/** Annotations the server sets itself: no field manager owns them. */
export const SERVER_ANNOTATIONS: readonly string[] = [CREATED_BY_ANNOTATION]

const MANAGER = /^[\x21-\x7e][\x20-\x7e]{0,127}$/

/**
 * Returns the field manager of a write: the `fieldManager` query parameter, else (as Kubernetes
 * does) the client's User-Agent up to its first `/` (`kubectl`, `planspec`), else `unknown`.
 * A fieldManager that is not 1-128 printable ASCII characters is 400.
 */
export function fieldManagerOf(query: { readonly fieldManager?: string } | undefined, userAgent: string | undefined): string {
  const explicit = query?.fieldManager
  if (explicit !== undefined) {
    if (!MANAGER.test(explicit)) throw new ApiError('BadRequest', 'fieldManager must be 1-128 printable ASCII characters')
    return explicit
  }
  const agent = (userAgent ?? '').split('/')[0]!.trim().slice(0, 128)
  return MANAGER.test(agent) ? agent : 'unknown'
}

/**
 * Returns `after` with its `metadata.managedFields` updated for an Update by `manager` (create,
 * replace, merge or JSON patch) over `before` (undefined for a create): see `trackUpdate`.
 */
export function recordUpdate(before: StoredResource | undefined, after: StoredResource, manager: string, now: string): StoredResource {
  const managedFields = trackUpdate(before === undefined ? undefined : managedView(before, SERVER_ANNOTATIONS), managedView(after, SERVER_ANNOTATIONS), managedFieldsOf(before), { manager, now, apiVersion: after.apiVersion })
  return withManagedFields(after, managedFields)
}

/** Returns `object` with `metadata.managedFields` set (removed when empty). */
export function withManagedFields(object: StoredResource, managedFields: readonly ManagedFieldsEntry[]): StoredResource {
  const { managedFields: _old, ...metadata } = object.metadata as StoredResource['metadata'] & { managedFields?: unknown }
  return { ...object, metadata: { ...metadata, ...(managedFields.length > 0 ? { managedFields } : {}) } as StoredResource['metadata'] }
}

/**
 * Builds the 409 Kubernetes answers to an apply that conflicts, naming every manager and field
 * (`Apply failed with 1 conflict: conflict with "kubectl-edit" using planspec.io/v1alpha1: .spec.description`),
 * one `FieldManagerConflict` cause per field.
 */
export function conflictError(entry: KindEntry, name: string, apiVersion: string, conflicts: readonly FieldConflict[]): ApiError {
  const byManager = new Map<string, string[]>()
  for (const conflict of conflicts) byManager.set(conflict.manager, [...(byManager.get(conflict.manager) ?? []), formatPath(conflict.path)])
  const parts = [...byManager].map(([manager, paths]) => (paths.length === 1 ? `conflict with ${JSON.stringify(manager)} using ${apiVersion}: ${paths[0]}` : `conflicts with ${JSON.stringify(manager)} using ${apiVersion}:\n${paths.map((p) => `- ${p}`).join('\n')}`))
  const count = conflicts.length
  const message = `Apply failed with ${count} conflict${count === 1 ? '' : 's'}: ${parts.join('\n')}`
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${JSON.stringify(c.manager)} using ${apiVersion}`, field: formatPath(c.path) }))
  return new ApiError('Conflict', message, { name, group: 'planspec.io', kind: entry.plural, causes })
}
