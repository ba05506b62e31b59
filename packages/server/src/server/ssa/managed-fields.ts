import { canonicalJson } from '@planspec/core'
import type { StoredResource } from '@planspec/core'
import { fromFieldsV1, isObject, leavesOf, mergeInto, pathKey, removeAt, sameValue, toFieldsV1, valueAt, type FieldPath, type FieldsV1, type JsonObject } from './field-set.js'

/** One entry of `metadata.managedFields`, in Kubernetes' shape. */
export interface ManagedFieldsEntry {
  readonly manager: string
  readonly operation: 'Apply' | 'Update'
  readonly apiVersion: string
  readonly time: string
  readonly fieldsType: 'FieldsV1'
  readonly fieldsV1: FieldsV1
}

/** A field another manager owns with a different value than an apply asks for. */
export interface FieldConflict {
  readonly manager: string
  readonly path: FieldPath
}

/** The write a field manager makes: who, when, and the API version of the object. */
export interface FieldManagerWrite {
  readonly manager: string
  readonly now: string
  readonly apiVersion: string
}

/** Metadata fields that managers own (the rest of metadata is identity or the server's). */
const OWNED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const

/**
 * Returns the part of an object that field managers own: its body (spec, or the RBAC kinds'
 * top-level fields) and the client metadata (labels, annotations, finalizers, ownerReferences),
 * without the annotations in `serverAnnotations` (set by the server, owned by nobody).
 */
export function managedView(object: StoredResource | JsonObject, serverAnnotations: readonly string[] = []): JsonObject {
  const view: JsonObject = {}
  for (const [field, value] of Object.entries(object)) {
    if (field !== 'apiVersion' && field !== 'kind' && field !== 'metadata' && field !== 'status' && value !== undefined) view[field] = value
  }
  const metadata = isObject(object.metadata) ? object.metadata : {}
  const owned: JsonObject = {}
  for (const field of OWNED_METADATA) if (metadata[field] !== undefined) owned[field] = metadata[field]
  if (isObject(owned.annotations)) {
    const annotations = { ...owned.annotations }
    for (const name of serverAnnotations) delete annotations[name]
    if (Object.keys(annotations).length === 0) delete owned.annotations
    else owned.annotations = annotations
  }
  if (Object.keys(owned).length > 0) view.metadata = owned
  return view
}

/**
 * Rebuilds an object from `base` (its apiVersion, kind and identity metadata) and a managed view:
 * the view's body and client metadata replace the base's; the base's `serverAnnotations` are kept.
 */
export function withManagedView(base: StoredResource, view: JsonObject, serverAnnotations: readonly string[] = []): StoredResource {
  const metadata: JsonObject = { ...base.metadata }
  for (const field of OWNED_METADATA) delete metadata[field]
  const owned = isObject(view.metadata) ? view.metadata : {}
  for (const field of OWNED_METADATA) if (owned[field] !== undefined) metadata[field] = owned[field]
  const kept = Object.fromEntries(serverAnnotations.flatMap((name) => (base.metadata.annotations?.[name] === undefined ? [] : [[name, base.metadata.annotations[name]]])))
  if (Object.keys(kept).length > 0) metadata.annotations = { ...(isObject(metadata.annotations) ? metadata.annotations : {}), ...kept }
  const { metadata: _m, ...body } = view
  return { apiVersion: base.apiVersion, kind: base.kind, metadata, ...body } as unknown as StoredResource
}

/** Reads `metadata.managedFields` of a stored object (entries of another shape are dropped). */
export function managedFieldsOf(object: StoredResource | undefined): ManagedFieldsEntry[] {
  const entries = (object?.metadata as { managedFields?: unknown } | undefined)?.managedFields
  if (!Array.isArray(entries)) return []
  return entries.filter((e): e is ManagedFieldsEntry => isObject(e) && typeof e.manager === 'string' && (e.operation === 'Apply' || e.operation === 'Update') && isObject(e.fieldsV1))
}

/**
 * Records an Update (create, replace, merge or JSON patch) by `write.manager`: the fields whose
 * value the write set or changed move to the manager's Update entry; fields it removed leave every
 * entry. Entries left with no field are dropped. Pure; returns the new managedFields.
 */
