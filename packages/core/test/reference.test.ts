import { describe, expect, it } from 'vitest'
import { DEFAULT_NAMESPACE, namespaceOf, resolveReference } from '../src/reference.js'

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
