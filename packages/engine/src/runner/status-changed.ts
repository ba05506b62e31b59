import type { ExecutionStatus } from '@planspec/core'

/**
 * Tells whether two Execution statuses differ, in time proportional to what changed rather than
 * to the size of the run: core's reconcile keeps the objects of untouched nodes, so node statuses
 * are compared by reference first and serialised only when their references differ. Every other
 * field is small and compared by value.
 *
 * @example
 * statusChanged(previous, reconcileExecution(observation).status) // false when a round changed nothing
 */
export function statusChanged(previous: ExecutionStatus | undefined, next: ExecutionStatus): boolean {
  if (previous === undefined) return true
  if (previous === next) return false
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)])
  for (const key of keys) {
    const a = (previous as Record<string, unknown>)[key]
    const b = (next as Record<string, unknown>)[key]
    if (a === b) continue
    if (key === 'nodeStatuses' && a && b && typeof a === 'object' && typeof b === 'object') {
      if (nodeMapsDiffer(a as Record<string, unknown>, b as Record<string, unknown>)) return true
      continue
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) return true
  }
  return false
}

function nodeMapsDiffer(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const aKeys = Object.keys(a)
  if (aKeys.length !== Object.keys(b).length) return true
  for (const id of aKeys) {
    const x = a[id]
    const y = b[id]
    if (x !== y && JSON.stringify(x) !== JSON.stringify(y)) return true
  }
  return false
}
