import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  resolveCapabilityUse,
  selectorShape,
  specificityOf,
  type BindingRuleLike,
  type BindingSelectorLike,
  type CapabilityUse,
  type SelectorShape,
} from '../src/binding-resolution.js'

const plan = { name: 'billing-export-v3', namespace: 'finance', labels: { 'planspec.io/environment': 'prod' } }
const use = (rules: BindingRuleLike[], strategy?: string, overrides: Partial<CapabilityUse> = {}): CapabilityUse => ({
  binding: { spec: strategy === undefined ? { rules } : { strategy, rules } },
  bindingNamespace: 'finance',
  plan,
  nodeId: 'schema',
  capability: { name: 'code-generation', namespace: 'finance' },
  ...overrides,
})
const rule = (selector: BindingSelectorLike, provider: string, priority?: number): BindingRuleLike =>
  priority === undefined ? { selector, target: { provider } } : { priority, selector, target: { provider } }

const byNode: BindingSelectorLike = { planRef: { name: 'billing-export-v3' }, nodeId: 'schema' }
const byPlanCapability: BindingSelectorLike = { planRef: { name: 'billing-export-v3' }, capabilityRef: { name: 'code-generation' } }
const byCapability: BindingSelectorLike = { capabilityRef: { name: 'code-generation' } }
const byPlan: BindingSelectorLike = { planRef: { name: 'billing-export-v3' } }
const byLabels: BindingSelectorLike = { matchLabels: { 'planspec.io/environment': 'prod' } }

describe('selectorShape', () => {
  it.each<[BindingSelectorLike, SelectorShape, number]>([
    [byNode, 'planRef+nodeId', 1],
    [byPlanCapability, 'planRef+capabilityRef', 2],
    [byCapability, 'capabilityRef', 3],
    [byPlan, 'planRef', 4],
    [byLabels, 'matchLabels', 5],
    [{ matchLabels: {} }, 'matchLabels', 5],
  ])('recognises %j as %s with specificity %d', (selector, shape, rank) => {
    expect(selectorShape(selector)).toEqual({ shape })
    expect(specificityOf(shape)).toBe(rank)
  })

  it.each<[string, BindingSelectorLike, string]>([
    ['an empty selector', {}, 'empty'],
    ['nodeId alone', { nodeId: 'schema' }, 'nodeId-without-planRef'],
    ['capabilityRef with nodeId', { capabilityRef: { name: 'c' }, nodeId: 'n' }, 'nodeId-with-capabilityRef'],
    ['all three references', { planRef: { name: 'p' }, capabilityRef: { name: 'c' }, nodeId: 'n' }, 'nodeId-with-capabilityRef'],
    ['matchLabels with planRef', { matchLabels: {}, planRef: { name: 'p' } }, 'matchLabels-with-other-keys'],
    ['matchLabels with capabilityRef', { matchLabels: {}, capabilityRef: { name: 'c' } }, 'matchLabels-with-other-keys'],
    ['matchLabels with nodeId', { matchLabels: {}, nodeId: 'n' }, 'matchLabels-with-other-keys'],
  ])('rejects %s', (_label, selector, why) => {
    const result = selectorShape(selector)
    expect(result).toMatchObject({ shape: 'invalid', why })
    expect('message' in result && result.message.length > 0).toBe(true)
  })
})

