import { describe, expect, it } from 'vitest'
import type { BindingLike } from '../../src/binding-resolution.js'
import { initialStatus } from '../../src/controllers/initial-status.js'
import {
  UNBOUND_CAPABILITIES_MAX,
  reconcileBinding,
  type BindingObservation,
  type BindingUse,
} from '../../src/controllers/reconcile-binding.js'

const now = '2025-03-01T12:00:00Z'
const later = '2025-03-02T12:00:00Z'
const ns = 'finance'
const target = { provider: 'agent://coder' }

const rules = {
  codegen: { selector: { capabilityRef: { name: 'code-generation' } }, target },
  codegenAgain: { selector: { capabilityRef: { name: 'code-generation' } }, target: { provider: 'agent://other' } },
  review: { selector: { capabilityRef: { name: 'review' } }, target },
}

function binding(list: BindingLike['spec']['rules'], strategy?: string): BindingLike {
  return { spec: { rules: list, ...(strategy ? { strategy } : {}) } }
}

function use(capability: string, nodeId: string, optional?: boolean): BindingUse {
  return {
    plan: { name: 'billing-v3', namespace: ns },
    nodeId,
    capability: { name: capability, namespace: ns },
    ...(optional === undefined ? {} : { optional }),
  }
}

const observe = (overrides: Partial<BindingObservation> = {}): BindingObservation => ({
  binding: binding([rules.codegen]),
  namespace: ns,
  generation: 2,
  uses: [],
  now,
  ...overrides,
})

describe('reconcileBinding', () => {
  it.each<[string, BindingLike, BindingUse[], string, string, string, number, number, string[]]>([
    ['is Ready with no uses at all', binding([rules.codegen]), [], 'Ready', 'True', 'AllBound', 0, 0, []],
    ['is Ready when every use is bound', binding([rules.codegen]), [use('code-generation', 'a'), use('code-generation', 'b')], 'Ready', 'True', 'AllBound', 2, 2, []],
    [
      'is PartiallyBound when only optional uses are unbound',
      binding([rules.codegen]),
      [use('code-generation', 'a'), use('review', 'b', true)],
      'PartiallyBound',
      'False',
      'OptionalUnbound',
      2,
      1,
      ['review/b/NoMatchingRule'],
    ],
    [
      'is Unresolved when a required use has no rule',
      binding([rules.codegen]),
      [use('code-generation', 'a'), use('review', 'b', false), use('lint', 'c', true)],
      'Unresolved',
      'False',
      'RequiredUnbound',
      3,
      1,
      ['review/b/NoMatchingRule', 'lint/c/NoMatchingRule'],
    ],
    [
      'is Unresolved on a tie under ErrorOnConflict, even for an optional use',
      binding([rules.codegen, rules.codegenAgain], 'ErrorOnConflict'),
      [use('code-generation', 'a', true)],
      'Unresolved',
      'False',
      'Conflict',
      1,
      0,
      ['code-generation/a/Conflict'],
    ],
    [
      'binds the first rule of a tie under FirstMatch',
      binding([rules.codegen, rules.codegenAgain]),
      [use('code-generation', 'a')],
      'Ready',
      'True',
      'AllBound',
      1,
      1,
      [],
    ],
  ])('%s', (_name, spec, uses, phase, status, reason, total, bound, unbound) => {
    const result = reconcileBinding(observe({ binding: spec, uses })).status
    expect(result).toMatchObject({ phase, totalCount: total, boundCount: bound, observedGeneration: 2 })
    expect(result.unboundCapabilities?.map((u) => `${u.capabilityRef.name}/${u.nodeId}/${u.reason}`)).toEqual(unbound)
    expect(result.conditions).toEqual([
      expect.objectContaining({ type: 'Resolved', status, reason, lastTransitionTime: now, observedGeneration: 2 }),
    ])
  })

  it('explains an unbound use and a conflict in the entry message', () => {
    const noRule = reconcileBinding(observe({ uses: [use('review', 'b', true)] })).status.unboundCapabilities?.[0]
    expect(noRule).toEqual({
      capabilityRef: { name: 'review', namespace: ns },
      nodeId: 'b',
      reason: 'NoMatchingRule',
      message: 'finance/review in plan finance/billing-v3, node b: no rule matches (optional)',
    })
    const conflict = reconcileBinding(
      observe({ binding: binding([rules.codegen, rules.review, rules.codegenAgain], 'ErrorOnConflict'), uses: [use('code-generation', 'a')] }),
    ).status.unboundCapabilities?.[0]
    expect(conflict?.message).toBe('finance/code-generation in plan finance/billing-v3, node a: rules tie under ErrorOnConflict: spec.rules[0], spec.rules[2]')
  })

  it('lists at most 1000 unbound uses but counts them all', () => {
    const uses = Array.from({ length: UNBOUND_CAPABILITIES_MAX + 5 }, (_, i) => use('review', `n${i}`))
    const result = reconcileBinding(observe({ uses })).status
    expect(result.unboundCapabilities).toHaveLength(UNBOUND_CAPABILITIES_MAX)
    expect(result).toMatchObject({ totalCount: 1005, boundCount: 0, phase: 'Unresolved' })
  })

  it('moves from the initial Unresolved status to Ready, flipping Resolved', () => {
    const initial = initialStatus('Binding', 2, now)
    const result = reconcileBinding(observe({ binding: { ...binding([rules.codegen]), status: initial }, uses: [use('code-generation', 'a')], now: later })).status
    expect(result.phase).toBe('Ready')
    expect(result.conditions).toHaveLength(1)
    expect(result.conditions?.[0]?.lastTransitionTime).toBe(later)
  })

  it.each([
    ['Ready', [use('code-generation', 'a')]],
    ['PartiallyBound', [use('review', 'b', true)]],
    ['Unresolved', [use('review', 'b')]],
  ])('is idempotent when %s', (_name, uses) => {
    const first = reconcileBinding(observe({ uses })).status
    const second = reconcileBinding(observe({ binding: { ...binding([rules.codegen]), status: first }, uses, now: later })).status
    expect(second).toEqual(first)
  })
})
