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

/**
 * Returns the subject string used in logs, CLI output, PR comments and status files:
 * `kind/namespace/name` with the kind lower-cased (STYLE §2 Naming).
 *
 * @example
 * ```ts
 * subjectOf('Plan', 'finance', 'billing-v3') // 'plan/finance/billing-v3'
 * ```
 */
export function subjectOf(kind: string, namespace: string, name: string): string {
  return `${kind.toLowerCase()}/${namespace}/${name}`
}

/**
 * Returns a map key that identifies (kind, namespace, name) without collisions: `%` and `/` in each
 * part are percent-encoded and the parts are joined with `/`, so distinct triples always give distinct keys
 * even when a part contains `/`. Kinds are case-sensitive here (`Plan` ≠ `plan`). For valid names the
 * key reads like a subject with the kind as written: `Plan/finance/billing-v3`.
 *
 * @example
 * ```ts
 * const plans = new Map([[referenceKey('Plan', 'finance', 'billing-v3'), plan]])
 * ```
 */
export function referenceKey(kind: string, namespace: string, name: string): string {
  return [kind, namespace, name].map(escapePart).join('/')
}

/** Escapes `%` and `/` so a part never contains the separator (total, unlike encodeURIComponent). */
function escapePart(part: string): string {
  // Names rarely hold either character; skip the two scans of the replacements then.
  if (!part.includes('%') && !part.includes('/')) return part
  return part.replace(/%/g, '%25').replace(/\//g, '%2F')
}

/** Returns the string unless it is absent or empty. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
