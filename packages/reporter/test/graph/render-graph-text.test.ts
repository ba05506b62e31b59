import { describe, expect, it } from 'vitest'
import { renderGraphText } from '../../src/graph/render-graph-text.js'
import { awkwardGroups, bigGraph, dependsOn, edge, graphOf, releaseGraph } from '../fixtures/graphs.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`

describe('renderGraphText', () => {
  it('lists nodes by topological layer with aligned columns, gates marked, groups last', () => {
    expect(renderGraphText(releaseGraph, { title: 'plan/release-1' })).toBe(
      lines(
        'plan/release-1',
        '4 nodes · 1 group · 3 edges (1 soft) · 3 layers',
        '',
        'layer 1',
        '    task      schema',
        '    external  warehouse-ready',
        '',
        'layer 2',
        '    task      writer           ← schema (soft: warehouse-ready)',
        '',
        'layer 3',
        '  ◆ gate      finance-signoff  ← writer',
        '',
        'groups',
        '  [group build: schema, writer (sequence)]',
      ),
    )
  })

  it('prints only the counts for an empty graph', () => {
    expect(renderGraphText(graphOf([]))).toBe('0 nodes · 0 edges · 0 layers\n')
  })

  it('lists nodes on a cycle apart, and shows a node that has only soft edges in', () => {
    const graph = graphOf(
      [
        { id: 'a', kind: 'Task' },
        { id: 'b', kind: 'Task' },
        { id: 'c', kind: 'Task' },
        { id: 'd', kind: 'Task' },
      ],
      [edge('a', 'b', 'soft', 0), edge('c', 'b', 'soft', 1), edge('b', 'c', 'hard', 2), dependsOn('c', 'd', 3)],
    )
    expect(renderGraphText(graph)).toBe(
      lines(
        '4 nodes · 4 edges (2 soft) · 1 layer · 3 on a cycle',
        '',
        'layer 1',
        '    task  a',
        '',
        'cycle (not layered)',
        '    task  b  ← (soft: a, c)',
        '    task  c  ← b',
        '    task  d  ← c',
      ),
    )
  })

  it('marks missing ids and unknown kinds, lists every group with its children as written', () => {
    expect(renderGraphText(awkwardGroups)).toBe(
      lines(
        '6 nodes · 4 groups · 3 edges (1 soft) · 2 layers',
        '',
        'layer 1',
        '    task       t1',
        '    external   ext',
        '    missing    nowhere',
        '    missing    ghost',
        '',
        'layer 2',
        '    task       end-task  ← t1',
        '    milestone  m1        ← (soft: nowhere)',
        '',
        'groups',
        '  [group outer: inner, end-task, ghost]',
        '  [group inner: t1, end-task, inner (parallel)]',
        '  [group loner: loner]',
        '  [group empty: (no children)]',
      ),
    )
  })

  it('makes control characters visible and aligns wide ids by terminal cells', () => {
    const graph = graphOf(
      [
        { id: '日本', kind: 'Task' },
        { id: 'x\u001b[31m', kind: 'Ta\u0007sk' },
        { id: 'g\u202e', kind: 'Group', mode: 'seq\u0000', children: ['日本', 'x\u001b[31m'] },
      ],
      [edge('x\u001b[31m', '日本')],
    )
    expect(renderGraphText(graph, { title: 'evil\u001b]0;title\u0007' })).toBe(
      lines(
        'evil␛]0;title␇',
        '2 nodes · 1 group · 1 edge · 2 layers',
        '',
        'layer 1',
        '    ta␇sk  x␛[31m',
        '',
        'layer 2',
        '    task   日本    ← x␛[31m',
        '',
        'groups',
        '  [group g�: 日本, x␛[31m (seq␀)]',
      ),
    )
  })

  it('lays out a 200-node graph in one layer per task', () => {
    const out = renderGraphText(bigGraph())
    expect(out.startsWith('190 nodes · 10 groups · 377 edges (188 soft) · 190 layers\n')).toBe(true)
    expect(out).toContain('\nlayer 190\n    task  t189  ← t188 (soft: t187)\n')
    expect(out.endsWith('  [group g9: t171, t172, t173, t174, t175, t176, t177, t178, t179, t180, t181, t182, t183, t184, t185, t186, t187, t188, t189 (sequence)]\n')).toBe(true)
  })
})
