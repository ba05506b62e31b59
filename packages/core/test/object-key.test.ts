import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatObjectKey, parseObjectKey, subjectOf } from '../src/object-key.js'

describe('formatObjectKey', () => {
  it('writes kind/namespace/name with the kind lower-cased', () => {
    expect(formatObjectKey({ kind: 'Plan', namespace: 'finance', name: 'billing-v3' })).toBe('plan/finance/billing-v3')
    expect(subjectOf('Execution', 'default', 'release-1-7f3a')).toBe('execution/default/release-1-7f3a')
  })

  it('never collides, even when parts contain the separator or escapes', () => {
    expect(subjectOf('a/b', 'c', 'd')).not.toBe(subjectOf('a', 'b/c', 'd'))
    expect(subjectOf('a%2F', 'b', 'c')).not.toBe(subjectOf('a/', 'b', 'c'))
    const part = fc.string({ unit: fc.constantFrom('a', '/', '%', '2', 'F', '\uD800') })
    fc.assert(
      fc.property(fc.tuple(part, part, part), fc.tuple(part, part, part), (x, y) => {
        const same = x[0] === y[0] && x[1] === y[1] && x[2] === y[2]
        expect(subjectOf(...x) === subjectOf(...y)).toBe(same)
      }),
    )
  })
})

describe('parseObjectKey', () => {
  it('reads a subject back with the kind spelled as documents spell it', () => {
    expect(parseObjectKey('plan/finance/billing-v3')).toEqual({ kind: 'Plan', namespace: 'finance', name: 'billing-v3' })
    expect(parseObjectKey('clusterrolebinding/_cluster/admins')).toEqual({ kind: 'ClusterRoleBinding', namespace: '_cluster', name: 'admins' })
  })

  it('accepts plurals and short names for the kind', () => {
    expect(parseObjectKey('executions/default/r')).toEqual({ kind: 'Execution', namespace: 'default', name: 'r' })
    expect(parseObjectKey('cap/default/c')).toEqual({ kind: 'Capability', namespace: 'default', name: 'c' })
  })

  it('refuses text that is not three non-empty parts of a known kind', () => {
    for (const text of ['plan/billing-v3', 'plan//x', 'plan/a/b/c', '', 'widget/default/w']) expect(parseObjectKey(text)).toBeUndefined()
  })

  it('reverses formatObjectKey for every key of a known kind', () => {
    const part = fc.string({ unit: fc.constantFrom('a', '/', '%', '2', 'F', '-'), minLength: 1 })
    const kind = fc.constantFrom('Goal', 'Plan', 'Capability', 'Binding', 'Gate', 'Execution', 'Role', 'ClusterRole')
    fc.assert(
      fc.property(kind, part, part, (k, namespace, name) => {
        expect(parseObjectKey(formatObjectKey({ kind: k, namespace, name }))).toEqual({ kind: k, namespace, name })
      }),
    )
  })
})
