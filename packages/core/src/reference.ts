/** The namespace that always exists and that objects fall into when nothing else says otherwise. */
export const DEFAULT_NAMESPACE = 'default'

/** The fields of an ObjectReference (RESOURCES 0.5) that resolution reads. */
export interface ObjectReferenceLike {
  readonly name: string
  readonly namespace?: string
}

/** A reference with its namespace filled in. */
export interface ResolvedReference {
  readonly name: string
  readonly namespace: string
}

/**
 * Returns the namespace an object lives in (DECISIONS §2): `metadata.namespace`, else the
 * repository default (`.planspec.yaml` `namespace`), else `default`. An empty string counts as
 * absent at every level.
 *
 * @example
 * ```ts
 * namespaceOf({ namespace: 'finance' })  // 'finance'
 * namespaceOf({}, 'team-a')              // 'team-a'
 * namespaceOf(undefined)                 // 'default'
 * ```
 */
export function namespaceOf(meta: { readonly namespace?: string } | undefined, repositoryDefault?: string): string {
  return nonEmpty(meta?.namespace) ?? nonEmpty(repositoryDefault) ?? DEFAULT_NAMESPACE
}

/**
 * Resolves an ObjectReference held by an object in `holderNamespace`: an absent (or empty)
 * `namespace` defaults to the holder's namespace (RESOURCES 0.5). Other fields (`uid`, `kind`,
 * `apiVersion`) are not carried over.
 *
 * @example
 * ```ts
 * resolveReference({ name: 'billing-export' }, 'finance') // { name: 'billing-export', namespace: 'finance' }
 * ```
 */
export function resolveReference(ref: ObjectReferenceLike, holderNamespace: string): ResolvedReference {
  return { name: ref.name, namespace: nonEmpty(ref.namespace) ?? holderNamespace }
}

/** Returns the string unless it is absent or empty. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
