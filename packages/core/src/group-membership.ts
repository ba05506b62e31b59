import type { NormalizedGraph } from './graph-types.js'
import { findCycleIn } from './internal/find-cycle-in.js'

/**
 * Maps each id listed in a Group's `children` to the groups that list it, groups in file order and
 * each at most once. A node may sit in several groups and groups may nest (DECISIONS §3). Children
 * that name no node are included as written (the validator reports G6); nodes in no group are
 * absent from the map.
 *
 * @example
 * ```ts
 * groupMembership(normalizeGraph({ nodes: [
 *   { id: 'a', kind: 'Task' },
 *   { id: 'g1', kind: 'Group', children: ['a'] },
 *   { id: 'g2', kind: 'Group', children: ['a', 'g1'] },
 * ] })) // Map { 'a' => ['g1', 'g2'], 'g1' => ['g2'] }
 * ```
 */
export function groupMembership(graph: NormalizedGraph): Map<string, string[]> {
  const membership = new Map<string, string[]>()
  for (const node of graph.nodes) {
    if (node.kind !== 'Group') continue
    for (const child of node.children ?? []) {
      const groups = membership.get(child)
      if (groups === undefined) membership.set(child, [node.id])
      else if (!groups.includes(node.id)) groups.push(node.id)
    }
  }
  return membership
}

/**
 * Finds a group that contains itself, directly (`children` lists its own id) or through nested
 * groups (it lists an ancestor group). Returns the containment path, starting and ending with the
 * same group (`['g', 'g']`, `['outer', 'inner', 'outer']`), or undefined when nesting is acyclic.
 * Iterative and deterministic: groups in file order, children in array order.
 *
 * @example
 * ```ts
 * findGroupCycle(normalizeGraph({ nodes: [
 *   { id: 'g1', kind: 'Group', children: ['g2'] },
 *   { id: 'g2', kind: 'Group', children: ['g1'] },
 * ] })) // ['g1', 'g2', 'g1']
 * ```
 */
export function findGroupCycle(graph: NormalizedGraph): string[] | undefined {
  const isGroup = (id: string): boolean => graph.nodeById.get(id)?.kind === 'Group'
  const groups = graph.nodes.filter((node) => node.kind === 'Group')
  const contains = new Map(groups.map((group) => [group.id, (group.children ?? []).filter(isGroup)]))
  return findCycleIn(
    groups.map((group) => group.id),
    contains,
  )
}
