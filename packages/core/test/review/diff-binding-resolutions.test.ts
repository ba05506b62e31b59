import { describe, expect, it } from 'vitest'
import { diffBindingResolutions } from '../../src/review/diff-binding-resolutions.js'
import type { ReviewResourceLike } from '../../src/review/review-types.js'
import { binding, execution, plan, task } from './fixtures.js'

const ci = { name: 'ci' }
const releasePlan = plan('release', [task('build', { capabilityRefs: [ci] }), task('docs'), { id: 'ok', kind: 'Gate', gateRef: { name: 'g' } }], undefined, { labels: { env: 'prod' } })
const rules = (provider: string, extra: Record<string, unknown> = {}): unknown[] => [
  { selector: { capabilityRef: ci }, target: { provider, ...extra } },
  { selector: { planRef: { name: 'release' }, nodeId: 'docs' }, target: { provider: 'noop://docs' } },
]
const side = (...resources: ReviewResourceLike[]): ReviewResourceLike[] => [releasePlan, execution('release-1', 'release', { bindingRef: { name: 'default' } }), ...resources]

describe('diffBindingResolutions', () => {
  it('reports nothing when every use resolves the same way', () => {
    expect(diffBindingResolutions(side(binding('default', rules('exec://make'))), side(binding('default', rules('exec://make'))))).toEqual([])
  })

  it('reports a use whose provider changed, with both resolutions', () => {
    const changes = diffBindingResolutions(side(binding('default', rules('exec://make'))), side(binding('default', rules('agent://builder'))))
    expect(changes).toEqual([
      {
        execution: 'execution/default/release-1',
        plan: 'plan/default/release',
        nodeId: 'build',
        capability: 'default/ci',
        action: 'changed',
        before: { outcome: 'bound', provider: 'exec://make', binding: 'binding/default/default', ruleIndex: 0 },
        after: { outcome: 'bound', provider: 'agent://builder', binding: 'binding/default/default', ruleIndex: 0 },
        configChanged: false,
      },
    ])
  })

  it('reports a use whose provider stayed but whose target config changed', () => {
    const changes = diffBindingResolutions(side(binding('default', rules('exec://make', { config: { command: ['make'] } }))), side(binding('default', rules('exec://make', { config: { command: ['make', 'all'] } }))))
    expect(changes.map((c) => [c.nodeId, c.action, c.configChanged])).toEqual([['build', 'changed', true]])
  })

  it('reports uses that became unbound, conflicting or lost their Binding', () => {
    const strict = binding('default', [...rules('exec://make'), { selector: { capabilityRef: ci }, target: { provider: 'exec://other' } }], { strategy: 'ErrorOnConflict' })
    const conflict = diffBindingResolutions(side(binding('default', rules('exec://make'))), side(strict))
    expect(conflict.map((c) => c.after)).toEqual([{ outcome: 'conflict', binding: 'binding/default/default', ruleIndexes: [0, 2] }])
    const unbound = diffBindingResolutions(side(binding('default', rules('exec://make'))), side(binding('default', rules('exec://make').slice(1))))
    expect(unbound.map((c) => c.after)).toEqual([{ outcome: 'unbound', reason: 'NoMatchingRule', binding: 'binding/default/default' }])
    const gone = diffBindingResolutions(side(binding('default', rules('exec://make'))), side())
    expect(gone.map((c) => [c.nodeId, c.after])).toEqual([
      ['build', { outcome: 'unbound', reason: 'NoBinding', binding: 'binding/default/default' }],
      ['docs', { outcome: 'unbound', reason: 'NoBinding', binding: 'binding/default/default' }],
    ])
  })

  it('lists every use of a new Execution as added, a Task without capabilities as one use without a capability', () => {
    const resources = [releasePlan, binding('default', rules('exec://make')), execution('release-2', 'release', { bindingRef: { name: 'default' } })]
    const changes = diffBindingResolutions([releasePlan], resources)
    expect(changes).toEqual([
      { execution: 'execution/default/release-2', plan: 'plan/default/release', nodeId: 'build', capability: 'default/ci', action: 'added', after: { outcome: 'bound', provider: 'exec://make', binding: 'binding/default/default', ruleIndex: 0 }, configChanged: false },
      { execution: 'execution/default/release-2', plan: 'plan/default/release', nodeId: 'docs', action: 'added', after: { outcome: 'bound', provider: 'noop://docs', binding: 'binding/default/default', ruleIndex: 1 }, configChanged: false },
    ])
  })

  it('uses nodeBindings before bindingRef, and reports NoBinding without a name when the Execution names none', () => {
    const other = binding('other', [{ selector: { matchLabels: { env: 'prod' } }, target: { provider: 'human://ops' } }], { namespace: 'ops' })
    const head = [releasePlan, other, execution('release-1', 'release', { nodeBindings: { build: { name: 'other', namespace: 'ops' }, docs: 'bad' } })]
    expect(diffBindingResolutions([], head).map((c) => [c.nodeId, c.after])).toEqual([
      ['build', { outcome: 'bound', provider: 'human://ops', binding: 'binding/ops/other', ruleIndex: 0 }],
      ['docs', { outcome: 'unbound', reason: 'NoBinding' }],
    ])
  })

  it('skips Executions whose Plan is missing or malformed, and repeated or malformed nodes', () => {
    const odd = plan('odd', [task('a', { capabilityRefs: ['x', { name: 'c', namespace: 'caps' }] }), task('a'), 'node', { kind: 'Task' }])
    const head = [
      odd,
      binding('b', [{ selector: { capabilityRef: { name: 'c', namespace: 'caps' } }, target: { provider: 'noop://' } }]),
      execution('e1', 'odd', { bindingRef: { name: 'b' } }),
      execution('e2', 'missing'),
      { kind: 'Execution', name: 'e3', namespace: 'default', value: { spec: { planRef: 'odd' } } },
    ]
    expect(diffBindingResolutions([], head).map((c) => [c.execution, c.nodeId, c.capability, c.after.outcome])).toEqual([['execution/default/e1', 'a', 'caps/c', 'bound']])
  })

  it('never matches a malformed rule, keeping the indexes of the others', () => {
    const odd = binding('default', [
      'rule',
      { selector: 'x', target: { provider: 'noop://a' } },
      { selector: { capabilityRef: ci }, target: 'x' },
      { selector: { capabilityRef: 'ci' }, target: { provider: 'noop://b' } },
      { selector: { planRef: { name: 'release' }, nodeId: 7 }, target: { provider: 'noop://c' } },
      { selector: { matchLabels: 'env=prod' }, target: { provider: 'noop://d' } },
      { selector: { planRef: { name: 5 } }, target: { provider: 'noop://e' } },
      { priority: 1, selector: { planRef: { name: 'release' } }, target: { provider: 'noop://f', config: { k: 1 } } },
    ])
    const changes = diffBindingResolutions([], side(odd))
    expect(changes.map((c) => c.after)).toEqual([
      { outcome: 'bound', provider: 'noop://f', binding: 'binding/default/default', ruleIndex: 7 },
      { outcome: 'bound', provider: 'noop://f', binding: 'binding/default/default', ruleIndex: 7 },
    ])
    const malformedSpec = diffBindingResolutions([], side({ kind: 'Binding', name: 'default', namespace: 'default', value: { spec: { rules: 'none' } } }))
    expect(malformedSpec.map((c) => c.after.outcome)).toEqual(['unbound', 'unbound'])
  })

  it('compares unbound reasons and conflicting rules as part of the resolution', () => {
    const conflicting = (extra: unknown[]): ReviewResourceLike =>
      binding('default', [{ selector: { capabilityRef: ci }, target: { provider: 'a://' } }, ...extra, { selector: { capabilityRef: ci }, target: { provider: 'b://' } }], { strategy: 'ErrorOnConflict' })
    const moved = diffBindingResolutions(side(conflicting([])), side(conflicting([{ selector: { planRef: { name: 'nope' } }, target: { provider: 'c://' } }])))
    expect(moved.filter((c) => c.nodeId === 'build').map((c) => [c.before?.outcome, c.after.outcome])).toEqual([['conflict', 'conflict']])
    const same = diffBindingResolutions(side(conflicting([])), side(conflicting([])))
    expect(same).toEqual([])
    const stillUnbound = diffBindingResolutions(side(binding('default', [{ selector: { capabilityRef: { name: 'zz' } }, target: { provider: 'a://' } }])), side(binding('default', [{ selector: { capabilityRef: { name: 'yy' } }, target: { provider: 'a://' } }])))
    expect(stillUnbound).toEqual([])
    const noBindingNow = diffBindingResolutions(side(binding('default', [{ selector: { capabilityRef: { name: 'zz' } }, target: { provider: 'a://' } }])), side())
    expect(noBindingNow.map((c) => [c.before?.outcome, c.after.outcome])).toEqual([
      ['unbound', 'unbound'],
      ['unbound', 'unbound'],
    ])
  })
})
