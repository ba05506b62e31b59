import { describe, expect, it } from 'vitest'
import { criticalPath, normalizeGraph, type GraphNodeLike, type PlanGraphLike } from '../src/index.js'

const task = (id: string, dependsOn?: string[]): GraphNodeLike => ({ id, kind: 'Task', ...(dependsOn ? { dependsOn } : {}) })
const path = (graph: PlanGraphLike, durations: Record<string, number>) => criticalPath(normalizeGraph(graph), (id) => durations[id] ?? 0)

describe('criticalPath', () => {
  it('follows the hard predecessor that ends last back from the node that ends last', () => {
    const result = path({ nodes: [task('a'), task('b'), task('c', ['a', 'b']), task('d', ['c'])] }, { a: 2, b: 5, c: 1, d: 3 })
    expect(result.nodes).toEqual(['b', 'c', 'd'])
    expect(result.durationMs).toBe(9)
    expect(Object.fromEntries(result.start)).toEqual({ a: 0, b: 0, c: 5, d: 6 })
  })

  it('ignores soft edges and edges to nodes that do not exist', () => {
    const result = path({ nodes: [task('a'), task('b', ['ghost'])], edges: [{ from: 'a', to: 'b', type: 'soft' }] }, { a: 10, b: 3 })
    expect(result.nodes).toEqual(['a'])
    expect(result.start.get('b')).toBe(0)
  })

  it('keeps the first predecessor in edge order on a tie, and treats negative durations as zero', () => {
    const result = path({ nodes: [task('a'), task('b'), task('c', ['a', 'b']), task('d')] }, { a: 4, b: 4, c: 1, d: -7 })
    expect(result.nodes).toEqual(['a', 'c'])
    expect(result.end.get('d')).toBe(0)
  })

  it('has no path for an empty or a cyclic graph', () => {
    expect(path({ nodes: [] }, {})).toMatchObject({ nodes: [], durationMs: 0 })
    expect(path({ nodes: [task('a', ['b']), task('b', ['a'])] }, { a: 1, b: 1 })).toMatchObject({ nodes: [], durationMs: 0 })
  })
})
