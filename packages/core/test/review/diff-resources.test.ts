import { describe, expect, it } from 'vitest'
import { diffResources } from '../../src/review/diff-resources.js'
import type { ReviewResourceLike } from '../../src/review/review-types.js'
import { binding, execution, gate, plan, resource, task } from './fixtures.js'

const base: ReviewResourceLike[] = [
  resource('Goal', 'ship', { description: 'Ship it' }, { file: 'goal.yaml' }),
  plan('release', [task('build', { capabilityRefs: [{ name: 'ci' }] }), { id: 'ok', kind: 'Gate', dependsOn: ['build'], gateRef: { name: 'signoff' } }], undefined, { file: 'plan.yaml' }),
  binding('main', [{ selector: { capabilityRef: { name: 'ci' } }, target: { provider: 'exec://make' } }]),
  gate('signoff', ['team:acme/sre']),
  resource('Capability', 'ci', { description: 'CI' }, { file: 'cap.yaml' }),
  execution('release-1', 'release', { bindingRef: { name: 'main' } }),
  resource('Role', 'reader', { rules: [] }, { metadata: { uid: 'a', generation: 1 }, status: { x: 1 } }),
  resource('ClusterRole', 'admin', { rules: [] }, { namespace: '' }),
]

const head: ReviewResourceLike[] = [
  resource('Goal', 'ship', { description: 'Ship it' }, { file: 'goal.yaml', labels: { team: 'a' } }),
  plan('release', [task('build', { capabilityRefs: [{ name: 'ci' }] }), task('test', { dependsOn: ['build'] }), { id: 'ok', kind: 'Gate', dependsOn: ['test'], gateRef: { name: 'signoff' } }], undefined, { file: 'plan.yaml' }),
  binding('main', [{ selector: { capabilityRef: { name: 'ci' } }, target: { provider: 'agent://builder' } }]),
  gate('signoff', ['team:acme/sre', 'user:bob'], 2),
  execution('release-1', 'release', { bindingRef: { name: 'main' } }),
  execution('release-1', 'release', { bindingRef: { name: 'duplicate' } }),
  resource('Role', 'reader', { rules: [] }, { metadata: { uid: 'b', generation: 2, resourceVersion: '9' }, status: { x: 2 } }),
  resource('ClusterRole', 'admin', { rules: ['x'] }, { namespace: '' }),
  resource('Capability', 'docs', { description: 'Docs' }, { namespace: 'aaa' }),
  resource('Binding', 'extra', { rules: [] }, { namespace: 'aaa' }),
]

/** A Plan whose content does not depend on its name (the fixture's description does). */
const same = (name: string, nodes: unknown[], extra: Parameters<typeof resource>[3] = {}): ReviewResourceLike => resource('Plan', name, { description: 'the release', graph: { nodes } }, extra)

