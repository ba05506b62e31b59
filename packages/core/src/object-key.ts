import { resolveKind } from './kinds.js'

/** Addresses one object: (kind, namespace, name) (RESOURCES M7). */
export interface ObjectKey {
  readonly kind: string
  readonly namespace: string
  readonly name: string
}

/**
 * Formats the one identity string of an object, used in logs, CLI output, PR comments, status
 * files and as a map key: `kind/namespace/name` with the kind lower-cased (STYLE §2 Naming).
 * `%` and `/` inside a part are percent-encoded, so distinct keys always give distinct strings
 * (names that pass the schema contain neither, and read unchanged). {@link parseObjectKey} reverses it.
 *
 * @example
 * ```ts
 * formatObjectKey({ kind: 'Plan', namespace: 'finance', name: 'billing-v3' }) // 'plan/finance/billing-v3'
 * ```
 */
export function formatObjectKey(key: ObjectKey): string {
  return [key.kind.toLowerCase(), key.namespace, key.name].map(escapePart).join('/')
}

/**
 * Formats the identity string from its three parts: the positional form of {@link formatObjectKey}.
 *
 * @example
 * ```ts
 * subjectOf('Execution', 'default', 'release-1-7f3a') // 'execution/default/release-1-7f3a'
 * ```
 */
export function subjectOf(kind: string, namespace: string, name: string): string {
  // The same string as formatObjectKey, built directly: the validator calls this per reference.
  return `${escapePart(kind.toLowerCase())}/${escapePart(namespace)}/${escapePart(name)}`
}

/**
 * Parses an identity string written by {@link formatObjectKey} back into its key, with the kind
 * spelled as documents spell it (`plan` → `Plan`; plurals and short names are accepted too).
 * Returns `undefined` when the text does not have three non-empty parts or names no known kind.
 *
 * @example
 * ```ts
 * parseObjectKey('plan/finance/billing-v3') // { kind: 'Plan', namespace: 'finance', name: 'billing-v3' }
 * parseObjectKey('plan/billing-v3')         // undefined
 * ```
 */
export function parseObjectKey(text: string): ObjectKey | undefined {
  const parts = text.split('/')
  if (parts.length !== 3 || parts.some((part) => part === '')) return undefined
  const [kindText, namespace, name] = parts.map(unescapePart) as [string, string, string]
  const kind = resolveKind(kindText)
  return kind === undefined ? undefined : { kind, namespace, name }
}

/** Escapes `%` and `/` so a part never contains the separator (total, unlike encodeURIComponent). */
function escapePart(part: string): string {
  if (!part.includes('%') && !part.includes('/')) return part
  return part.replace(/%/g, '%25').replace(/\//g, '%2F')
}

/** Reverses {@link escapePart}. */
function unescapePart(part: string): string {
  return part.replace(/%2F|%25/g, (escape) => (escape === '%2F' ? '/' : '%'))
}
