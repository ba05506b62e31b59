import { kindNames } from '@planspec/core'
/**
 * One resource found in the file set: a document, or an item of a `List` document. `value` is
 * the plain object after legacy shapes were normalized (what `planspec fix` would write), with
 * `metadata.namespace` defaulted. `pointer` is the resource's JSON pointer inside its document
 * ("" for a whole document, "/items/3" for a List item).
 */
export interface Resource {
  readonly file: string
  readonly documentIndex: number
  readonly pointer: string
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace: string
  readonly value: Record<string, unknown>
  /** Whether the resource passed the schema (graph and reference checks need a sound shape). */
  readonly schemaValid: boolean
}

/** The kinds that live in a namespace (RBAC cluster kinds do not). */
export const NAMESPACED_KINDS: ReadonlySet<string> = new Set(kindNames((facts) => facts.namespaced))
