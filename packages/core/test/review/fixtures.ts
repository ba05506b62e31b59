import type { ReviewResourceLike } from '../../src/review/review-types.js'

/** A resource as the validator returns it, in namespace `default` unless given. */
export function resource(kind: string, name: string, spec: unknown, extra: { namespace?: string; labels?: Record<string, string>; file?: string; metadata?: Record<string, unknown>; status?: unknown } = {}): ReviewResourceLike {
  const namespace = extra.namespace ?? 'default'
  const metadata = { name, namespace, ...(extra.labels ? { labels: extra.labels } : {}), ...extra.metadata }
  const value: Record<string, unknown> = { apiVersion: 'planspec.io/v1alpha1', kind, metadata, spec }
  if (extra.status !== undefined) value.status = extra.status
  return { kind, name, namespace, value, ...(extra.file ? { file: extra.file } : {}) }
}

/** A Plan with the given nodes and edges. */
export function plan(name: string, nodes: unknown[], edges?: unknown[], extra: Parameters<typeof resource>[3] = {}): ReviewResourceLike {
  return resource('Plan', name, { description: `plan ${name}`, graph: edges === undefined ? { nodes } : { nodes, edges } }, extra)
}

/** A Task node. */
export function task(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, kind: 'Task', ...fields }
}

/** An Execution of a Plan with a bindingRef. */
export function execution(name: string, planName: string, spec: Record<string, unknown> = {}, extra: Parameters<typeof resource>[3] = {}): ReviewResourceLike {
  return resource('Execution', name, { planRef: { name: planName }, ...spec }, extra)
}

/** A Binding with the given rules. */
export function binding(name: string, rules: unknown[], extra: { strategy?: string; namespace?: string } = {}): ReviewResourceLike {
  return resource('Binding', name, extra.strategy ? { strategy: extra.strategy, rules } : { rules }, { namespace: extra.namespace })
}

/** A Gate with the given reviewers and required approvals. */
export function gate(name: string, reviewers?: unknown, requiredApprovers?: unknown, extra: Parameters<typeof resource>[3] = {}): ReviewResourceLike {
  const spec: Record<string, unknown> = { gateType: 'approval', targetRef: { kind: 'Execution', name: 'x' } }
  if (reviewers !== undefined) spec.reviewers = reviewers
  if (requiredApprovers !== undefined) spec.requiredApprovers = requiredApprovers
  return resource('Gate', name, spec, extra)
}
