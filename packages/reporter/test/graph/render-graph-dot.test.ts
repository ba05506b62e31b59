import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { renderGraphDot } from '../../src/graph/render-graph-dot.js'
import { awkwardGroups, bigGraph, dependsOn, edge, graphOf, releaseGraph } from '../fixtures/graphs.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`
const HEAD = ['digraph plan {', '  rankdir=TB;', '  compound=true;', '  fontname="Helvetica";']
const DEFAULTS = ['  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", color="#5f6368"];']
const TASK = 'shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#1a73e8"'
const GATE = 'shape=diamond, style=filled, fillcolor="#fef7e0", color="#e37400"'
const EXTERNAL = 'shape=component, style=filled, fillcolor="#f1f3f4", color="#5f6368"'
const OTHER = 'shape=ellipse, style=filled, fillcolor="#ffffff", color="#5f6368"'
const MISSING = 'shape=ellipse, style="dashed,filled", fillcolor="#fce8e6", color="#d93025"'
const cluster = (indent: string, id: string, label: string): string[] => [
  `${indent}subgraph "cluster_${id}" {`,
  `${indent}  label="${label}";`,
  `${indent}  style="rounded,dashed";`,
  `${indent}  color="#9aa0a6";`,
  `${indent}  "${id}" [shape=point, style=invis, width=0, height=0, label=""];`,
]

