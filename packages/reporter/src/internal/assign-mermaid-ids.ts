// Words Mermaid's flowchart grammar reads as syntax when they appear where a node id is expected.
// https://mermaid.js.org/syntax/flowchart.html ("end" breaks the diagram; the others start statements)
const KEYWORDS = new Set([
  'end', 'graph', 'flowchart', 'subgraph', 'click', 'call', 'href', 'callback', 'style', 'class',
  'classdef', 'linkstyle', 'direction', 'default', 'interpolate', 'acctitle', 'accdescr',
  'tb', 'td', 'bt', 'rl', 'lr',
])

/**
 * Gives every node id a Mermaid-safe id: characters outside `[A-Za-z0-9_]` become `_`, and ids
 * that are keywords (case-insensitive) or do not start with a letter get an `n_` prefix. Ids
 * that would collide get `_2`, `_3`, … in order, so the mapping is one-to-one and stable for the
 * same input order.
 */
export function assignMermaidIds(ids: readonly string[]): ReadonlyMap<string, string> {
  const assigned = new Map<string, string>()
  const used = new Set<string>()
  for (const id of ids) {
    const base = id.replace(/[^A-Za-z0-9_]/g, '_')
    const safe = /^[A-Za-z]/.test(base) && !KEYWORDS.has(base.toLowerCase()) ? base : `n_${base}`
    let candidate = safe
    for (let n = 2; used.has(candidate); n++) candidate = `${safe}_${n}`
    used.add(candidate)
    assigned.set(id, candidate)
  }
  return assigned
}
