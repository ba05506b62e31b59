// Ids are numbered from 0; a pair of numbers below this bound is one exact number (2^52 < 2^53).
export const PAIR_BOUND = 2 ** 26

/**
 * Returns a function giving the key that tells (from, to) pairs apart within one graph: ids are
 * numbered as they are met, so a key is one number and no string is built per edge. Ids that are
 * not strings (a graph that failed the schema) are told apart by their JSON, as JSON would
 * (`undefined` reads as `null`), and never equal a string id. Past `bound` ids (a graph too large
 * for one exact number per pair), the key is the pair's text.
 */
export function edgePairKeys(bound = PAIR_BOUND): (from: unknown, to: unknown) => number | string {
  const strings = new Map<string, number>()
  const others = new Map<string, number>()
  const numberOf = (id: unknown): number => {
    const map = typeof id === 'string' ? strings : others
    const key = typeof id === 'string' ? id : JSON.stringify([id])
    let n = map.get(key)
    if (n === undefined) map.set(key, (n = strings.size + others.size))
    return n
  }
  return (from, to) => {
    const a = numberOf(from)
    const b = numberOf(to)
    return a < bound && b < bound ? a * bound + b : `${a},${b}`
  }
}
