import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ancestors, findCycle, hardAncestors, hardAncestorTest, isHardAncestor, normalizeGraph, topologicalLayers } from '../src/graph.js'
import type { GraphEdgeLike, GraphNodeLike, NormalizedEdge, NormalizedGraph, PlanGraphLike } from '../src/graph-types.js'
import { findCycleIn } from '../src/internal/find-cycle-in.js'

const task = (id: string, dependsOn?: string[]): GraphNodeLike => (dependsOn ? { id, kind: 'Task', dependsOn } : { id, kind: 'Task' })
const graphOf = (nodes: GraphNodeLike[], edges?: GraphEdgeLike[]): NormalizedGraph =>
  normalizeGraph(edges ? { nodes, edges } : { nodes })
const pairs = (g: NormalizedGraph): string[] => g.edges.map((e) => `${e.from}->${e.to}:${e.type}`)

describe('normalizeGraph', () => {
  it('turns dependsOn into hard edges after the explicit edges, in node then item order', () => {
    const g = graphOf([task('a'), task('b'), task('c', ['a', 'b'])], [{ from: 'a', to: 'b' }])
    expect(g.edges).toEqual([
      { from: 'a', to: 'b', type: 'hard', source: { kind: 'edge', index: 0 } },
      { from: 'a', to: 'c', type: 'hard', source: { kind: 'dependsOn', nodeIndex: 2, itemIndex: 0 } },
      { from: 'b', to: 'c', type: 'hard', source: { kind: 'dependsOn', nodeIndex: 2, itemIndex: 1 } },
    ])
    expect(g.duplicates).toEqual([])
  })

  it('keeps an explicit soft edge and lets it silence the dependsOn item for the same pair', () => {
    const g = graphOf([task('a'), task('b', ['a'])], [{ from: 'a', to: 'b', type: 'soft' }])
    expect(pairs(g)).toEqual(['a->b:soft'])
    expect(g.duplicates).toEqual([])
  })

  it('records a dependsOn item that restates an explicit hard edge as a duplicate', () => {
    const g = graphOf([task('a'), task('b', ['a'])], [{ from: 'a', to: 'b', type: 'hard' }])
    expect(pairs(g)).toEqual(['a->b:hard'])
    expect(g.duplicates).toEqual([{ from: 'a', to: 'b', type: 'hard', source: { kind: 'dependsOn', nodeIndex: 1, itemIndex: 0 } }])
  })

  it('restates dependsOn as a duplicate when both a soft and a hard explicit edge exist', () => {
    const g = graphOf([task('a'), task('b', ['a'])], [
      { from: 'a', to: 'b', type: 'soft' },
      { from: 'a', to: 'b' },
    ])
    expect(pairs(g)).toEqual(['a->b:soft', 'a->b:hard'])
    expect(g.duplicates).toHaveLength(1)
  })

  it('collapses duplicate edges by from, to and effective type', () => {
    const g = graphOf([task('a'), task('b', ['a', 'a'])], [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'b', type: 'hard' },
      { from: 'a', to: 'b', type: 'soft' },
      { from: 'a', to: 'b', type: 'soft' },
    ])
    expect(pairs(g)).toEqual(['a->b:hard', 'a->b:soft'])
    expect(g.duplicates.map((e) => e.source)).toEqual([
      { kind: 'edge', index: 1 },
      { kind: 'edge', index: 3 },
      { kind: 'dependsOn', nodeIndex: 1, itemIndex: 0 },
      { kind: 'dependsOn', nodeIndex: 1, itemIndex: 1 },
    ])
  })

  it('collapses a repeated dependsOn item', () => {
    const g = graphOf([task('a'), task('b', ['a', 'a'])])
    expect(pairs(g)).toEqual(['a->b:hard'])
    expect(g.duplicates).toEqual([{ from: 'a', to: 'b', type: 'hard', source: { kind: 'dependsOn', nodeIndex: 1, itemIndex: 1 } }])
  })

  it('treats an unknown edge type as hard', () => {
    expect(pairs(graphOf([task('a'), task('b')], [{ from: 'a', to: 'b', type: 'weak' }]))).toEqual(['a->b:hard'])
  })

  it('keeps the first node of a duplicated id and ignores the later one and its dependsOn', () => {
    const first = task('a')
    const g = graphOf([first, task('b'), task('a', ['b'])])
    expect(g.nodes.map((n) => n.id)).toEqual(['a', 'b'])
    expect(g.nodeById.get('a')).toBe(first)
    expect(g.edges).toEqual([])
  })

  it('keeps edges to unknown nodes and self-loops for the validator to report', () => {
    const g = graphOf([task('a', ['ghost', 'a'])], [{ from: 'a', to: 'missing' }])
    expect(pairs(g)).toEqual(['a->missing:hard', 'ghost->a:hard', 'a->a:hard'])
  })

  it('tells apart ids that only look alike: "a|b" and "a", ids with separators, ids that are not strings', () => {
    const g = normalizeGraph({
      nodes: [task('a'), task('a|b'), task('b')],
      edges: [
        { from: 'a|b', to: 'b', type: 'hard' },
        { from: 'a', to: 'b|b', type: 'hard' },
        { from: '1', to: 'a', type: 'hard' },
        { from: 1 as unknown as string, to: 'a', type: 'hard' },
        { from: 1 as unknown as string, to: 'a', type: 'hard' },
      ],
    })
    expect(g.edges.map((e) => [e.from, e.to])).toEqual([['a|b', 'b'], ['a', 'b|b'], ['1', 'a'], [1, 'a']])
    expect(g.duplicates.map((e) => [e.from, e.to])).toEqual([[1, 'a']])
  })

  it('accepts a graph without edges', () => {
    expect(normalizeGraph({ nodes: [task('a')] }).edges).toEqual([])
  })

  it('gives what string keys per edge give: the same edges, duplicates and order (property)', () => {
    fc.assert(
      fc.property(randomGraph(), ({ nodes, edges }) => {
        expect(normalizeGraph({ nodes, edges })).toEqual(normalizeWithStringKeys({ nodes, edges }))
      }),
    )
  })

  it('tells ids that are not strings apart by their JSON, never equal to a string id', () => {
    const odd = (from: unknown): GraphEdgeLike => ({ from: from as string, to: 'a' })
    const graph = { nodes: [task('a')], edges: [odd(5), odd(5), odd('5'), odd(null), odd(undefined), odd({ x: 1 }), odd({ x: 1 })] }
    const g = normalizeGraph(graph)
    expect(g.edges.map((e) => e.from)).toEqual([5, '5', null, { x: 1 }])
    expect(g.duplicates.map((e) => e.source)).toEqual([{ kind: 'edge', index: 1 }, { kind: 'edge', index: 4 }, { kind: 'edge', index: 6 }])
    expect(g).toEqual(normalizeWithStringKeys(graph))
  })

  it('is idempotent on its own edge list (property)', () => {
    fc.assert(
      fc.property(randomGraph(), ({ nodes, edges }) => {
        const once = normalizeGraph({ nodes, edges })
        const twice = normalizeGraph({ nodes: once.nodes.map((n) => ({ id: n.id, kind: n.kind })), edges: once.edges })
        expect(pairs(twice)).toEqual(pairs(once))
        expect(twice.duplicates).toEqual([])
      }),
    )
  })
})

