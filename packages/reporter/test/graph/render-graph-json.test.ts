import { describe, expect, it } from 'vitest'
import { renderGraphJson } from '../../src/graph/render-graph-json.js'
import { awkwardGroups, bigGraph, graphOf, releaseGraph } from '../fixtures/graphs.js'

describe('renderGraphJson', () => {
  it('prints nodes, edges with their source, and groups, pretty with 2 spaces', () => {
    expect(renderGraphJson(releaseGraph, { title: 'release-1' })).toBe(`{
  "title": "release-1",
  "nodes": [
    {
      "id": "schema",
      "kind": "Task",
      "groups": [
        "build"
      ]
    },
    {
      "id": "writer",
      "kind": "Task",
      "groups": [
        "build"
      ]
    },
    {
      "id": "finance-signoff",
      "kind": "Gate",
      "name": "Finance sign-off"
    },
    {
      "id": "warehouse-ready",
      "kind": "External"
    },
    {
      "id": "build",
      "kind": "Group"
    }
  ],
  "edges": [
    {
      "from": "writer",
      "to": "finance-signoff",
      "type": "hard",
      "source": "edge"
    },
    {
      "from": "warehouse-ready",
      "to": "writer",
      "type": "soft",
      "source": "edge"
    },
    {
      "from": "schema",
      "to": "writer",
      "type": "hard",
      "source": "dependsOn"
    }
  ],
  "groups": [
    {
      "id": "build",
      "children": [
        "schema",
        "writer"
      ],
      "mode": "sequence"
    }
  ]
}
`)
  })

  it('prints empty lists for an empty graph and no title key without a title', () => {
    expect(renderGraphJson(graphOf([]))).toBe('{\n  "nodes": [],\n  "edges": [],\n  "groups": []\n}\n')
  })

  it('lists every group of a node, keeps the first of a duplicated id, and invents no missing nodes', () => {
    const graph = graphOf([...awkwardGroups.nodes, { id: 't1', kind: 'Gate' }], awkwardGroups.edges)
    const parsed = JSON.parse(renderGraphJson(graph)) as { nodes: unknown[]; groups: unknown[] }
    expect(parsed.nodes).toEqual([
      { id: 't1', kind: 'Task', groups: ['inner'] },
      { id: 'end-task', kind: 'Task', groups: ['outer', 'inner'] },
      { id: 'ext', kind: 'External' },
      { id: 'm1', kind: 'Milestone' },
      { id: 'outer', kind: 'Group', name: 'Outer' },
      { id: 'inner', kind: 'Group', groups: ['outer', 'inner'] },
      { id: 'loner', kind: 'Group', groups: ['loner'] },
      { id: 'empty', kind: 'Group' },
    ])
    expect(parsed.groups).toEqual([
      { id: 'outer', children: ['inner', 'end-task', 'ghost'], mode: null },
      { id: 'inner', children: ['t1', 'end-task', 'inner'], mode: 'parallel' },
      { id: 'loner', children: ['loner'], mode: null },
      { id: 'empty', children: [], mode: null },
    ])
  })

  it('round-trips hostile and unicode text as data', () => {
    const name = '"]); click x call alert(1) <script> @everyone 日本 🚀 \u0000'
    const parsed = JSON.parse(renderGraphJson(graphOf([{ id: 'a', kind: 'Task', name }]), { title: name })) as {
      title: string
      nodes: { name: string }[]
    }
    expect(parsed.title).toBe(name)
    expect(parsed.nodes[0]!.name).toBe(name)
  })

  it('prints a 200-node graph', () => {
    const parsed = JSON.parse(renderGraphJson(bigGraph())) as { nodes: unknown[]; edges: unknown[]; groups: unknown[] }
    expect([parsed.nodes.length, parsed.edges.length, parsed.groups.length]).toEqual([200, 377, 10])
  })
})