describe('resolveCapabilityUse', () => {
  it.each<[string, BindingSelectorLike, SelectorShape]>([
    ['planRef+nodeId', byNode, 'planRef+nodeId'],
    ['planRef+capabilityRef', byPlanCapability, 'planRef+capabilityRef'],
    ['capabilityRef', byCapability, 'capabilityRef'],
    ['planRef', byPlan, 'planRef'],
    ['matchLabels on plan labels', byLabels, 'matchLabels'],
  ])('binds through a %s selector', (_label, selector, shape) => {
    expect(resolveCapabilityUse(use([rule(selector, 'agent://x')]))).toEqual({
      outcome: 'bound',
      ruleIndex: 0,
      target: { provider: 'agent://x' },
      specificity: specificityOf(shape),
      shape,
    })
  })

  it.each<[string, BindingSelectorLike]>([
    ['another node of the plan', { planRef: { name: 'billing-export-v3' }, nodeId: 'other' }],
    ['another plan', { planRef: { name: 'billing-export-v2' } }],
    ['the plan in another namespace', { planRef: { name: 'billing-export-v3', namespace: 'ops' } }],
    ['another capability', { capabilityRef: { name: 'review' } }],
    ['the capability in another namespace', { capabilityRef: { name: 'code-generation', namespace: 'shared' } }],
    ['the right plan but another capability', { planRef: { name: 'billing-export-v3' }, capabilityRef: { name: 'review' } }],
    ['the right capability but another plan', { planRef: { name: 'other' }, capabilityRef: { name: 'code-generation' } }],
    ['the right node of another plan', { planRef: { name: 'other' }, nodeId: 'schema' }],
    ['labels the plan lacks', { matchLabels: { 'planspec.io/environment': 'dev' } }],
    ['an invalid selector', { nodeId: 'schema' }],
  ])('does not bind through a rule for %s', (_label, selector) => {
    expect(resolveCapabilityUse(use([rule(selector, 'agent://x')]))).toEqual({ outcome: 'unbound', reason: 'NoMatchingRule' })
  })

  it('defaults reference namespaces to the Binding namespace, not the plan namespace', () => {
    const crossNamespace = use([rule(byCapability, 'agent://x')], undefined, {
      bindingNamespace: 'shared',
      capability: { name: 'code-generation', namespace: 'shared' },
    })
    expect(resolveCapabilityUse(crossNamespace)).toMatchObject({ outcome: 'bound' })
    const explicit = use([rule({ capabilityRef: { name: 'code-generation', namespace: 'finance' } }, 'agent://x')], undefined, {
      bindingNamespace: 'shared',
    })
    expect(resolveCapabilityUse(explicit)).toMatchObject({ outcome: 'bound' })
    expect(resolveCapabilityUse(use([rule(byCapability, 'agent://x')], undefined, { bindingNamespace: 'shared' }))).toEqual({
      outcome: 'unbound',
      reason: 'NoMatchingRule',
    })
  })

  it('does not match labels when the plan has none', () => {
    const { labels: _labels, ...unlabelled } = plan
    expect(resolveCapabilityUse(use([rule(byLabels, 'agent://x')], undefined, { plan: unlabelled }))).toMatchObject({
      outcome: 'unbound',
    })
  })

  it('prefers the more specific rule at equal priority, whatever the file order', () => {
    const rules = [rule(byLabels, 'l'), rule(byPlan, 'p'), rule(byCapability, 'c'), rule(byPlanCapability, 'pc'), rule(byNode, 'n')]
    expect(resolveCapabilityUse(use(rules))).toMatchObject({ outcome: 'bound', ruleIndex: 4, target: { provider: 'n' } })
  })

  it('prefers higher priority over specificity', () => {
    const rules = [rule(byNode, 'node'), rule(byLabels, 'careful', 10)]
    expect(resolveCapabilityUse(use(rules))).toMatchObject({ outcome: 'bound', ruleIndex: 1, specificity: 5 })
  })

  it('treats a missing or non-finite priority as 0', () => {
    const rules = [rule(byCapability, 'nan', Number.NaN), rule(byNode, 'node', 0)]
    expect(resolveCapabilityUse(use(rules))).toMatchObject({ ruleIndex: 1 })
    const negative = [rule(byCapability, 'zero'), rule(byNode, 'minus', -1)]
    expect(resolveCapabilityUse(use(negative))).toMatchObject({ ruleIndex: 0 })
  })

  it.each([undefined, 'FirstMatch', 'MostSpecific', 'SomethingElse'])(
    'takes the first rule in file order on a tie under strategy %s',
    (strategy) => {
      const rules = [rule(byLabels, 'low', 0), rule(byCapability, 'first', 5), rule({ capabilityRef: { name: 'code-generation', namespace: 'finance' } }, 'second', 5)]
      expect(resolveCapabilityUse(use(rules, strategy))).toEqual({
        outcome: 'bound',
        ruleIndex: 1,
        target: { provider: 'first' },
        specificity: 3,
        shape: 'capabilityRef',
      })
    },
  )

  it('reports a tie at the best priority and specificity as a conflict under ErrorOnConflict', () => {
    const rules = [rule(byCapability, 'a'), rule(byLabels, 'b'), rule(byCapability, 'c'), rule(byCapability, 'd')]
    expect(resolveCapabilityUse(use(rules, 'ErrorOnConflict'))).toEqual({ outcome: 'conflict', reason: 'Conflict', ruleIndexes: [0, 2, 3] })
  })

  it('does not report a conflict under ErrorOnConflict when only lower-ranked rules tie', () => {
    const rules = [rule(byLabels, 'a'), rule(byLabels, 'b'), rule(byNode, 'winner')]
    expect(resolveCapabilityUse(use(rules, 'ErrorOnConflict'))).toMatchObject({ outcome: 'bound', ruleIndex: 2 })
  })

  it('binds the example Binding of RESOURCES 4.6 as documented', () => {
    const rules = [
      rule(byCapability, 'agent://coder'),
      { selector: byNode, target: { provider: 'tool://sql-migrator', config: { dialect: 'postgres' } } },
      rule({ matchLabels: { 'planspec.io/environment': 'prod' } }, 'agent://careful-coder', 10),
    ]
    expect(resolveCapabilityUse(use(rules, 'ErrorOnConflict'))).toMatchObject({ ruleIndex: 2, target: { provider: 'agent://careful-coder' } })
    const dev = { ...plan, labels: { 'planspec.io/environment': 'dev' } }
    expect(resolveCapabilityUse(use(rules, 'ErrorOnConflict', { plan: dev }))).toEqual({
      outcome: 'bound',
      ruleIndex: 1,
      target: { provider: 'tool://sql-migrator', config: { dialect: 'postgres' } },
      specificity: 1,
      shape: 'planRef+nodeId',
    })
  })

  it('picks the same rule whatever the order of rules with distinct keys (property)', () => {
    const selectors = [byNode, byPlanCapability, byCapability, byPlan, byLabels]
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat(4), fc.nat(3)), { minLength: 1, maxLength: 12, selector: ([s, p]) => `${s}:${p}` }),
        (specs) => {
          const rules = specs.map(([s, p]) => rule(selectors[s] as BindingSelectorLike, `${s}:${p}`, p))
          const winner = resolveCapabilityUse(use(rules))
          const reversed = resolveCapabilityUse(use([...rules].reverse()))
          expect(winner.outcome).toBe('bound')
          if (winner.outcome !== 'bound' || reversed.outcome !== 'bound') return
          expect(reversed.target).toEqual(winner.target)
          const maxPriority = Math.max(...specs.map(([, p]) => p))
          expect(winner.target.provider.endsWith(`:${maxPriority}`)).toBe(true)
        },
      ),
    )
  })
})
