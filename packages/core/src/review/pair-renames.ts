import { referenceKey } from '../reference.js'
import { changedFields } from './internal/changed-fields.js'
import type { ResourceIndex } from './internal/index-resources.js'
import { asObject, asString, type Obj } from './internal/read-value.js'
import type { ReviewResourceLike } from './review-types.js'

/** A resource that only changed its name: removed under `from`, added under `to` with the same content. */
export interface ResourceRename {
  readonly kind: string
  readonly namespace: string
  readonly from: string
  readonly to: string
  /** Its key in the base index (`referenceKey(kind, namespace, from)`). */
  readonly baseKey: string
  /** Its key in the head index. */
  readonly headKey: string
}

// Reference fields and the kind they name (RESOURCES §3); a reference object with its own `kind` wins.
const REFERENCE_KINDS: ReadonlyMap<string, string> = new Map([
  ['planRef', 'Plan'],
  ['goalRef', 'Goal'],
  ['bindingRef', 'Binding'],
  ['gateRef', 'Gate'],
  ['capabilityRef', 'Capability'],
  ['capabilityRefs', 'Capability'],
  ['supersedes', 'Plan'],
  ['nodeBindings', 'Binding'],
  ['targetRef', 'Execution'],
  ['resource', 'Goal'],
])

/**
 * Pairs the resources a change removed with the ones it added when only the name differs: same
 * kind and namespace, and the same content once `metadata.name`, what `ignore` lists and the
 * references to other renamed resources are set aside. Pairs are taken in base order, each
 * added resource at most once. Pure.
 */
export function pairRenames(before: ResourceIndex, after: ResourceIndex, ignore: ReadonlySet<string>): ResourceRename[] {
  const removed = [...before].filter(([key]) => !after.has(key))
  const added = [...after].filter(([key]) => !before.has(key))
  const skip = new Set([...ignore, 'metadata.name'])
  const renames: ResourceRename[] = []
  const taken = new Set<string>()
  // Two passes: names first, so that a renamed Plan's Executions pair up when they follow it.
  for (let pass = 0; pass < 2; pass += 1) {
    for (const [baseKey, old] of removed) {
      if (renames.some((r) => r.baseKey === baseKey)) continue
      const match = added.find(([headKey, resource]) => !taken.has(headKey) && resource.kind === old.kind && resource.namespace === old.namespace && changedFields(followRenames(old, renames), resource.value, 2, skip).length === 0)
      if (match === undefined) continue
      taken.add(match[0])
      renames.push({ kind: old.kind, namespace: old.namespace, from: old.name, to: match[1].name, baseKey, headKey: match[0] })
    }
  }
  return renames
}

/**
 * The value of a base resource with its references to renamed resources rewritten to the new
 * names, so that a resource that only followed a rename compares equal to its head version.
 */
export function followRenames(resource: ReviewResourceLike, renames: readonly ResourceRename[]): Obj {
  if (renames.length === 0) return resource.value as Obj
  const renamed = new Map(renames.map((r) => [referenceKey(r.kind, r.namespace, r.from), r.to]))
  const rewrite = (ref: unknown, kind: string): unknown => {
    const object = asObject(ref)
    const name = asString(object?.name)
    if (object === undefined || name === undefined) return ref
    const to = renamed.get(referenceKey(asString(object.kind) ?? kind, asString(object.namespace) ?? resource.namespace, name))
    return to === undefined ? ref : { ...object, name: to }
  }
  const walk = (value: unknown, kind: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, kind))
    const object = asObject(value)
    if (object === undefined) return value
    const rewritten = kind === undefined ? object : (rewrite(object, kind) as Obj)
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(rewritten)) {
      const refKind = REFERENCE_KINDS.get(key)
      // nodeBindings is a map of node id to reference: each value is a reference.
      out[key] = key === 'nodeBindings' ? mapValues(child, (ref) => rewrite(ref, 'Binding')) : walk(child, refKind)
    }
    return out
  }
  return walk(resource.value, undefined) as Obj
}

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
  const object = asObject(value)
  if (object === undefined) return value
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(object)) out[key] = f(child)
  return out
}