describe('findCycle', () => {
  it('returns undefined for an acyclic graph', () => {
    expect(findCycle(graphOf([task('a'), task('b', ['a']), task('c', ['a', 'b'])]))).toBeUndefined()
  })

  it('returns a cycle formed through dependsOn as a closed path', () => {
    const g = graphOf([task('a', ['c']), task('b', ['a']), task('c', ['b'])])
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a'])
  })

  it('reports a self-loop', () => {
    expect(findCycle(graphOf([task('a'), task('b', ['b'])]))).toEqual(['b', 'b'])
  })

  it('counts soft edges', () => {
    const g = graphOf([task('a', ['b']), task('b')], [{ from: 'a', to: 'b', type: 'soft' }])
    expect(findCycle(g)).toEqual(['a', 'b', 'a'])
  })

  it('narrows to the edges the filter keeps', () => {
    const g = graphOf([task('a', ['b']), task('b')], [{ from: 'a', to: 'b', type: 'soft' }])
    expect(findCycle(g, (e) => e.type === 'hard')).toBeUndefined()
  })

  it('ignores edges to unknown nodes', () => {
    const g = graphOf([task('a', ['ghost'])], [{ from: 'a', to: 'ghost' }])
    expect(findCycle(g)).toBeUndefined()
  })

  it('is deterministic: the first cycle in node order', () => {
    const g = graphOf([task('x'), task('p', ['q']), task('q', ['p']), task('a', ['b']), task('b', ['a'])])
    expect(findCycle(g)).toEqual(['p', 'q', 'p'])
  })

  it('finds a cycle at the end of a long tail', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => task(`n${i}`, i === 0 ? ['n999'] : [`n${i - 1}`]))
    const cycle = findCycle(graphOf(nodes))
    expect(cycle).toHaveLength(1001)
    expect(cycle?.[0]).toBe(cycle?.at(-1))
  })

  it('returns the first cycle of a depth-first search over the kept edges, with or without a filter (property)', () => {
    fc.assert(
      fc.property(randomGraph(), fc.boolean(), ({ nodes, edges }, hardOnly) => {
        const g = normalizeGraph({ nodes, edges })
        const keep = hardOnly ? (e: NormalizedEdge) => e.type === 'hard' : () => true
        const successors = new Map<string, string[]>()
        for (const e of g.edges) if (g.nodeById.has(e.from) && g.nodeById.has(e.to) && keep(e)) successors.set(e.from, [...(successors.get(e.from) ?? []), e.to])
        expect(findCycle(g, hardOnly ? keep : undefined)).toEqual(findCycleIn(g.nodes.map((n) => n.id), successors))
      }),
    )
  })

  it('returns a real cycle whenever it returns one, and one whenever layering fails (property)', () => {
    fc.assert(
      fc.property(randomGraph(), ({ nodes, edges }) => {
        const g = normalizeGraph({ nodes, edges })
        const cycle = findCycle(g)
        const layers = topologicalLayers(g)
        expect(cycle === undefined).toBe(Array.isArray(layers))
        if (cycle === undefined) return
        expect(cycle[0]).toBe(cycle.at(-1))
        const edgeSet = new Set(g.edges.map((e) => `${e.from}->${e.to}`))
        for (let i = 0; i + 1 < cycle.length; i += 1) expect(edgeSet.has(`${cycle[i]}->${cycle[i + 1]}`)).toBe(true)
        expect(new Set(cycle.slice(1)).size).toBe(cycle.length - 1)
      }),
    )
  })
})

