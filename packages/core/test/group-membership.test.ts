import { describe, expect, it } from 'vitest'
import { normalizeGraph } from '../src/graph.js'
import { findGroupCycle, groupMembership } from '../src/group-membership.js'
import type { GraphNodeLike } from '../src/graph-types.js'

const task = (id: string): GraphNodeLike => ({ id, kind: 'Task' })
const group = (id: string, children: string[]): GraphNodeLike => ({ id, kind: 'Group', children })

describe('groupMembership', () => {
  it('maps each child to the groups that list it, in file order', () => {
    const g = normalizeGraph({ nodes: [task('a'), task('b'), group('g1', ['a']), group('g2', ['a', 'b', 'g1'])] })
    expect(groupMembership(g)).toEqual(
      new Map([
        ['a', ['g1', 'g2']],
        ['b', ['g2']],
        ['g1', ['g2']],
      ]),
    )
  })

  it('lists a group once even when it repeats a child', () => {
    const g = normalizeGraph({ nodes: [task('a'), group('g', ['a', 'a'])] })
    expect(groupMembership(g).get('a')).toEqual(['g'])
  })

  it('keeps children that name no node and leaves ungrouped nodes out', () => {
    const g = normalizeGraph({ nodes: [task('a'), task('lonely'), group('g', ['a', 'ghost'])] })
    const membership = groupMembership(g)
    expect(membership.get('ghost')).toEqual(['g'])
    expect(membership.has('lonely')).toBe(false)
  })

  it('ignores children written on non-Group nodes and groups without children', () => {
    const g = normalizeGraph({ nodes: [{ id: 'a', kind: 'Task', children: ['b'] }, task('b'), { id: 'g', kind: 'Group' }] })
    expect(groupMembership(g).size).toBe(0)
  })
})

describe('findGroupCycle', () => {
  it('returns undefined when nesting is acyclic', () => {
    const g = normalizeGraph({ nodes: [task('a'), group('inner', ['a']), group('outer', ['inner', 'a'])] })
    expect(findGroupCycle(g)).toBeUndefined()
  })

  it('reports a group that lists itself', () => {
    const g = normalizeGraph({ nodes: [task('a'), group('g', ['a', 'g'])] })
    expect(findGroupCycle(g)).toEqual(['g', 'g'])
  })

  it('reports a group that lists an ancestor group as the containment path', () => {
    const g = normalizeGraph({
      nodes: [group('outer', ['middle']), group('middle', ['inner']), group('inner', ['outer']), task('a')],
    })
    expect(findGroupCycle(g)).toEqual(['outer', 'middle', 'inner', 'outer'])
  })

  it('ignores task children and unknown children', () => {
    const g = normalizeGraph({ nodes: [task('a'), group('g', ['a', 'ghost']), { id: 'h', kind: 'Group' }] })
    expect(findGroupCycle(g)).toBeUndefined()
  })

  it('ignores dependency edges between groups', () => {
    const g = normalizeGraph({ nodes: [{ id: 'g1', kind: 'Group', children: ['g2'] }, { id: 'g2', kind: 'Group', children: ['t'], dependsOn: ['g1'] }, task('t')] })
    expect(findGroupCycle(g)).toBeUndefined()
  })
})
