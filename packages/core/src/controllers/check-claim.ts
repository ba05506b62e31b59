import { normalizeSubject } from './check-reviewer.js'

/** Why a claim or a completion of claimable work does not count, besides eligibility. */
export type ClaimRefusal = 'AlreadyClaimed' | 'ClaimedByOther'

/**
 * Decides claimable work between workers (DECISIONS §4): the first eligible claim of a node
 * holds it. A later claim by someone else is `AlreadyClaimed`; a completion by someone other than
 * the holder is `ClaimedByOther`. Claiming again, completing one's own claim, or completing a node
 * nobody claimed is fine. `holder` is the subject of the claim that holds the node, if any. Pure.
 *
 * @example
 * ```ts
 * checkClaim('svc:writer-b', 'claim', 'svc:writer-a')    // 'AlreadyClaimed'
 * checkClaim('svc:writer-a', 'complete', 'svc:writer-a') // undefined
 * ```
 */
export function checkClaim(requester: string, kind: 'claim' | 'complete', holder: string | undefined): ClaimRefusal | undefined {
  if (holder === undefined || normalizeSubject(holder) === normalizeSubject(requester)) return undefined
  return kind === 'claim' ? 'AlreadyClaimed' : 'ClaimedByOther'
}

/**
 * Checks a completion of claimable work against the node's declared `outputs` (RESOURCES 2.9):
 * a successful completion must give every declared output (a value that is not `undefined` or
 * `null`); a failed one needs none. Returns the missing names (`MissingOutputs`), or `undefined`
 * when the completion may be recorded. Pure.
 *
 * @example
 * ```ts
 * checkCompletion(['url', 'pages'], { url: 'https://x' }) // { reason: 'MissingOutputs', missing: ['pages'] }
 * ```
 */
export function checkCompletion(declared: readonly string[], outputs: Readonly<Record<string, unknown>> | undefined, failed = false): { readonly reason: 'MissingOutputs'; readonly missing: readonly string[] } | undefined {
  if (failed) return undefined
  const missing = declared.filter((name) => outputs === undefined || !Object.hasOwn(outputs, name) || outputs[name] === undefined || outputs[name] === null)
  return missing.length === 0 ? undefined : { reason: 'MissingOutputs', missing }
}
