import { canonicalJson } from '@planspec/core'
import { createHash } from 'node:crypto'

/**
 * Git-mode metadata of one resource (DECISIONS §6), kept on the status branch in the resource's
 * status file so that it survives restarts:
 * - `uid`: a stable hash of kind, namespace, name and `introducedIn`;
 * - `introducedIn`: the first tracked revision in which the agent saw the resource. This stands
 *   for "the commit that introduced the file": exact when the agent sees every commit, otherwise
 *   the first one it read after the file appeared. Finding the true introducing commit would
 *   mean walking history per file on every cold start; this choice costs nothing and is stable as
 *   long as the status branch is kept;
 * - `generation`: 1 when first seen, plus one for each observed change of `spec` (`specHash`);
 * - `creationTimestamp`: the commit time of `introducedIn` (RFC 3339).
 */
export interface ResourceIdentity {
  readonly uid: string
  readonly generation: number
  readonly specHash: string
  readonly introducedIn: string
  readonly creationTimestamp: string
}

/**
 * Returns the uid of a resource introduced in commit `introducedIn`: the SHA-256 of the four
 * values, shaped as a UUID (version 8, RFC 9562 "custom"), so the same inputs always give the
 * same uid and a re-created resource (another introducing commit) gets a new one.
 *
 * @example
 * resourceUid('Plan', 'default', 'release', '0123abcd...') // 'xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx'
 */
export function resourceUid(kind: string, namespace: string, name: string, introducedIn: string): string {
  const hex = createHash('sha256').update(`${kind}\n${namespace}\n${name}\n${introducedIn}`).digest('hex')
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** Returns `sha256:<hex>` of the canonical JSON of a spec (key order does not matter). */
export function specHashOf(spec: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(spec ?? null)).digest('hex')}`
}

/**
 * Returns the identity of a resource seen with `spec` at `revision`: a new one (generation 1,
 * introduced here) when there is no previous identity, the previous one when the spec did not
 * change, and the previous one with the generation increased by one when it did. Pure.
 *
 * @example
 * const first = nextIdentity(undefined, { kind: 'Plan', namespace: 'default', name: 'p', spec, revision, commitTime })
 * nextIdentity(first, { ...sameInputs, spec: changedSpec }).generation // 2
 */
export function nextIdentity(
  previous: ResourceIdentity | undefined,
  at: { readonly kind: string; readonly namespace: string; readonly name: string; readonly spec: unknown; readonly revision: string; readonly commitTime: string },
): ResourceIdentity {
  const specHash = specHashOf(at.spec)
  if (!previous) return { uid: resourceUid(at.kind, at.namespace, at.name, at.revision), generation: 1, specHash, introducedIn: at.revision, creationTimestamp: at.commitTime }
  if (previous.specHash === specHash) return previous
  return { ...previous, generation: previous.generation + 1, specHash }
}
