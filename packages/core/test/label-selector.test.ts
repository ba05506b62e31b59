import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchesLabelSelector, matchesLabels, type LabelSelectorLike } from '../src/label-selector.js'

const labels = { team: 'billing', env: 'prod', 'planspec.io/series': 'billing-export' }

describe('matchesLabelSelector', () => {
  it.each<[string, LabelSelectorLike | undefined, boolean]>([
    ['an absent selector', undefined, true],
    ['an empty selector', {}, true],
    ['empty matchLabels and matchExpressions', { matchLabels: {}, matchExpressions: [] }, true],
    ['a matching pair', { matchLabels: { team: 'billing' } }, true],
    ['all matching pairs', { matchLabels: { team: 'billing', env: 'prod' } }, true],
    ['a pair with another value', { matchLabels: { team: 'payments' } }, false],
    ['a pair whose key is absent', { matchLabels: { owner: 'x' } }, false],
    ['In with the value listed', { matchExpressions: [{ key: 'env', operator: 'In', values: ['staging', 'prod'] }] }, true],
    ['In with the value not listed', { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, false],
    ['In on an absent key', { matchExpressions: [{ key: 'owner', operator: 'In', values: ['x'] }] }, false],
    ['In without values', { matchExpressions: [{ key: 'env', operator: 'In' }] }, false],
    ['NotIn with the value not listed', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, true],
    ['NotIn with the value listed', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    ['NotIn on an absent key', { matchExpressions: [{ key: 'owner', operator: 'NotIn', values: ['x'] }] }, true],
    ['Exists on a present key', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    ['Exists on an absent key', { matchExpressions: [{ key: 'owner', operator: 'Exists' }] }, false],
    ['DoesNotExist on an absent key', { matchExpressions: [{ key: 'owner', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist on a present key', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    ['an unknown operator (fails closed)', { matchExpressions: [{ key: 'team', operator: 'Gt', values: ['1'] }] }, false],
    [
      'matchLabels that hold AND an expression that fails',
      { matchLabels: { team: 'billing' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] },
      false,
    ],
    [
      'matchLabels that fail AND an expression that holds',
      { matchLabels: { team: 'x' }, matchExpressions: [{ key: 'env', operator: 'Exists' }] },
      false,
    ],
    [
      'every expression holding',
      {
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod'] },
          { key: 'owner', operator: 'DoesNotExist' },
        ],
      },
      true,
    ],
  ])('evaluates %s', (_label, selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected)
  })

  it('treats absent labels as no labels', () => {
    expect(matchesLabelSelector({}, undefined)).toBe(true)
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, undefined)).toBe(true)
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }] }, undefined)).toBe(true)
    expect(matchesLabelSelector({ matchLabels: { a: 'x' } }, undefined)).toBe(false)
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'treats %s as an ordinary label key, never reading Object.prototype',
    (key) => {
      const absent = { matchExpressions: [{ key, operator: 'Exists' }] }
      expect(matchesLabelSelector(absent, {})).toBe(false)
      expect(matchesLabelSelector({ matchExpressions: [{ key, operator: 'DoesNotExist' }] }, {})).toBe(true)
      const own = JSON.parse(`{${JSON.stringify(key)}: "yes"}`) as Record<string, string>
      expect(Object.hasOwn(own, key)).toBe(true)
      expect(matchesLabelSelector(absent, own)).toBe(true)
      expect(matchesLabelSelector({ matchExpressions: [{ key, operator: 'In', values: ['yes'] }] }, own)).toBe(true)
      expect(matchesLabelSelector({ matchLabels: own }, own)).toBe(true)
      expect(matchesLabelSelector({ matchLabels: own }, {})).toBe(false)
    },
  )
})

describe('matchesLabels', () => {
  it('matches everything when matchLabels is absent or empty', () => {
    expect(matchesLabels(undefined, undefined)).toBe(true)
    expect(matchesLabels({}, undefined)).toBe(true)
    expect(matchesLabels({}, labels)).toBe(true)
  })

  it('requires every pair with an equal value', () => {
    expect(matchesLabels({ team: 'billing', env: 'prod' }, labels)).toBe(true)
    expect(matchesLabels({ team: 'billing', env: 'dev' }, labels)).toBe(false)
    expect(matchesLabels({ env: '' }, { env: '' })).toBe(true)
    expect(matchesLabels({ env: '' }, {})).toBe(false)
  })

  it('treats undefined values as absent keys on both sides', () => {
    expect(matchesLabels({ env: undefined }, {})).toBe(true)
    expect(matchesLabels({ env: 'prod' }, { env: undefined })).toBe(false)
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, { env: undefined })).toBe(true)
  })

  it('does not see an inherited __proto__ or constructor as a label', () => {
    const selector = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, string>
    expect(matchesLabels(selector, {})).toBe(false)
    expect(matchesLabels(selector, JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, string>)).toBe(true)
  })

  it('holds for every subset of a label map (property)', () => {
    const keyArb = fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', 'planspec.io/team')
    fc.assert(
      fc.property(fc.dictionary(keyArb, fc.string(), { maxKeys: 6 }), fc.func(fc.boolean()), (all, keep) => {
        const subset = Object.fromEntries(Object.entries(all).filter(([key]) => keep(key)))
        expect(matchesLabels(subset, all)).toBe(true)
        expect(matchesLabelSelector({ matchLabels: subset }, all)).toBe(true)
      }),
    )
  })
})
