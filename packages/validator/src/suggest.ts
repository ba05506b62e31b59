/**
 * Suggests the candidate closest to `word` by edit distance, or nothing when none is close
 * (at most 2 edits, and fewer than half the word's length).
 */
export function suggestClosest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.min(3, Math.ceil(word.length / 2))
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - word.length) >= bestDistance) continue
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = candidate
    }
  }
  return best
}

/**
 * Suggests up to `limit` candidates close to `word` by the same edit distance and bound as
 * {@link suggestClosest}, closest first (ties in alphabetical order): "did you mean" for names,
 * where several may be as close (`release-1`, `release-2`).
 *
 * @example
 * suggestClosestAll('relase-1', ['release-1', 'release-2', 'deploy']) // ['release-1', 'release-2']
 */
export function suggestClosestAll(word: string, candidates: readonly string[], limit = 3): string[] {
  const bound = Math.min(3, Math.ceil(word.length / 2))
  const scored: { candidate: string; d: number }[] = []
  for (const candidate of new Set(candidates)) {
    if (candidate === word || Math.abs(candidate.length - word.length) >= bound) continue
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bound) scored.push({ candidate, d })
  }
  return scored.sort((a, b) => a.d - b.d || a.candidate.localeCompare(b.candidate)).slice(0, limit).map((s) => s.candidate)
}

/**
 * Says that a resource does not exist, the same way in every mode and command, with the closest
 * existing names of that kind (in that namespace, or in every namespace when none is given) as
 * "did you mean", by the edit distance the kinds use: `execution "relase-1" not found in namespace
 * "default" (did you mean "release-1"?)`. Pure.
 *
 * @example
 * notFoundMessage('Execution', 'relase-1', 'default', ['release-1', 'deploy-2'])
 * // 'execution "relase-1" not found in namespace "default" (did you mean "release-1"?)'
 */
export function notFoundMessage(kind: string, name: string, namespace: string | undefined, existing: readonly string[]): string {
  const close = suggestClosestAll(name, existing)
  const hint = close.length === 0 ? '' : ` (did you mean ${close.map((c) => JSON.stringify(c)).join(close.length === 2 ? ' or ' : ', ').replace(/, ([^,]*)$/, ', or $1')}?)`
  return `${kind.toLowerCase()} ${JSON.stringify(name)} not found${namespace ? ` in namespace ${JSON.stringify(namespace)}` : ''}${hint}`
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}
