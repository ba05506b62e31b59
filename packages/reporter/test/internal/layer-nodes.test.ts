import { describe, expect, it } from 'vitest'
import { layerNodes } from '../../src/internal/layer-nodes.js'

describe('layerNodes', () => {
  it('puts each node one layer below its deepest predecessor, keeping input order within a layer', () => {
    const edges = [
      { from: 'a', to: 'c' },
      { from: 'b', to: 'c' },
      { from: 'a', to: 'd' },
      { from: 'c', to: 'd' },
    ]
    expect(layerNodes(['d', 'c', 'b', 'a', 'e'], edges)).toEqual({ layers: [['b', 'a', 'e'], ['c'], ['d']], cyclic: [] })
  })

  it('ignores edges that touch ids it was not given', () => {
    expect(layerNodes(['a', 'b'], [{ from: 'x', to: 'a' }, { from: 'a', to: 'y' }, { from: 'a', to: 'b' }])).toEqual({
      layers: [['a'], ['b']],
      cyclic: [],
    })
  })

  it('returns the nodes on and behind a cycle, including a self-loop', () => {
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'b' },
      { from: 'c', to: 'd' },
      { from: 's', to: 's' },
    ]
    expect(layerNodes(['a', 'b', 'c', 'd', 's'], edges)).toEqual({ layers: [['a']], cyclic: ['b', 'c', 'd', 's'] })
  })

  it('counts a hard and a soft edge between the same nodes once each', () => {
    expect(layerNodes(['a', 'b'], [{ from: 'a', to: 'b' }, { from: 'a', to: 'b' }])).toEqual({ layers: [['a'], ['b']], cyclic: [] })
  })
})
