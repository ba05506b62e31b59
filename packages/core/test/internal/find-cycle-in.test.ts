import { describe, expect, it } from 'vitest'
import { findCycleIn } from '../../src/internal/find-cycle-in.js'

describe('findCycleIn', () => {
  it('returns undefined for an empty graph', () => {
    expect(findCycleIn([], new Map())).toBeUndefined()
  })

  it('walks successors that are missing from the root order', () => {
    const successors = new Map([
      ['a', ['hidden']],
      ['hidden', ['a']],
    ])
    expect(findCycleIn(['a'], successors)).toEqual(['a', 'hidden', 'a'])
  })

  it('does not revisit finished nodes from a later root', () => {
    const successors = new Map([
      ['a', ['b']],
      ['c', ['b']],
    ])
    expect(findCycleIn(['a', 'b', 'c'], successors)).toBeUndefined()
  })

  it('returns only the cycle, not the path that led to it', () => {
    const successors = new Map([
      ['entry', ['x']],
      ['x', ['y']],
      ['y', ['x']],
    ])
    expect(findCycleIn(['entry'], successors)).toEqual(['x', 'y', 'x'])
  })

  it('survives a 100,000-node chain without recursion', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `n${i}`)
    const successors = new Map(ids.map((id, i) => [id, i + 1 < ids.length ? [`n${i + 1}`] : ['n0']]))
    expect(findCycleIn(ids, successors)).toHaveLength(100_001)
  })
})
