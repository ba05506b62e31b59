import { describe, expect, it } from 'vitest'
import { kindFacts, kindNames, resolveKind } from '../src/kinds.js'
import { KIND_TABLE, STATUS_KINDS } from '../src/model/kind-table.js'

describe('resolveKind', () => {
  it('resolves any case, singular, plural and short names', () => {
    expect(resolveKind('EXECUTIONS')).toBe('Execution')
    expect(resolveKind('ex')).toBe('Execution')
    expect(resolveKind('caps')).toBe('Capability')
    expect(resolveKind('clusterrolebinding')).toBe('ClusterRoleBinding')
    expect(resolveKind('widget')).toBeUndefined()
    expect(resolveKind('constructor')).toBeUndefined()
  })
})

describe('kindFacts', () => {
  it('returns the facts of a kind spelled as in documents, and nothing for others', () => {
    expect(kindFacts('Plan')).toEqual({ plural: 'plans', namespaced: true, hasStatus: true, shortNames: ['pl'] })
    expect(kindFacts('plan')).toBeUndefined()
    expect(kindFacts('toString')).toBeUndefined()
  })
})

describe('kindNames', () => {
  it('lists kinds in dependency order, filtered', () => {
    expect(kindNames((facts) => facts.hasStatus)).toEqual(['Goal', 'Plan', 'Capability', 'Binding', 'Gate', 'Execution'])
    expect(kindNames((facts) => facts.hasStatus)).toEqual([...STATUS_KINDS])
    expect(kindNames()).toHaveLength(Object.keys(KIND_TABLE).length)
  })
})