describe('renderGraphDot', () => {
  it('draws tasks as boxes, gates as diamonds, externals as components and groups as clusters', () => {
    expect(renderGraphDot(releaseGraph, { title: 'release-1' })).toBe(
      lines(
        ...HEAD,
        '  label="release-1";',
        '  labelloc=t;',
        ...DEFAULTS,
        `  "finance-signoff" [label="Finance sign-off", ${GATE}];`,
        `  "warehouse-ready" [label="warehouse-ready", ${EXTERNAL}];`,
        ...cluster('  ', 'build', 'build (sequence)'),
        `    "schema" [label="schema", ${TASK}];`,
        `    "writer" [label="writer", ${TASK}];`,
        '  }',
        '  "writer" -> "finance-signoff";',
        '  "warehouse-ready" -> "writer" [style=dashed];',
        '  "schema" -> "writer";',
        '}',
      ),
    )
  })

  it('draws an empty digraph for an empty graph', () => {
    expect(renderGraphDot(graphOf([]))).toBe(lines(...HEAD, ...DEFAULTS, '}'))
  })

  it('nests clusters, ends edges that touch a group at its border, and marks missing ids', () => {
    expect(renderGraphDot(awkwardGroups)).toBe(
      lines(
        ...HEAD,
        ...DEFAULTS,
        `  "ext" [label="ext", ${EXTERNAL}];`,
        `  "m1" [label="m1", ${OTHER}];`,
        ...cluster('  ', 'outer', 'Outer'),
        '    // "inner" is also listed in "inner"; drawn here only',
        ...cluster('    ', 'inner', 'inner (parallel)'),
        `      "t1" [label="t1", ${TASK}];`,
        '    }',
        '    // "end-task" is also listed in "inner"; drawn here only',
        `    "end-task" [label="end-task", ${TASK}];`,
        `    "ghost" [label="ghost (missing)", ${MISSING}];`,
        '  }',
        '  // "loner" is also listed in "loner"; drawn here only',
        ...cluster('  ', 'loner', 'loner'),
        '  }',
        ...cluster('  ', 'empty', 'empty'),
        '  }',
        `  "nowhere" [label="nowhere (missing)", ${MISSING}];`,
        '  "ext" -> "outer" [lhead="cluster_outer"];',
        '  "nowhere" -> "m1" [style=dashed];',
        '  "t1" -> "end-task";',
        '}',
      ),
    )
  })

  it('clips an edge at a group border only when the other end is outside that group, and keeps a group cycle finite', () => {
    const graph = graphOf(
      [
        { id: 'g1', kind: 'Group', children: ['g2'] },
        { id: 'g2', kind: 'Group', children: ['g1', 'x'] },
        { id: 'x', kind: 'Task' },
        { id: 'y', kind: 'Task' },
      ],
      [edge('g1', 'x', 'soft', 0), dependsOn('g2', 'g1', 0), edge('y', 'g2', 'hard', 1), edge('g2', 'y', 'soft', 2), edge('g1', 'g1', 'hard', 3)],
    )
    expect(renderGraphDot(graph)).toBe(
      lines(
        ...HEAD,
        ...DEFAULTS,
        '  // "g1" is also listed in "g2"; drawn here only',
        ...cluster('  ', 'g1', 'g1'),
        ...cluster('    ', 'g2', 'g2'),
        `      "x" [label="x", ${TASK}];`,
        '    }',
        '  }',
        `  "y" [label="y", ${TASK}];`,
        '  "g1" -> "x" [style=dashed];',
        '  "g2" -> "g1" [ltail="cluster_g2"];',
        '  "y" -> "g2" [lhead="cluster_g2"];',
        '  "g2" -> "y" [style=dashed, ltail="cluster_g2"];',
        '  "g1" -> "g1";',
        '}',
      ),
    )
  })

  it('quotes and escapes every id and label so no text can end a statement', () => {
    const graph = graphOf(
      [
        { id: 'a"b', kind: 'Task', name: '"]; x -> y [label="pwn' },
        { id: 'c\\', kind: 'Gate', name: '<b>html</b>\\N\\l & 日本\r\nnext' },
        { id: 'grp"', kind: 'Group', name: '@everyone', children: ['a"b'] },
      ],
      [edge('a"b', 'c\\')],
    )
    expect(renderGraphDot(graph)).toBe(
      lines(
        ...HEAD,
        ...DEFAULTS,
        `  "c\\\\" [label="<b>html</b>\\\\N\\\\l &amp; 日本 next", ${GATE}];`,
        '  subgraph "cluster_grp\\"" {',
        '    label="@everyone";',
        '    style="rounded,dashed";',
        '    color="#9aa0a6";',
        '    "grp\\"" [shape=point, style=invis, width=0, height=0, label=""];',
        `    "a\\"b" [label="\\"]; x -> y [label=\\"pwn", ${TASK}];`,
        '  }',
        '  "a\\"b" -> "c\\\\";',
        '}',
      ),
    )
  })

  it('draws a 200-node graph with every node and edge', () => {
    const out = renderGraphDot(bigGraph())
    expect(out.split('\n').filter((l) => /^\s+"t\d+" \[label=/.test(l))).toHaveLength(190)
    expect(out.split('\n').filter((l) => l.includes('subgraph "cluster_g'))).toHaveLength(10)
    expect(out.split('\n').filter((l) => l.includes(' -> '))).toHaveLength(189 + 188)
  })

  it('draws every label as its literal text in Graphviz: entities, backslash escapes and quotes stay text', () => {
    const names = ['&#x3C;script&#x3E;', 'AT&T &amp; co', '\\N and \\G', 'say "hi"', '<b>bold</b>']
    const graph = graphOf(names.map((name, i) => ({ id: `n${i}`, kind: 'Task', name })), [])
    const svg = spawnSync('dot', ['-Tsvg'], { input: renderGraphDot(graph, { title: 'T&amp;' }), encoding: 'utf8' })
    expect(svg.status).toBe(0)
    // Read the drawn text with a real XML parser (libxml2), never with a regex over the SVG.
    const texts = spawnSync('xmllint', ['--xpath', "//*[local-name()='text']/text()", '-'], { input: svg.stdout, encoding: 'utf8' })
    expect(texts.status).toBe(0)
    const drawn = decodeXml(texts.stdout).split('\n')
    for (const name of [...names, 'T&amp;']) expect(drawn).toContain(name)
  })
})

/** Decodes the five XML entities of xmllint's serialized text nodes. */
function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] as string)
}