describe('topologicalLayers', () => {
  it('layers nodes by longest distance from a root, keeping file order within a layer', () => {
    const g = graphOf([task('d', ['b', 'c']), task('c', ['a']), task('b', ['a']), task('a'), task('e')])
    expect(topologicalLayers(g)).toEqual([['a', 'e'], ['c', 'b'], ['d']])
  })

  it('orders by soft edges too', () => {
    const g = graphOf([task('b'), task('a')], [{ from: 'a', to: 'b', type: 'soft' }])
    expect(topologicalLayers(g)).toEqual([['a'], ['b']])
  })

  it('leaves Group nodes and their edges out', () => {
    const g = graphOf([{ id: 'g', kind: 'Group', children: ['a', 'b'] }, task('a'), task('b', ['g'])], [{ from: 'a', to: 'b' }])
    expect(topologicalLayers(g)).toEqual([['a'], ['b']])
  })

  it('ignores edges to unknown nodes', () => {
    expect(topologicalLayers(graphOf([task('a', ['ghost'])]))).toEqual([['a']])
  })

  it('returns the cycle instead of layers', () => {
    const g = graphOf([task('root'), task('a', ['root', 'b']), task('b', ['a'])])
    expect(topologicalLayers(g)).toEqual({ cycle: ['a', 'b', 'a'] })
  })

  it('reports a self-loop as a cycle', () => {
    expect(topologicalLayers(graphOf([task('a', ['a'])]))).toEqual({ cycle: ['a', 'a'] })
  })

  it('places every node after all of its predecessors (property)', () => {
    fc.assert(
      fc.property(randomDag(), ({ nodes, edges }) => {
        const g = normalizeGraph({ nodes, edges })
        const layers = topologicalLayers(g)
        if (!Array.isArray(layers)) throw new Error('a DAG must layer')
        const layerOf = new Map(layers.flatMap((layer, i) => layer.map((id) => [id, i] as const)))
        expect(layerOf.size).toBe(nodes.length)
        for (const e of g.edges) expect(layerOf.get(e.from)!).toBeLessThan(layerOf.get(e.to)!)
      }),
    )
  })

  it('handles 1000 nodes and 10,000 edges quickly', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => task(`n${i}`))
    const edges: GraphEdgeLike[] = []
    for (let k = 0; edges.length < 10_000; k += 1) {
      const from = (k * 7919) % 999
      const to = from + 1 + ((k * 104_729) % (999 - from))
      edges.push({ from: `n${from}`, to: `n${to}`, type: k % 3 === 0 ? 'soft' : 'hard' })
    }
    const started = performance.now()
    const g = normalizeGraph({ nodes, edges })
    const layers = topologicalLayers(g)
    expect(findCycle(g)).toBeUndefined()
    for (const node of nodes.slice(0, 50)) hardAncestors(g, node.id)
    expect(ancestors(g, 'n999').size).toBeGreaterThan(0)
    expect(Array.isArray(layers)).toBe(true)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('layers a 1000-node chain without deep recursion', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => task(`n${i}`, i === 0 ? [] : [`n${i - 1}`]))
    const layers = topologicalLayers(graphOf(nodes))
    expect(Array.isArray(layers) && layers.length).toBe(1000)
    expect(hardAncestors(graphOf(nodes), 'n999').size).toBe(999)
  })
})

