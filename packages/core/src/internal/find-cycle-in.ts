/**
 * Finds a cycle in a directed graph given as successor lists, with an iterative depth-first
 * search (no recursion, so 1000-node chains cannot overflow the call stack). Roots are tried in
 * `order` and successors in list order, so the answer is deterministic: the first cycle met.
 * Returns the cycle as a closed path (`['a', 'b', 'a']`; a self-loop is `['a', 'a']`), or
 * undefined when the graph is acyclic. Successors missing from `order` are still walked.
 */
export function findCycleIn(
  order: readonly string[],
  successors: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  const done = new Set<string>()
  const onPath = new Set<string>()
  for (const root of order) {
    if (done.has(root)) continue
    const stack: { readonly id: string; next: number }[] = [{ id: root, next: 0 }]
    onPath.add(root)
    for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
      const next = successors.get(frame.id)?.[frame.next]
      frame.next += 1
      if (next === undefined) {
        stack.pop()
        onPath.delete(frame.id)
        done.add(frame.id)
      } else if (onPath.has(next)) {
        const start = stack.findIndex((entry) => entry.id === next)
        return [...stack.slice(start).map((entry) => entry.id), next]
      } else if (!done.has(next)) {
        onPath.add(next)
        stack.push({ id: next, next: 0 })
      }
    }
  }
  return undefined
}
