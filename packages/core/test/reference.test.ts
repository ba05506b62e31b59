import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_NAMESPACE, namespaceOf, referenceKey, resolveReference, subjectOf } from '../src/reference.js'

describe('namespaceOf', () => {
  it.each<[string, { namespace?: string } | undefined, string | undefined, string]>([
    ['metadata.namespace when set', { namespace: 'finance' }, 'team-a', 'finance'],
    ['the repository default when metadata has none', {}, 'team-a', 'team-a'],
    ['default when neither is set', {}, undefined, 'default'],
    ['default when metadata is absent', undefined, undefined, 'default'],
    ['the repository default when metadata is absent', undefined, 'team-a', 'team-a'],
    ['the repository default when metadata.namespace is empty', { namespace: '' }, 'team-a', 'team-a'],
    ['default when the repository default is empty', {}, '', 'default'],
  ])('returns %s', (_label, meta, repositoryDefault, expected) => {
    expect(namespaceOf(meta, repositoryDefault)).toBe(expected)
  })

  it('exposes the default namespace', () => {
    expect(DEFAULT_NAMESPACE).toBe('default')
  })
})

describe('resolveReference', () => {
  it('keeps an explicit namespace', () => {
    expect(resolveReference({ name: 'g', namespace: 'ops' }, 'finance')).toEqual({ name: 'g', namespace: 'ops' })
  })

  it('defaults an absent or empty namespace to the holder namespace', () => {
    expect(resolveReference({ name: 'g' }, 'finance')).toEqual({ name: 'g', namespace: 'finance' })
    expect(resolveReference({ name: 'g', namespace: '' }, 'finance')).toEqual({ name: 'g', namespace: 'finance' })
  })

  it('does not carry over other reference fields', () => {
    const ref = { name: 'g', uid: 'u-1', kind: 'Goal' }
    expect(resolveReference(ref, 'finance')).toEqual({ name: 'g', namespace: 'finance' })
  })
})

describe('subjectOf', () => {
  it('writes kind/namespace/name with the kind lower-cased', () => {
    expect(subjectOf('Plan', 'finance', 'billing-v3')).toBe('plan/finance/billing-v3')
    expect(subjectOf('Execution', 'default', 'release-1-7f3a')).toBe('execution/default/release-1-7f3a')
  })
})

describe('referenceKey', () => {
  it('reads like a subject for valid names', () => {
    expect(referenceKey('Plan', 'finance', 'billing-v3')).toBe('Plan/finance/billing-v3')
  })

  it('keeps kinds case-sensitive', () => {
    expect(referenceKey('Plan', 'a', 'b')).not.toBe(referenceKey('plan', 'a', 'b'))
  })

  it('never collides, even when parts contain the separator or escapes', () => {
    expect(referenceKey('a/b', 'c', 'd')).not.toBe(referenceKey('a', 'b/c', 'd'))
    expect(referenceKey('a%2F', 'b', 'c')).not.toBe(referenceKey('a/', 'b', 'c'))
    const part = fc.string({ unit: fc.constantFrom('a', '/', '%', '2', 'F', '\uD800') })
    fc.assert(
      fc.property(fc.tuple(part, part, part), fc.tuple(part, part, part), (x, y) => {
        const same = x[0] === y[0] && x[1] === y[1] && x[2] === y[2]
        expect(referenceKey(...x) === referenceKey(...y)).toBe(same)
      }),
    )
  })
})
