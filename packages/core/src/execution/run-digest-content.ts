import { canonicalJson } from '../canonical-json.js'
import type { NodeBinding } from './execution-types.js'

/**
 * Builds the canonical text of what a run executes, which shells hash into `status.runDigest`
 * (`sha256:` + hex) and Gate approvals name (DECISIONS §9): the plan graph as written and, per
 * Task node in id order, the provider it was resolved to with its config (or why it is unbound).
 * A changed plan or a changed binding resolution gives another text; key order and YAML
 * formatting do not. Pure.
 *
 * @example
 * ```ts
 * createHash('sha256').update(runDigestContent(plan.spec.graph, prepared.bindings)).digest('hex')
 * ```
 */
export function runDigestContent(graph: unknown, bindings: ReadonlyMap<string, NodeBinding>): string {
  const resolved: Record<string, unknown> = {}
  for (const id of [...bindings.keys()].sort()) {
    const binding = bindings.get(id) as NodeBinding
    resolved[id] = binding.outcome === 'bound' ? { provider: binding.provider, config: binding.config ?? null } : { outcome: binding.outcome, reason: binding.reason }
  }
  return canonicalJson({ graph, bindings: resolved })
}
