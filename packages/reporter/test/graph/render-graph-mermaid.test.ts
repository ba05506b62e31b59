import { describe, expect, it } from 'vitest'
import { renderGraphMermaid } from '../../src/graph/render-graph-mermaid.js'
import { awkwardGroups, bigGraph, edge, graphOf, releaseGraph } from '../fixtures/graphs.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`
const STYLE = {
  task: '  classDef task fill:#e8f0fe,stroke:#1a73e8,color:#0b1f44',
  gate: '  classDef gate fill:#fef7e0,stroke:#e37400,color:#3c2a00',
  external: '  classDef external fill:#f1f3f4,stroke:#5f6368,stroke-dasharray:4 3,color:#202124',
  group: '  classDef group fill:#fafafa,stroke:#9aa0a6,color:#202124',
  other: '  classDef other fill:#ffffff,stroke:#5f6368,color:#202124',
  missing: '  classDef missing fill:#fce8e6,stroke:#d93025,stroke-dasharray:3 3,color:#a50e0e',
}
const LINKS = '  linkStyle default stroke:#6e7781,stroke-width:1.5px'

describe('renderGraphMermaid', () => {
  it('draws tasks as rectangles, gates as rhombi, externals as subroutines and groups as subgraphs', () => {
    expect(renderGraphMermaid(releaseGraph, { title: 'release-1' })).toBe(
      lines(
        '---',
        'title: "release-1"',
        '---',
        'flowchart TD',
        '  finance_signoff{"Finance sign-off"}',
        '  warehouse_ready[["warehouse-ready"]]',
        '  subgraph build ["build (sequence)"]',
        '    schema["schema"]',
        '    writer["writer"]',
        '  end',
        '  writer --> finance_signoff',
        '  warehouse_ready -.-> writer',
        '  schema --> writer',
        STYLE.task,
        '  class schema,writer task',
        STYLE.gate,
        '  class finance_signoff gate',
        STYLE.external,
        '  class warehouse_ready external',
        STYLE.group,
        '  class build group',
        LINKS,
      ),
    )
  })

  it('writes no front matter without a title, and a title on one quoted line', () => {
    expect(renderGraphMermaid(graphOf([]))).toBe('flowchart TD\n')
    expect(renderGraphMermaid(graphOf([]), { title: 'a "plan"\n---\nkind: x' })).toBe(
      lines('---', 'title: "a \\"plan\\" --- kind: x"', '---', 'flowchart TD'),
    )
  })

  it('escapes hostile labels and prefixes ids that are Mermaid keywords or not letters first', () => {
    const graph = graphOf(
      [
        { id: 'end', kind: 'Task' },
        { id: 'click', kind: 'Gate', name: '"]); click x call alert(1)' },
        { id: 'a-b', kind: 'Task', name: '<script>alert(1)</script>' },
        { id: 'a_b', kind: 'External', name: '@everyone `x` #quot; &amp;\nnext' },
        { id: 'End', kind: 'Task' },
        { id: '1st', kind: 'Task' },
        { id: 'n_end', kind: 'Task' },
        { id: 'subgraph', kind: 'Task', name: '```\n</pre>' },
      ],
      [edge('end', 'click'), edge('click', 'a-b', 'soft'), edge('a-b', 'a_b')],
    )
    expect(renderGraphMermaid(graph)).toBe(
      lines(
        'flowchart TD',
        '  n_end["end"]',
        '  n_click{"#quot;]); click x call alert(1)"}',
        '  a_b["#lt;script#gt;alert(1)#lt;/script#gt;"]',
        '  a_b_2[["#64;everyone #96;x#96; #35;quot; #amp;amp; next"]]',
        '  n_End["End"]',
        '  n_1st["1st"]',
        '  n_end_2["n_end"]',
        '  n_subgraph["#96;#96;#96; #lt;/pre#gt;"]',
        '  n_end --> n_click',
        '  n_click -.-> a_b',
        '  a_b --> a_b_2',
        STYLE.task,
        '  class n_end,a_b,n_End,n_1st,n_end_2,n_subgraph task',
        STYLE.gate,
        '  class n_click gate',
        STYLE.external,
        '  class a_b_2 external',
        LINKS,
      ),
    )
  })

  it('nests groups, draws a node listed twice in its first group with a note, and marks missing ids', () => {
    expect(renderGraphMermaid(awkwardGroups)).toBe(
      lines(
        'flowchart TD',
        '  ext[["ext"]]',
        '  m1(["m1"])',
        '  subgraph outer ["Outer"]',
        '    %% inner is also listed in inner; drawn in outer only',
        '    subgraph inner ["inner (parallel)"]',
        '      t1["t1"]',
        '    end',
        '    %% end_task is also listed in inner; drawn in outer only',
        '    end_task["end-task"]',
        '    ghost(["ghost (missing)"])',
        '  end',
        '  %% loner is also listed in loner; drawn at the top level only',
        '  subgraph loner ["loner"]',
        '  end',
        '  subgraph empty ["empty"]',
        '  end',
        '  nowhere(["nowhere (missing)"])',
        '  ext --> outer',
        '  nowhere -.-> m1',
        '  t1 --> end_task',
        STYLE.task,
        '  class t1,end_task task',
        STYLE.external,
        '  class ext external',
        STYLE.group,
        '  class outer,inner,loner,empty group',
        STYLE.other,
        '  class m1 other',
        STYLE.missing,
        '  class nowhere,ghost missing',
        LINKS,
      ),
    )
  })

  it('draws a 200-node graph with every node and edge', () => {
    const out = renderGraphMermaid(bigGraph())
    expect(out.split('\n').filter((l) => /^\s+t\d+\["t\d+"\]$/.test(l))).toHaveLength(190)
    expect(out.split('\n').filter((l) => l.startsWith('  subgraph g'))).toHaveLength(10)
    expect(out.split('\n').filter((l) => / (-->|-\.->) /.test(l))).toHaveLength(189 + 188)
    expect(out).toContain('  subgraph g9 ["g9 (sequence)"]\n    t171["t171"]\n')
  })
})
