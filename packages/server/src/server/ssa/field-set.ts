import { canonicalJson } from '@planspec/core'

/** A field's path in an object: map keys from the root (lists are atomic: a list is one field). */
export type FieldPath = readonly string[]

/** Kubernetes' `FieldsV1` encoding of a field set: `{"f:spec": {"f:description": {}}}`. */
export interface FieldsV1 {
  readonly [key: string]: FieldsV1
}

/** A plain JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The key a path has in sets and maps. */
export function pathKey(path: FieldPath): string {
  return JSON.stringify(path)
}

/**
 * Lists the fields of an object: every path that ends at a scalar, a list or an empty object.
 * Lists count as one field, as they do for a custom resource without `x-kubernetes-list-type`.
 */
export function leavesOf(value: JsonObject, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = []
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue
    const path = [...prefix, key]
    if (isObject(child) && Object.keys(child).length > 0) out.push(...leavesOf(child, path))
    else out.push(path)
  }
  return out
}

/** Returns the value at `path`, or undefined when any step is missing. */
export function valueAt(value: unknown, path: FieldPath): unknown {
  let node = value
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined
    node = node[key]
  }
  return node
}

/** Whether two field values are the same (missing equals only missing). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b
  return canonicalJson(a) === canonicalJson(b)
}

/** Encodes paths as Kubernetes `FieldsV1`. */
export function toFieldsV1(paths: readonly FieldPath[]): FieldsV1 {
  const root: Record<string, Record<string, unknown>> = {}
  for (const path of paths) {
    let node: Record<string, unknown> = root
    for (const key of path) {
      const field = `f:${key}`
      if (!isObject(node[field])) define(node, field, {})
      node = node[field] as Record<string, unknown>
    }
  }
  return root as unknown as FieldsV1
}

/**
 * Decodes `FieldsV1` into paths: a `f:` key with no `f:` children is a field. Keys of other kinds
 * (`k:`, `v:`, `i:`, `.`, written by Kubernetes for list items) are not produced here and are
 * ignored: lists are atomic.
 */
export function fromFieldsV1(fields: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isObject(fields)) return []
  const out: FieldPath[] = []
  for (const [key, child] of Object.entries(fields)) {
    if (!key.startsWith('f:')) continue
    const path = [...prefix, key.slice(2)]
    const children = isObject(child) ? Object.keys(child).filter((k) => k.startsWith('f:')) : []
    if (children.length === 0) out.push(path)
    else out.push(...fromFieldsV1(child, path))
  }
  return out
}

/** Formats a path as Kubernetes prints it in conflicts: `.spec.description`. */
export function formatPath(path: FieldPath): string {
  return path.map((key) => `.${key}`).join('')
}

/**
 * Merges `patch` into a copy of `target` the way apply does: objects merge key by key, anything
 * else (scalars, lists) replaces. Keys are defined as own properties (no prototype pollution).
 */
export function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isObject(patch) || !isObject(target)) return structuredClone(patch)
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(target)) define(out, key, value)
  for (const [key, value] of Object.entries(patch)) define(out, key, mergeInto(Object.hasOwn(out, key) ? out[key] : undefined, value))
  return out
}

/** Returns a copy of `value` without the field at `path`; maps left empty by the removal go too. */
export function removeAt(value: JsonObject, path: FieldPath): JsonObject {
  const [head, ...rest] = path
  if (head === undefined || !Object.hasOwn(value, head)) return value
  const out: JsonObject = {}
  for (const [key, child] of Object.entries(value)) define(out, key, child)
  if (rest.length === 0) {
    delete out[head]
    return out
  }
  const child = out[head]
  if (!isObject(child)) return value
  const next = removeAt(child, rest)
  if (Object.keys(next).length === 0) delete out[head]
  else define(out, head, next)
  return out
}

function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
}