describe('hardAncestors and ancestors', () => {
  const g = graphOf(
    [task('a'), task('b', ['a']), task('c'), task('d', ['b']), task('e', ['ghost'])],
    [{ from: 'c', to: 'd', type: 'soft' }],
  )

  it('follows hard edges only for hardAncestors', () => {
    expect([...hardAncestors(g, 'd')]).toEqual(['b', 'a'])
  })

  it('follows every edge for ancestors', () => {
    expect([...ancestors(g, 'd')].sort()).toEqual(['a', 'b', 'c'])
  })

  it('returns no ancestors for a root, an unknown node, or through an unknown predecessor', () => {
    expect(hardAncestors(g, 'a').size).toBe(0)
    expect(ancestors(g, 'nope').size).toBe(0)
    expect(ancestors(g, 'e').size).toBe(0)
  })

  it('includes the node itself only when it sits on a cycle', () => {
    const cyclic = graphOf([task('a', ['b']), task('b', ['a'])])
    expect([...hardAncestors(cyclic, 'a')].sort()).toEqual(['a', 'b'])
  })

  it('answers repeated questions on one graph identically, with fresh sets', () => {
    const chain = graphOf([task('a'), task('b', ['a']), task('c', ['b'])], [{ from: 'a', to: 'c', type: 'soft' }])
    const first = hardAncestors(chain, 'c')
    first.clear()
    expect([...hardAncestors(chain, 'c')]).toEqual(['b', 'a'])
    expect([...ancestors(chain, 'c')]).toEqual(['a', 'b'])
    expect([...ancestors(chain, 'b')]).toEqual(['a'])
    const other = graphOf([task('a'), task('c', ['a'])])
    expect([...hardAncestors(other, 'c')]).toEqual(['a'])
  })

  it('answers isHardAncestor and hardAncestorTest exactly as hardAncestors, for every pair of random graphs', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'ghost']
    const edge = fc.record({ from: fc.constantFrom(...ids), to: fc.constantFrom(...ids), type: fc.constantFrom('hard' as const, 'soft' as const) })
    fc.assert(
      fc.property(fc.array(edge, { maxLength: 12 }), (edges) => {
        const graph = graphOf(ids.slice(0, 5).map((id) => task(id)), edges)
        // A graph of its own, so that the test reads nothing the others memoised.
        const isAncestor = hardAncestorTest(graphOf(ids.slice(0, 5).map((id) => task(id)), edges))
        for (const node of ids) {
          for (const candidate of ids) {
            const expected = hardAncestors(graph, node).has(candidate)
            expect(isHardAncestor(graph, node, candidate)).toBe(expected)
            expect(isAncestor(node, candidate)).toBe(expected)
          }
        }
      }),
      { seed: 15, numRuns: 300 },
    )
  })

  it('visits each ancestor once in a diamond', () => {
    const diamond = graphOf([task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b', 'c'])])
    expect([...hardAncestors(diamond, 'd')]).toEqual(['b', 'c', 'a'])
  })
})

