import { diffResources, type ReviewResourceLike, type SemanticDiff } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { REVIEW_TRUNCATION_ORDER, renderReviewMarkdown } from '../../src/markdown/render-review-markdown.js'
import type { ExecutionSimulation, ReviewMarkdownInput } from '../../src/markdown/markdown-types.js'
import { expectSafeMarkdown, stripCodeSpans } from './check-markdown.js'
import { chainNodes, changelogDiff, changelogSimulation, plan, resource } from './fixtures.js'

const simulation: ExecutionSimulation = { execution: 'execution/default/changelog-w10', reasons: ['plan', 'binding', 'gate'], report: changelogSimulation }
const input: ReviewMarkdownInput = {
  diff: changelogDiff,
  base: { ref: 'main', commit: '0123456789abcdef0123' },
  head: { ref: 'feature/lint' },
  validation: {
    diagnostics: [{ code: 'PS4001', severity: 'warning', message: 'goalRef names "weekly" which is not in the files', file: 'plans/publish-changelog.yaml', line: 12, column: 5, endLine: 12, endColumn: 11, path: '/spec/goalRef', kind: 'Plan', name: 'publish-changelog' }],
    summary: { files: 6, resources: 6, errors: 0, warnings: 1 },
  },
  simulations: [simulation],
}

