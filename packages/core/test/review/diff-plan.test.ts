import { describe, expect, it } from 'vitest'
import { diffPlan } from '../../src/review/diff-plan.js'
import { plan, resource, task } from './fixtures.js'

const base = plan(
  'release',
  [
    task('schema', { description: 'Design the schema', inputs: { since: 'monday', keep: 1 } }),
    task('writer', { dependsOn: ['schema'] }),
    { id: 'signoff', kind: 'Gate', dependsOn: ['writer'], gateRef: { name: 'release-signoff' } },
    task('cleanup'),
    { id: 'build', kind: 'Group', children: ['schema', 'writer'] },
  ],
  [{ from: 'cleanup', to: 'writer', type: 'soft' }],
)

const head = plan(
  'release',
  [
    task('schema', { description: 'Design the v2 schema', inputs: { since: 'sunday', keep: 1 } }),
    task('writer', { dependsOn: ['schema', 'notify'] }),
    { id: 'signoff', kind: 'Gate', name: 'Sign-off', dependsOn: ['writer'], gateRef: { name: 'release-signoff' } },
    task('notify', { name: 'Notify the team' }),
    { id: 'build', kind: 'Group', children: ['schema', 'writer', 'notify'] },
  ],
  [{ from: 'schema', to: 'writer', type: 'soft' }],
  { file: 'plans/release.yaml' },
)

describe('diffPlan', () => {
  it('lists added, removed and changed nodes with the fields that differ, and the rewired ones', () => {
    const diff = diffPlan(base, head)
    expect(diff).toMatchObject({ subject: 'plan/default/release', namespace: 'default', name: 'release', action: 'changed', file: 'plans/release.yaml', graphChanged: true })
    expect(diff.nodes).toEqual([
      { id: 'schema', kind: 'Task', action: 'changed', fields: ['description', 'inputs.since'], rewired: false },
      { id: 'writer', kind: 'Task', action: 'unchanged', fields: [], rewired: true },
      { id: 'signoff', kind: 'Gate', name: 'Sign-off', action: 'changed', fields: ['name'], rewired: false },
      { id: 'notify', kind: 'Task', name: 'Notify the team', action: 'added', fields: [], rewired: false },
      { id: 'build', kind: 'Group', children: ['schema', 'writer', 'notify'], action: 'changed', fields: ['children'], rewired: false },
      { id: 'cleanup', kind: 'Task', action: 'removed', fields: [], rewired: false },
    ])
  })

  it('compares dependencies after normalization: added, removed and retyped hard ↔ soft', () => {
    const diff = diffPlan(base, head)
    expect(diff.edges).toEqual([
      { from: 'schema', to: 'writer', action: 'retyped', before: 'hard', after: 'soft' },
      { from: 'notify', to: 'writer', action: 'added', after: 'hard' },
      { from: 'writer', to: 'signoff', action: 'unchanged', before: 'hard', after: 'hard' },
      { from: 'cleanup', to: 'writer', action: 'removed', before: 'soft' },
    ])
    expect(diff.counts).toEqual({ nodesAdded: 1, nodesRemoved: 1, nodesChanged: 3, nodesRewired: 1, edgesAdded: 1, edgesRemoved: 1, edgesRetyped: 1 })
  })

  it('does not count a dependsOn rewritten as an explicit hard edge as a change', () => {
    const a = plan('p', [task('a'), task('b', { dependsOn: ['a'] })])
    const b = plan('p', [task('a'), task('b')], [{ from: 'a', to: 'b' }])
    const diff = diffPlan(a, b)
    expect(diff.graphChanged).toBe(false)
    expect(diff.nodes.map((n) => n.action)).toEqual(['unchanged', 'unchanged'])
  })

  it('reports a plan whose graph is the same but whose description changed as not graph-changed', () => {
    const a = plan('p', [task('a')])
    const b = resource('Plan', 'p', { description: 'new words', graph: { nodes: [task('a')] } })
    expect(diffPlan(a, b).graphChanged).toBe(false)
  })

  it('treats every node and edge of an added plan as added, and of a removed plan as removed', () => {
    const p = plan('p', [task('a'), task('b', { dependsOn: ['a'] })], undefined, { namespace: 'team' })
    const added = diffPlan(undefined, p)
    expect(added).toMatchObject({ subject: 'plan/team/p', action: 'added', counts: { nodesAdded: 2, edgesAdded: 1 } })
    expect(added).not.toHaveProperty('file')
    const removed = diffPlan(p, undefined)
    expect(removed).toMatchObject({ action: 'removed', counts: { nodesRemoved: 2, edgesRemoved: 1, nodesAdded: 0 } })
    expect(removed.edges).toEqual([{ from: 'a', to: 'b', action: 'removed', before: 'hard' }])
  })

  it('reads malformed graphs defensively: odd nodes, edges and dependsOn items are ignored, first id wins', () => {
    const odd = plan(
      'p',
      ['text', null, { kind: 'Task' }, { id: 'a', kind: 7, dependsOn: [3, 'b'] }, task('a', { description: 'second' }), task('b'), { id: 'g', kind: 'Group', children: [1, 'a'] }],
      [{ from: 'a' }, 'edge', { from: 'b', to: 'a', type: 'soft' }, { from: 'b', to: 'a', type: 'hard' }, { from: 'a', to: 'b' }, { from: 'a', to: 'b', type: 'soft' }],
    )
    const diff = diffPlan(undefined, odd)
    expect(diff.nodes.map((n) => [n.id, n.kind, n.children])).toEqual([
      ['a', '', undefined],
      ['b', 'Task', undefined],
      ['g', 'Group', ['a']],
    ])
    // Both types of one pair collapse to hard, whatever the order they were written in.
    expect(diff.edges).toEqual([
      { from: 'b', to: 'a', action: 'added', after: 'hard' },
      { from: 'a', to: 'b', action: 'added', after: 'hard' },
    ])
    expect(diffPlan(resource('Plan', 'p', 'not a spec'), resource('Plan', 'p', { graph: 'not a graph' })).nodes).toEqual([])
  })
})