export function trackUpdate(before: JsonObject | undefined, after: JsonObject, entries: readonly ManagedFieldsEntry[], write: FieldManagerWrite): ManagedFieldsEntry[] {
  const afterLeaves = leavesOf(after)
  const live = new Set(afterLeaves.map(pathKey))
  const unchanged = (path: FieldPath): boolean => live.has(pathKey(path)) && sameValue(valueAt(before, path), valueAt(after, path))
  const changed = afterLeaves.filter((path) => !sameValue(valueAt(before, path), valueAt(after, path)))
  const isOwn = (entry: ManagedFieldsEntry): boolean => entry.manager === write.manager && entry.operation === 'Update'
  const next: ManagedFieldsEntry[] = []
  let ownSeen = false
  for (const entry of entries) {
    const kept = fromFieldsV1(entry.fieldsV1).filter(unchanged)
    if (isOwn(entry)) {
      ownSeen = true
      const paths = [...kept, ...changed]
      if (paths.length > 0) next.push({ ...entry, ...(changed.length > 0 ? { time: write.now } : {}), fieldsV1: toFieldsV1(paths) })
    } else if (kept.length > 0) next.push({ ...entry, fieldsV1: toFieldsV1(kept) })
  }
  if (!ownSeen && changed.length > 0) next.push(entry(write, 'Update', changed))
  return next
}

/** What an apply computed: the merged view and managedFields, or the conflicts that stop it. */
export type ApplyOutcome = { readonly view: JsonObject; readonly managedFields: ManagedFieldsEntry[] } | { readonly conflicts: FieldConflict[] }

/**
 * Computes a server-side apply of `applied` (a managed view) by `write.manager` over `live` (the
 * stored view, or undefined for a create), as Kubernetes does for a custom resource:
 * 1. fields the manager applied before and leaves out now are removed, unless another manager owns them;
 * 2. the applied fields are merged in (maps key by key, lists whole);
 * 3. a field another manager owns whose value this changes is a conflict; without `force` the
 *    apply stops with every conflict, with `force` the field moves to the applier;
 * 4. the manager's Apply entry owns exactly the applied fields; others lose what changed.
 * Applying the same configuration twice changes nothing. Pure.
 */
export function applyConfiguration(live: JsonObject | undefined, applied: JsonObject, entries: readonly ManagedFieldsEntry[], write: FieldManagerWrite, force: boolean): ApplyOutcome {
  const before = live ?? {}
  const appliedLeaves = leavesOf(applied)
  const appliedKeys = new Set(appliedLeaves.map(pathKey))
  const isOwnApply = (e: ManagedFieldsEntry): boolean => e.manager === write.manager && e.operation === 'Apply'
  const ownedByOthers = new Set(entries.filter((e) => !isOwnApply(e)).flatMap((e) => fromFieldsV1(e.fieldsV1).map(pathKey)))
  let merged: JsonObject = before
  for (const entry of entries.filter(isOwnApply)) {
    for (const path of fromFieldsV1(entry.fieldsV1)) {
      const key = pathKey(path)
      if (!appliedKeys.has(key) && !ownedByOthers.has(key) && !appliedLeaves.some((p) => isPrefix(p, path))) merged = removeAt(merged, path)
    }
  }
  merged = mergeInto(merged, applied) as JsonObject
  const conflicts: FieldConflict[] = []
  for (const entry of entries) {
    if (entry.manager === write.manager) continue
    for (const path of fromFieldsV1(entry.fieldsV1)) if (!sameValue(valueAt(before, path), valueAt(merged, path))) conflicts.push({ manager: entry.manager, path })
  }
  if (conflicts.length > 0 && !force) return { conflicts }
  const live2 = new Set(leavesOf(merged).map(pathKey))
  const next: ManagedFieldsEntry[] = []
  let ownSeen = false
  for (const existing of entries) {
    if (isOwnApply(existing)) {
      ownSeen = true
      const fresh = entry(write, 'Apply', appliedLeaves)
      // Re-applying the same fields keeps the entry as it was, so an identical apply writes nothing.
      if (appliedLeaves.length > 0) next.push(canonicalJson(fresh.fieldsV1) === canonicalJson(existing.fieldsV1) ? existing : fresh)
      continue
    }
    const kept = fromFieldsV1(existing.fieldsV1).filter((path) => live2.has(pathKey(path)) && sameValue(valueAt(before, path), valueAt(merged, path)))
    if (kept.length > 0) next.push({ ...existing, fieldsV1: toFieldsV1(kept) })
  }
  if (!ownSeen && appliedLeaves.length > 0) next.push(entry(write, 'Apply', appliedLeaves))
  return { view: merged, managedFields: next }
}

function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length < path.length && prefix.every((key, i) => path[i] === key)
}

function entry(write: FieldManagerWrite, operation: 'Apply' | 'Update', paths: readonly FieldPath[]): ManagedFieldsEntry {
  return { manager: write.manager, operation, apiVersion: write.apiVersion, time: write.now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(paths) }
}