describe('renderReviewMarkdown', () => {
  it('renders the semantic diff, approvals, graph and simulated run of a change', async () => {
    const body = renderReviewMarkdown(input, { marker: 'review', fileLinkBase: 'https://github.com/acme/plans/blob/0123456/' })
    await expect(body).toMatchFileSnapshot('__snapshots__/review-changelog.md')
    expectSafeMarkdown(body)
    expect(body.startsWith('<!-- planspec:review -->\n\n## PlanSpec review')).toBe(true)
    expect(body).not.toContain('[!NOTE]')
  })

  it('says why the touched executions were not simulated', () => {
    const body = renderReviewMarkdown({ diff: changelogDiff, simulationSkipped: 'head has 2 validation errors <b>' })
    expect(body).toContain('- **Touched executions:** 1 execution, not simulated: head has 2 validation errors &lt;b&gt;\n')
  })

  it('says so when nothing changed, and shows no revision line without revisions', () => {
    const empty: SemanticDiff = { resources: [], counts: [], plans: [], bindings: [], gates: [], executions: [] }
    expect(renderReviewMarkdown({ diff: empty })).toBe('## PlanSpec review\n\n- **Changes:** none\n')
  })

  it('reports problems, unsimulated executions, open gates, conflicts and removed gates', async () => {
    const base = [
      resource('Gate', 'old', { reviewers: ['user:a'], requiredApprovers: 1 }),
      resource('Gate', 'open', { reviewers: ['user:a'] }),
      resource('Binding', 'b', { rules: [{ selector: { capabilityRef: { name: 'c' } }, target: { provider: 'exec://x', config: { a: 1 } } }] }),
      plan('p', [{ id: 'a', kind: 'Task', capabilityRefs: [{ name: 'c' }] }, { id: 'b', kind: 'Task', capabilityRefs: [{ name: 'd' }] }]),
      resource('Execution', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'b' } }),
    ]
    const head = [
      resource('Gate', 'open', {}),
      resource('Gate', 'new', {}),
      resource('Binding', 'b', { strategy: 'ErrorOnConflict', rules: [{ selector: { capabilityRef: { name: 'c' } }, target: { provider: 'exec://x', config: { a: 2 } } }, { selector: { capabilityRef: { name: 'd' } }, target: { provider: 'a://' } }, { selector: { capabilityRef: { name: 'd' } }, target: { provider: 'b://' } }] }),
      plan('p', [{ id: 'a', kind: 'Task', capabilityRefs: [{ name: 'c' }] }, { id: 'b', kind: 'Task', capabilityRefs: [{ name: 'd' }] }, { id: 'z', kind: 'Task', capabilityRefs: [{ name: 'none' }] }]),
      resource('Execution', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'b' } }),
    ]
    const simulations: ExecutionSimulation[] = [
      { execution: 'execution/default/e', report: { ...changelogSimulation, layers: [], order: [], criticalPath: { nodes: [], durationMs: 0 }, gates: [{ node: 'ok', gate: 'open', reviewers: [], requiredApprovers: 1 }], problems: [{ code: 'PS4012', severity: 'error', node: 'b', message: 'node "b" has tied rules 1, 2' }], outcome: 'Failed' } },
      { execution: 'execution/default/broken', error: 'Plan "default/gone" of Execution "broken" is not in the files' },
      { execution: 'execution/default/mystery' },
    ]
    const body = renderReviewMarkdown({ diff: diffResources(base, head), simulations })
    await expect(body).toMatchFileSnapshot('__snapshots__/review-problems.md')
    expectSafeMarkdown(body)
  })

  it('never pings, links, embeds HTML or breaks a table or fence, whatever the manifests say', async () => {
    const evil = '@everyone <img src=x onerror=alert(1)> </details> ``` | #1 https://evil.example [x](javascript:alert(1)) @org/team'
    const base = [plan('p', [{ id: 'a', kind: 'Task' }])]
    const head = [
      plan('p', [{ id: 'a', kind: 'Task', name: evil, description: evil }, { id: 'b|`@x`', kind: 'Task', name: evil, dependsOn: ['a'] }, { id: 'g', kind: evil, name: evil }], [], { file: `plans/${evil}.yaml` }),
      resource(evil, evil, {}),
    ]
    const report = { ...changelogSimulation, plan: evil, outcome: evil, order: [evil], layers: [[evil, 'a']], criticalPath: { nodes: [evil], durationMs: 1 }, gates: [{ node: evil, gate: evil, reviewers: [evil, '@admin'], requiredApprovers: 1 }], problems: [{ code: evil, severity: 'error', node: evil, message: evil }] }
    const body = renderReviewMarkdown(
      {
        diff: diffResources(base, head),
        base: { ref: evil, commit: evil },
        head: { ref: evil },
        validation: { diagnostics: [{ code: 'PS1', severity: evil as never, message: evil, file: evil, line: 1, column: 1, endLine: 1, endColumn: 1, path: '', kind: evil, name: evil }], summary: { files: 1, resources: 1, errors: 1, warnings: 0 } },
        simulations: [{ execution: evil, reasons: [evil], report }, { execution: evil, error: evil }],
      },
      { marker: evil, fileLinkBase: 'https://github.com/o/r/blob/s/' },
    )
    await expect(body).toMatchFileSnapshot('__snapshots__/review-injection.md')
    expectSafeMarkdown(body)
    // Outside code spans (where text is literal) no tag and no link survives.
    expect(stripCodeSpans(body)).not.toContain('<img')
    expect(stripCodeSpans(body)).not.toMatch(/[^\\]\]\(javascript/)
    expect(body).toContain('#64;everyone')
  })

  it('keeps a change to a 1,000-node plan small: one row and the neighbourhood of the change', () => {
    const nodes = chainNodes(1000)
    const changed = nodes.map((n) => (n.id === 't500' ? { ...n, description: 'Reworded' } : n))
    const body = renderReviewMarkdown({ diff: diffResources([plan('big', nodes)], [plan('big', changed)]) })
    expectSafeMarkdown(body)
    expect(body).not.toContain('[!NOTE]')
    expect(body).toContain('| ✏️ changed | `t500` | Task | fields: `description` |')
    expect(body).toContain('(3 of 1000 nodes: the changes and their neighbours)')
    expect(body).toMatch(/t499\["t499"\]\n {2}t500\["~ t500"\]\n {2}t501\["t501"\]/)
  })

  it('keeps an added 1,000-node plan within the comment limit, shortened in the stated order', () => {
    const body = renderReviewMarkdown({ diff: diffResources([], [plan('big', chainNodes(1000))]) }, { detailsUrl: 'https://github.com/o/r/actions/runs/1' })
    expectSafeMarkdown(body)
    expect(body.length).toBeGreaterThan(50_000)
    expect(body).toContain('_1 more plan graph not drawn here._')
    expect(body).toMatch(/_\d+ more node or dependency changes not shown here\._/)
    expect(body.endsWith('the full report is in [the job summary](https://github.com/o/r/actions/runs/1).\n')).toBe(true)
  })

  it('keeps a 500-file change within the comment limit, and gives way in REVIEW_TRUNCATION_ORDER', () => {
    const files = (side: 'base' | 'head'): ReviewResourceLike[] =>
      Array.from({ length: 500 }, (_, i) => plan(`plan-${i}`, side === 'base' ? chainNodes(8, 'n') : [...chainNodes(8, 'n'), { id: 'extra', kind: 'Task', dependsOn: ['n7'] }]))
    const diff = diffResources(files('base'), files('head'))
    const sims: ExecutionSimulation[] = Array.from({ length: 50 }, (_, i) => ({ execution: `execution/default/run-${i}`, report: { ...changelogSimulation, gates: [] } }))
    const full = renderReviewMarkdown({ diff, simulations: sims }, { maxLength: 10_000_000 })
    expect(full).not.toContain('[!NOTE]')
    expect(full.length).toBeGreaterThan(65_535)

    const body = renderReviewMarkdown({ diff, simulations: sims })
    expectSafeMarkdown(body)
    expect(body).toContain('[!NOTE]')
    expect(body).toContain('- **Changes:** Plan 500 changed')
    expect(body).toMatch(/_\d+ more plan graphs not drawn here\._/)

    // Shrinking the budget: graphs give way first, then resources, then simulated runs, then plans.
    const at = (maxLength: number): string => renderReviewMarkdown({ diff, simulations: sims }, { maxLength })
    const sectionIsWhole = (text: string, title: string): boolean => {
      const start = text.indexOf(title)
      const end = text.indexOf('\n### ', start + 1)
      return start >= 0 && !text.slice(start, end < 0 ? undefined : end).includes(' not shown here._') && !text.slice(start, end < 0 ? undefined : end).includes(' not drawn here._')
    }
    const withoutGraphs = full.length - 1
    expect(sectionIsWhole(at(withoutGraphs), '### Plan graphs')).toBe(false)
    expect(sectionIsWhole(at(withoutGraphs), '### Resources')).toBe(true)
    const small = at(20_000)
    expect(small.length).toBeLessThanOrEqual(20_000)
    expect(sectionIsWhole(small, '### Resources')).toBe(false)
    expect(small).toContain('### Plans')
    expect(REVIEW_TRUNCATION_ORDER[0]).toBe('plan graphs')
    const tiny = at(1_500)
    expect(tiny.length).toBeLessThanOrEqual(1_500)
    expect(tiny).toContain('## PlanSpec review')
    expect(tiny).toContain('_500 more resources not shown here._')
  })

  it('summarizes plans whose dependencies alone changed, or nothing in the graph, and retyped edges', () => {
    const base = [plan('deps', [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }]), plan('words', [{ id: 'a', kind: 'Task' }])]
    const head = [plan('deps', [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task' }], [{ from: 'a', to: 'b', type: 'soft' }]), { ...plan('words', [{ id: 'a', kind: 'Task' }]), value: { ...plan('words', []).value, spec: { description: 'new', graph: { nodes: [{ id: 'a', kind: 'Task' }] } } } }]
    const body = renderReviewMarkdown({ diff: diffResources(base, head), head: { ref: 'HEAD' } })
    expect(body).toContain('Comparing base → head `HEAD`')
    expect(body).toContain('#### `plan/default/deps` changed: nodes: 1 rewired; dependencies: 1 retyped hard ↔ soft')
    expect(body).toContain('| 🔀 retyped | `a` → `b` | hard → soft |')
    expect(body).toContain('#### `plan/default/words` changed: graph unchanged')
    const edgesOnly = diffResources([plan('e', [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task' }])], [plan('e', [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task' }], [{ from: 'b', to: 'a', type: 'soft' }])])
    expect(renderReviewMarkdown({ diff: { ...edgesOnly, plans: edgesOnly.plans.map((p) => ({ ...p, counts: { ...p.counts, nodesRewired: 0 } })) } })).toContain('changed: dependencies: 1 added')
  })

  it('shows uses without a capability, and a Gate that starts to list reviewers', () => {
    const base = [resource('Gate', 'g', {}), plan('p', [{ id: 'a', kind: 'Task' }]), resource('Binding', 'b', { rules: [{ selector: { planRef: { name: 'p' } }, target: { provider: 'noop://a' } }] }), resource('Execution', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'b' } })]
    const head = [resource('Gate', 'g', { reviewers: ['user:ann'] }), plan('p', [{ id: 'a', kind: 'Task' }]), resource('Binding', 'b', { rules: [{ selector: { planRef: { name: 'p' } }, target: { provider: 'noop://b' } }] }), resource('Execution', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'b' } })]
    const body = renderReviewMarkdown({ diff: diffResources(base, head) })
    expect(body).toContain('| `execution/default/e` | `a` | — | `noop://a` | `noop://b` |')
    expect(body).toContain('| `gate/default/g` | ✏️ changed | `user:ann` | anyone with write access | 1 |')
  })

  it('escapes plan subjects in diagram summaries as HTML', () => {
    const odd = diffResources([], [plan('<b>&"\'@x', [{ id: 'a', kind: 'Task' }])])
    expect(renderReviewMarkdown({ diff: odd })).toContain('Graph of <code>plan/default/&#60;b&#62;&#38;&#34;&#39;&#64;x</code> (1 node)')
  })

  it('shows a rename as one renamed resource with the references that followed it', () => {
    const content = { description: 'same', graph: { nodes: [{ id: 'a', kind: 'Task' }] } }
    const before = [resource('Plan', 'old', content), resource('Execution', 'run', { planRef: { name: 'old' } }), resource('Binding', 'b', { rules: [] })]
    const after = [resource('Plan', 'new', content), resource('Execution', 'run', { planRef: { name: 'new' } }), resource('Binding', 'c', { rules: [] })]
    const body = renderReviewMarkdown({ diff: diffResources(before, after) })
    expect(body).toContain('- **Changes:** Plan 1 renamed · Binding 1 renamed\n')
    expect(body).toContain('| 🏷️ renamed | `plan/default/new` (was `old`) | same content; references updated in `execution/default/run` | — |')
    expect(body).toContain('| 🏷️ renamed | `binding/default/c` (was `b`) | same content | — |')
    expect(body).not.toContain('### Plans')
  })
})