/** Random graphs over a small id alphabet, with dependsOn, explicit edges and unknown ids. */
/** normalizeGraph as it was written with one string key per edge: the reference of the property above. */
function normalizeWithStringKeys(graph: PlanGraphLike): NormalizedGraph {
  const key = (from: unknown, to: unknown, type: string): string => (typeof from === 'string' && typeof to === 'string' ? `${from.length}:${from}|${to}|${type}` : JSON.stringify([from, to, type]))
  const nodes: GraphNodeLike[] = []
  const nodeById = new Map<string, GraphNodeLike>()
  const edges: NormalizedEdge[] = []
  const duplicates: NormalizedEdge[] = []
  const seen = new Set<string>()
  const explicit = new Set<string>()
  const add = (edge: NormalizedEdge): void => {
    const k = key(edge.from, edge.to, edge.type)
    if (seen.has(k)) return void duplicates.push(edge)
    seen.add(k)
    edges.push(edge)
  }
  ;(graph.edges ?? []).forEach((edge, index) => {
    explicit.add(key(edge.from, edge.to, ''))
    add({ from: edge.from, to: edge.to, type: edge.type === 'soft' ? 'soft' : 'hard', source: { kind: 'edge', index } })
  })
  graph.nodes.forEach((node, nodeIndex) => {
    if (nodeById.has(node.id)) return
    nodeById.set(node.id, node)
    nodes.push(node)
    ;(node.dependsOn ?? []).forEach((from, itemIndex) => {
      if (!(explicit.has(key(from, node.id, '')) && !seen.has(key(from, node.id, 'hard')))) add({ from, to: node.id, type: 'hard', source: { kind: 'dependsOn', nodeIndex, itemIndex } })
    })
  })
  return { nodes, nodeById, edges, duplicates }
}

function randomGraph() {
  const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'x')
  return fc.record({
    nodes: fc.uniqueArray(id, { minLength: 1, maxLength: 5 }).chain((ids) =>
      fc.tuple(...ids.map((i) => fc.array(id, { maxLength: 3 }).map((dependsOn): GraphNodeLike => ({ id: i, kind: 'Task', dependsOn })))),
    ),
    edges: fc.array(fc.record({ from: id, to: id, type: fc.constantFrom('hard', 'soft') }), { maxLength: 8 }),
  })
}

/** Random DAGs: edges only from a lower to a higher index. */
function randomDag() {
  return fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      nodes: fc.constant(Array.from({ length: n }, (_, i) => task(`n${i}`))),
      edges: fc
        .array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.boolean()), { maxLength: 30 })
        .map((list) =>
          list
            .filter(([a, b]) => a !== b)
            .map(([a, b, soft]) => ({ from: `n${Math.min(a, b)}`, to: `n${Math.max(a, b)}`, type: soft ? 'soft' : 'hard' })),
        ),
    }),
  )
}