describe('diffResources', () => {
  it('lists resources added, removed and changed, by kind order, namespace and name, with the fields that differ', () => {
    const diff = diffResources(base, head)
    expect(diff.resources.map((r) => [r.subject, r.action, r.fields, r.file])).toEqual([
      ['goal/default/ship', 'changed', ['metadata.labels'], 'goal.yaml'],
      ['plan/default/release', 'changed', ['spec.graph'], 'plan.yaml'],
      ['capability/aaa/docs', 'added', [], undefined],
      ['capability/default/ci', 'removed', [], 'cap.yaml'],
      ['binding/aaa/extra', 'added', [], undefined],
      ['binding/default/main', 'changed', ['spec.rules'], undefined],
      ['gate/default/signoff', 'changed', ['spec.requiredApprovers', 'spec.reviewers'], undefined],
      ['clusterrole//admin', 'changed', ['spec.rules'], undefined],
    ])
    expect(diff.counts).toEqual([
      { kind: 'Goal', added: 0, removed: 0, changed: 1, renamed: 0 },
      { kind: 'Plan', added: 0, removed: 0, changed: 1, renamed: 0 },
      { kind: 'Capability', added: 1, removed: 1, changed: 0, renamed: 0 },
      { kind: 'Binding', added: 1, removed: 0, changed: 1, renamed: 0 },
      { kind: 'Gate', added: 0, removed: 0, changed: 1, renamed: 0 },
      { kind: 'ClusterRole', added: 0, removed: 0, changed: 1, renamed: 0 },
    ])
  })

  it('joins the plan, gate and binding diffs and the touched executions', () => {
    const diff = diffResources(base, head)
    expect(diff.plans.map((p) => [p.subject, p.counts.nodesAdded, p.counts.edgesAdded, p.counts.edgesRemoved])).toEqual([['plan/default/release', 1, 2, 1]])
    expect(diff.gates.map((g) => [g.subject, g.reviewers.added, g.requiredApprovers])).toEqual([['gate/default/signoff', ['user:bob'], { before: 1, after: 2 }]])
    expect(diff.bindings.map((b) => [b.nodeId, b.action, b.after])).toEqual([
      ['build', 'changed', { outcome: 'bound', provider: 'agent://builder', binding: 'binding/default/main', ruleIndex: 0 }],
      ['test', 'added', { outcome: 'unbound', reason: 'NoMatchingRule', binding: 'binding/default/main' }],
    ])
    expect(diff.executions).toEqual([{ subject: 'execution/default/release-1', namespace: 'default', name: 'release-1', plan: 'plan/default/release', reasons: ['plan', 'binding', 'gate'] }])
  })

  it('finds nothing between a set and itself, and leaves gates whose approvers did not change out of the gate diff', () => {
    expect(diffResources(base, base)).toEqual({ resources: [], counts: [], plans: [], bindings: [], gates: [], executions: [] })
    const relabelled = diffResources([gate('g', ['user:a'])], [gate('g', ['user:a'], undefined, { labels: { x: 'y' } })])
    expect(relabelled.resources.map((r) => r.subject)).toEqual(['gate/default/g'])
    expect(relabelled.gates).toEqual([])
  })

  it('orders kinds outside the known list alphabetically, after the known ones', () => {
    const diff = diffResources([], [resource('Zeta', 'a', {}), resource('Alpha', 'b', {}), resource('Alpha', 'a', {}), resource('Goal', 'g', {})])
    expect(diff.resources.map((r) => r.subject)).toEqual(['goal/default/g', 'alpha/default/a', 'alpha/default/b', 'zeta/default/a'])
  })

  it('shows a pure rename as one rename: no graph, no approvers, no Execution touched, references followed', () => {
    const steps = [task('build'), { id: 'ok', kind: 'Gate', dependsOn: ['build'], gateRef: { name: 'signoff' } }]
    const before = [same('release', steps, { file: 'plan.yaml' }), gate('signoff', ['user:ana']), execution('run-1', 'release', { bindingRef: { name: 'main' } }), execution('run-2', 'other')]
    const after = [same('release-v2', steps, { file: 'plan.yaml' }), gate('signoff', ['user:ana']), execution('run-1', 'release-v2', { bindingRef: { name: 'main' } }), execution('run-2', 'other')]
    const diff = diffResources(before, after)
    expect(diff.resources).toEqual([{ subject: 'plan/default/release-v2', kind: 'Plan', namespace: 'default', name: 'release-v2', action: 'renamed', fields: ['metadata.name'], file: 'plan.yaml', previousName: 'release', referencedBy: ['execution/default/run-1'] }])
    expect(diff.counts).toEqual([{ kind: 'Plan', added: 0, removed: 0, changed: 0, renamed: 1 }])
    expect(diff.plans).toEqual([])
    expect(diff.gates).toEqual([])
    expect(diff.executions).toEqual([])
  })

  it('tells a rename with other changes apart, and renames that follow each other', () => {
    const steps = [task('build')]
    // A changed graph under a new name is a removal and an addition.
    const changed = diffResources([same('a', steps)], [same('b', [...steps, task('more')])])
    expect(changed.resources.map((r) => `${r.action} ${r.name}`)).toEqual(['removed a', 'added b'])
    // An Execution renamed together with its Plan: both renames, the Execution's planRef followed.
    const both = diffResources([same('a', steps), execution('e', 'a', { nodeBindings: { build: { name: 'bb' } } }), resource('Binding', 'bb', { rules: [] })], [same('b', steps), execution('f', 'b', { nodeBindings: { build: { name: 'cc' } } }), resource('Binding', 'cc', { rules: [] })])
    expect(both.resources.map((r) => `${r.action} ${r.kind} ${r.previousName} → ${r.name}`)).toEqual(['renamed Plan a → b', 'renamed Binding bb → cc', 'renamed Execution e → f'])
    expect(both.executions).toEqual([])
    // Different namespaces never pair; a gate target (kind given in the reference) is followed too.
    expect(diffResources([same('a', steps, { namespace: 'x' })], [same('b', steps, { namespace: 'y' })]).resources.map((r) => r.action)).toEqual(['removed', 'added'])
    const target = (name: string) => resource('Gate', 'g', { targetRef: { kind: 'Execution', name, nodeId: 'ok' }, reviewers: ['user:a'] })
    const followed = diffResources([execution('e1', 'p'), target('e1')], [execution('e2', 'p'), target('e2')])
    expect(followed.resources.map((r) => [r.action, r.referencedBy])).toEqual([['renamed', ['gate/default/g']]])
    // Malformed references are read defensively and left as they are.
    const odd = resource('Execution', 'odd', { planRef: 'p', goalRef: { namespace: 'x' }, nodeBindings: { a: 'not a reference' }, capabilityRefs: [null] })
    const odder = resource('Execution', 'odder', { nodeBindings: ['not', 'a', 'map'] })
    expect(diffResources([same('p1', steps), odd, odder], [same('p2', steps), odd, odder]).resources.map((r) => [r.action, r.referencedBy])).toEqual([['renamed', []]])
    // A resource that follows one of two renames is listed under that one only.
    const two = diffResources([execution('e1', 'p'), target('e1'), same('q1', steps)], [execution('e2', 'p'), target('e2'), same('q2', steps)])
    expect(two.resources.map((r) => [r.name, r.referencedBy])).toEqual([['q2', []], ['e2', ['gate/default/g']]])
  })
})
