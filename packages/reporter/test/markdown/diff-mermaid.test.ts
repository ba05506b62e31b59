import { diffPlan, type PlanDiff } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { diagramsSection, READABLE_WIDTH } from '../../src/markdown/internal/diagrams-section.js'
import { diagramForms, MERMAID_LIMITS } from '../../src/markdown/internal/diff-mermaid.js'
import { chainNodes, plan } from './fixtures.js'

const lines = (...text: string[]): string => text.join('\n')

describe('diagramForms', () => {
  it('draws groups as subgraphs, shapes by kind, soft and removed edges, and highlights changes', () => {
    const base = plan('p', [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Gate', gateRef: { name: 'g' } }, { id: 'x', kind: 'External' }, { id: 'gone', kind: 'Task' }, { id: 'grp', kind: 'Group', children: ['a'] }], [{ from: 'x', to: 'a', type: 'soft' }, { from: 'a', to: 'gone', type: 'soft' }])
    const head = plan('p', [{ id: 'a', kind: 'Task', name: 'A "quoted" @team' }, { id: 'b', kind: 'Gate', gateRef: { name: 'g' } }, { id: 'x', kind: 'External' }, { id: 'new', kind: 'Milestone' }, { id: 'grp', kind: 'Group', children: ['a', 'new'] }], [{ from: 'x', to: 'a' }, { from: 'a', to: 'b', type: 'soft' }, { from: 'ghost', to: 'new' }])
    const [form] = diagramForms(diffPlan(base, head))
    expect(form?.scope).toBe('all')
    expect(form?.mermaid).toBe(
      lines(
        '```mermaid',
        'flowchart TD',
        '  b{"↻ b"}',
        '  x[["x"]]',
        '  subgraph grp ["~ grp"]',
        '    a["~ A #quot;quoted#quot; #64;team"]',
        '    new(["+ new"])',
        '  end',
        '  gone["− gone"]',
        '  ghost(["ghost (missing)"])',
        '  x --> a',
        '  a -.-> b',
        '  ghost ==> new',
        '  a -.-x gone',
        '  classDef k_external fill:#f6f8fa,stroke:#57606a,stroke-dasharray:4 3,color:#1f2328',
        '  class x k_external',
        '  classDef k_missing fill:#ffebe9,stroke:#cf222e,stroke-dasharray:3 3,color:#6e0f14',
        '  class ghost k_missing',
        '  classDef added fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,color:#0f3d1d',
        '  class new added',
        '  classDef removed fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:4 3,color:#6e0f14',
        '  class gone removed',
        '  classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#3b2300',
        '  class a,grp changed',
        '  classDef rewired fill:#f6f8fa,stroke:#9a6700,stroke-width:2px,stroke-dasharray:4 3,color:#1f2328',
        '  class b rewired',
        '  linkStyle default stroke:#6e7781,stroke-width:1.5px',
        '  linkStyle 1,2 stroke:#1a7f37,stroke-width:2px',
        '  linkStyle 3 stroke:#cf222e,stroke-dasharray:4 3',
        '  linkStyle 0 stroke:#9a6700,stroke-width:2px',
        '```',
      ),
    )
  })

  it('falls back to the changes and their neighbours, then to the changes alone, then to nothing', () => {
    const nodes = chainNodes(1000)
    const changed = nodes.map((n) => (n.id === 't10' || n.id === 't900' ? { ...n, description: 'x' } : n))
    const forms = diagramForms(diffPlan(plan('big', nodes), plan('big', changed)))
    expect(forms.map((f) => [f.scope, f.shown, f.total])).toEqual([
      ['neighbourhood', 6, 1000],
      ['changes', 2, 1000],
    ])
    // A hub with 400 neighbours: the neighbourhood is over the node limit, the change alone is not.
    const hub = [{ id: 'hub', kind: 'Task' }, ...Array.from({ length: 400 }, (_, i) => ({ id: `leaf${i}`, kind: 'Task', dependsOn: ['hub'] }))]
    const hubForms = diagramForms(diffPlan(plan('hub', hub), plan('hub', hub.map((n) => (n.id === 'hub' ? { ...n, description: 'x' } : n)))))
    expect(hubForms.map((f) => [f.scope, f.shown])).toEqual([['changes', 1]])
    expect(diagramForms(diffPlan(undefined, plan('big', nodes)))).toEqual([])
    expect(MERMAID_LIMITS.edges).toBe(500)
  })

  it('leaves out unchanged groups from a reduced drawing, and a form no smaller than the last', () => {
    const nodes = [...chainNodes(400), { id: 'grp', kind: 'Group', children: ['t0', 't1'] }]
    const changed = nodes.map((n) => (n.id === 't1' ? { ...n, description: 'x' } : n))
    const forms = diagramForms(diffPlan(plan('g', nodes), plan('g', changed)))
    expect(forms.map((f) => [f.scope, f.shown])).toEqual([
      ['neighbourhood', 3],
      ['changes', 1],
    ])
    expect(forms[0]?.mermaid).not.toContain('subgraph')
    // Every node added: the reduced forms are no smaller than the whole graph, so only it is kept.
    expect(diagramForms(diffPlan(undefined, plan('s', chainNodes(3)))).map((f) => f.scope)).toEqual(['all'])
  })

  it('rejects a drawing over the character limit even under the node limit', () => {
    const long = 'n'.repeat(200)
    const nodes = Array.from({ length: 150 }, (_, i) => ({ id: `x${i}`, kind: 'Task', name: long }))
    expect(diagramForms(diffPlan(undefined, plan('wide', nodes)))).toEqual([])
  })
})

describe('diagramsSection', () => {
  const small = diffPlan(plan('a', [{ id: 'a', kind: 'Task' }]), plan('a', [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task' }]))
  const huge = diffPlan(undefined, plan('huge', chainNodes(1000)))
  const unchanged: PlanDiff = { ...small, graphChanged: false }

  it('renders nothing when no graph changed', () => {
    expect(diagramsSection([unchanged], 1).render(10_000)).toEqual({ text: '', complete: true })
  })

  it('says a plan is too large to draw, and counts the plans that find no room', () => {
    const full = diagramsSection([small, huge], 1).render(100_000)
    expect(full.complete).toBe(true)
    expect(full.text).toContain('<details open><summary>Graph of <code>plan/default/a</code> (2 nodes)</summary>')
    expect(full.text).toContain('Graph of <code>plan/default/huge</code>: too large to draw here (1000 nodes); run <code>planspec graph</code> locally.')
    const none = diagramsSection([small, huge], 1).render(0)
    expect(none.complete).toBe(false)
    expect(none.text.endsWith('_2 more plan graphs not drawn here._')).toBe(true)
  })

  it('draws a graph too wide or too big to read as its changed neighbourhood, the whole graph collapsed below', () => {
    const nodes = chainNodes(120)
    const changed = nodes.map((n) => (n.id === 't3' ? { ...n, description: 'x' } : n))
    const diff = diffPlan(plan('mid', nodes), plan('mid', changed))
    const section = diagramsSection([diff], 1)
    const roomy = section.render(100_000)
    expect(roomy).toMatchObject({ complete: true })
    const open = roomy.text.indexOf('<details open><summary>Graph of <code>plan/default/mid</code> (3 of 120 nodes: the changes and their neighbours)</summary>')
    const whole = roomy.text.indexOf('<details><summary>The whole graph of <code>plan/default/mid</code> (120 nodes)</summary>')
    expect(open).toBeGreaterThan(0)
    expect(whole).toBeGreaterThan(open)
    const tight = section.render(2_000)
    expect(tight.complete).toBe(false)
    expect(tight.text).toContain('(3 of 120 nodes: the changes and their neighbours)')
    expect(tight.text).not.toContain('The whole graph')
    expect(tight.text.length).toBeLessThanOrEqual(2_000)
    // A wide layer: 12 long names side by side are drawn as the neighbourhood of the change.
    const fan = [{ id: 'root', kind: 'Task' }, ...Array.from({ length: 12 }, (_, i) => ({ id: `leaf${i}`, kind: 'Task', name: `A rather long step name ${i}`, dependsOn: ['root'] }))]
    const wide = diagramForms(diffPlan(plan('fan', fan), plan('fan', fan.map((n) => (n.id === 'leaf0' ? { ...n, description: 'x' } : n)))))
    expect(wide.map((f) => [f.scope, f.width > READABLE_WIDTH])).toEqual([['all', true], ['neighbourhood', false], ['changes', false]])
    expect(diagramsSection([diffPlan(plan('fan', fan), plan('fan', fan.map((n) => (n.id === 'leaf0' ? { ...n, description: 'x' } : n))))], 1).render(100_000).text).toContain('(2 of 13 nodes: the changes and their neighbours)')
  })
})
