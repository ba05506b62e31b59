import { describe, expect, it } from 'vitest'
import { indexGraph, otherGroupsOf } from '../../src/internal/index-graph.js'
import { edge, graphOf } from '../fixtures/graphs.js'

describe('indexGraph', () => {
  it('counts a child listed twice by one group once', () => {
    const index = indexGraph(graphOf([{ id: 'x', kind: 'Task' }, { id: 'g', kind: 'Group', children: ['x', 'x'] }]))
    expect(index.memberships.get('x')).toEqual(['g'])
    expect(index.placed.get('g')).toEqual(['x'])
    expect(otherGroupsOf(index, 'x')).toEqual([])
  })

  it('never nests a group inside itself through a longer loop', () => {
    const index = indexGraph(
      graphOf([
        { id: 'a', kind: 'Group', children: ['b'] },
        { id: 'b', kind: 'Group', children: ['c'] },
        { id: 'c', kind: 'Group', children: ['a'] },
      ]),
    )
    expect([...index.parentOf]).toEqual([['b', 'a'], ['c', 'b']])
    expect(index.roots).toEqual(['a'])
    expect(otherGroupsOf(index, 'a')).toEqual(['c'])
  })

  it('keeps the first of a duplicated id and adds missing ids in order of first mention', () => {
    const index = indexGraph(
      graphOf(
        [{ id: 'a', kind: 'Task' }, { id: 'a', kind: 'Gate' }, { id: 'g', kind: 'Group', children: ['z', 'a'] }],
        [edge('y', 'a'), edge('a', 'z')],
      ),
    )
    expect(index.nodes.map((n) => [n.id, n.shape])).toEqual([['a', 'task'], ['g', 'group'], ['y', 'missing'], ['z', 'missing']])
  })

  it('draws kinds it does not know, including names of Object.prototype members, as other', () => {
    const index = indexGraph(graphOf([{ id: 'a', kind: 'constructor' }, { id: 'b', kind: '__proto__' }, { id: 'c', kind: 'task' }]))
    expect(index.nodes.map((n) => n.shape)).toEqual(['other', 'other', 'other'])
  })
})
