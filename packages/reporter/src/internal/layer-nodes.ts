/** The outcome of layering: layers in order, and the ids no layer could take because of a cycle. */
export interface Layering {
  readonly layers: readonly (readonly string[])[]
  readonly cyclic: readonly string[]
}

/**
 * Puts ids into topological layers with Kahn's algorithm, one round per layer: a node's layer is
 * the length of the longest path reaching it. Within a layer ids keep the order of `ids`. Edges
 * touching an id not in `ids` are ignored; ids left on or behind a cycle are returned in `cyclic`.
 */
export function layerNodes(ids: readonly string[], edges: readonly { readonly from: string; readonly to: string }[]): Layering {
  const indegree = new Map(ids.map((id) => [id, 0]))
  const next = new Map<string, string[]>(ids.map((id) => [id, []]))
  for (const { from, to } of edges) {
    const targets = next.get(from)
    if (targets === undefined || !indegree.has(to)) continue
    targets.push(to)
    indegree.set(to, (indegree.get(to) as number) + 1)
  }
  const layers: string[][] = []
  let current = ids.filter((id) => indegree.get(id) === 0)
  while (current.length > 0) {
    layers.push(current)
    const freed = new Set<string>()
    for (const id of current) {
      for (const to of next.get(id) as string[]) {
        const left = (indegree.get(to) as number) - 1
        indegree.set(to, left)
        if (left === 0) freed.add(to)
      }
    }
    current = ids.filter((id) => freed.has(id))
  }
  const cyclic = ids.filter((id) => (indegree.get(id) as number) > 0)
  return { layers, cyclic }
}
