import fc from 'fast-check'
import { stringify } from 'yaml'

const NAMESPACES = ['default', 'team-a', 'team-b']
const api = 'planspec.io/v1alpha1'

/** A reference that may cross namespaces: index i of a kind, in namespace j (or the holder's own when absent). */
const ref = (name: string, namespace: string | undefined): Record<string, string> => (namespace === undefined ? { name } : { name, namespace })

/**
 * Generates a valid set of manifests that exercises what the two modes used to see differently:
 * capability requirements across namespaces (some optional, some missing), Plans whose goalRef
 * names a Goal in another namespace, Bindings that serve Plans through rules (planRef,
 * matchLabels, capabilityRef) or through Executions in other namespaces (bindingRef,
 * nodeBindings), Goal cancellation by annotation, and Gates whose targetRef names something or
 * nothing. (A Task's capabilityRefs have no `optional` in the schema: core's unit tests cover
 * optional uses.) Files are keyed by path, one resource per file.
 */
export function generatedSet(): fc.Arbitrary<Record<string, string>> {
  const ns = fc.constantFrom(...NAMESPACES)
  const maybeNs = fc.option(ns, { nil: undefined })
  return fc
    .record({
      capabilities: fc.array(fc.record({ ns, requires: fc.array(fc.record({ to: fc.nat(5), ns: maybeNs, optional: fc.boolean() }), { maxLength: 2 }) }), { minLength: 1, maxLength: 5 }),
      goals: fc.array(fc.record({ ns, cancel: fc.boolean() }), { minLength: 1, maxLength: 3 }),
      plans: fc.array(fc.record({ ns, goal: fc.nat(3), goalNs: maybeNs, label: fc.constantFrom('x', 'y'), tasks: fc.array(fc.record({ cap: fc.nat(6), capNs: maybeNs }), { minLength: 1, maxLength: 3 }), gate: fc.option(fc.nat(2), { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
      bindings: fc.array(fc.record({ ns, rules: fc.array(fc.oneof(fc.record({ cap: fc.nat(6) }), fc.record({ plan: fc.nat(4), planNs: maybeNs }), fc.record({ label: fc.constantFrom('x', 'y') })), { minLength: 1, maxLength: 3 }), strategy: fc.constantFrom('FirstMatch', 'ErrorOnConflict') }), { maxLength: 2 }),
      executions: fc.array(fc.record({ plan: fc.nat(4), goal: fc.nat(3), binding: fc.nat(2), viaNode: fc.boolean() }), { maxLength: 3 }),
      gates: fc.array(fc.record({ ns, target: fc.constantFrom('plan', 'missing') }), { maxLength: 2 }),
    })
    .map((g) => {
      const files: Record<string, string> = { '.planspec.yaml': 'namespace: default\n' }
      const put = (kind: string, name: string, namespace: string, spec: unknown, metadata: Record<string, unknown> = {}): void => {
        files[`planspec/${kind.toLowerCase()}s/${namespace}-${name}.yaml`] = stringify({ apiVersion: api, kind, metadata: { name, namespace, ...metadata }, spec }, { aliasDuplicateObjects: false })
      }
      const capName = (i: number): string => `cap-${i}`
      g.capabilities.forEach((c, i) => {
        // Requirements only point at lower indexes (or at nothing): a requirement cycle is an error.
        const requirements = c.requires.filter((r) => r.to < i || r.to >= g.capabilities.length).map((r) => ({ ...ref(capName(r.to), r.ns), ...(r.optional ? { optional: true } : {}) }))
        put('Capability', capName(i), c.ns, { description: 'generated', ...(requirements.length ? { requirements } : {}) })
      })
      g.goals.forEach((goal, i) => put('Goal', `goal-${i}`, goal.ns, { description: 'generated' }, goal.cancel ? { annotations: { 'planspec.io/cancel': 'true' } } : {}))
      g.gates.forEach((gate, i) => {
        const targetRef = gate.target === 'plan' ? { kind: 'Plan', name: 'plan-0', namespace: g.plans[0]!.ns } : { kind: 'Execution', name: 'nobody-runs-this' }
        put('Gate', `gate-${i}`, gate.ns, { gateType: 'approval', requiredApprovers: 1, targetRef })
      })
      g.plans.forEach((p, i) => {
        const nodes: Record<string, unknown>[] = p.tasks.map((t, j) => ({ id: `t${j}`, kind: 'Task', name: `task ${j}`, capabilityRefs: [ref(capName(t.cap), t.capNs)] }))
        if (p.gate !== undefined && p.gate < g.gates.length) nodes.push({ id: 'approve', kind: 'Gate', name: 'approve', gateRef: ref(`gate-${p.gate}`, g.gates[p.gate]!.ns), dependsOn: ['t0'] })
        put('Plan', `plan-${i}`, p.ns, { description: 'generated', goalRef: ref(`goal-${p.goal}`, p.goalNs), graph: { nodes } }, { labels: { team: p.label } })
      })
      g.bindings.forEach((b, i) => {
        const rules = b.rules.map((r) => ({
          selector: 'cap' in r ? { capabilityRef: { name: capName(r.cap) } } : 'plan' in r ? { planRef: ref(`plan-${r.plan}`, r.planNs) } : { matchLabels: { team: r.label } },
          target: { provider: 'noop://generated' },
        }))
        put('Binding', `binding-${i}`, b.ns, { strategy: b.strategy, rules })
      })
      g.executions.forEach((e, i) => {
        const plan = g.plans[e.plan % g.plans.length]!
        const binding = g.bindings.length ? { name: `binding-${e.binding % g.bindings.length}`, namespace: g.bindings[e.binding % g.bindings.length]!.ns } : undefined
        const spec = {
          planRef: { name: `plan-${e.plan % g.plans.length}`, namespace: plan.ns },
          goalRef: { name: `goal-${e.goal % g.goals.length}`, namespace: g.goals[e.goal % g.goals.length]!.ns },
          ...(binding === undefined ? {} : e.viaNode ? { bindingRef: binding, nodeBindings: { t0: binding } } : { bindingRef: binding }),
        }
        // An Execution runs a Plan of its own namespace (PS4005).
        put('Execution', `run-${i}`, plan.ns, spec)
      })
      return files
    })
}
