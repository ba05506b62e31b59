import { describe, expect, it } from 'vitest'
import { findTouchedExecutions } from '../../src/review/find-touched-executions.js'
import type { ResourceChange, ReviewResourceLike } from '../../src/review/review-types.js'
import { binding, execution, plan, resource, task } from './fixtures.js'

const change = (kind: string, name: string, action: ResourceChange['action'] = 'changed', namespace = 'default'): ResourceChange => ({
  subject: `${kind.toLowerCase()}/${namespace}/${name}`,
  kind,
  namespace,
  name,
  action,
  fields: [],
})

const head: ReviewResourceLike[] = [
  plan('release', [task('build'), { id: 'ok', kind: 'Gate', gateRef: { name: 'signoff', namespace: 'approvals' } }, 'odd'], undefined, { namespace: 'team' }),
  resource('Plan', 'bare', { goalRef: { name: 'ship' } }, { namespace: 'team' }),
  execution('by-binding', 'release', { bindingRef: { name: 'main' } }, { namespace: 'team' }),
  execution('by-override', 'release', { nodeBindings: { build: { name: 'special', namespace: 'ops' }, bad: 'x' } }, { namespace: 'team' }),
  execution('by-goal', 'bare', { goalRef: 'malformed' }, { namespace: 'team' }),
  execution('own-goal', 'release', { goalRef: { name: 'ship' } }, { namespace: 'team' }),
  execution('orphan', 'gone', {}, { namespace: 'team' }),
  resource('Execution', 'no-plan', { planRef: 'release' }, { namespace: 'team' }),
  binding('main', [], { namespace: 'team' }),
]

describe('findTouchedExecutions', () => {
  it('returns nothing when nothing changed', () => {
    expect(findTouchedExecutions(head, [])).toEqual([])
  })

  it('names the Execution itself when it was added or changed', () => {
    const touched = findTouchedExecutions(head, [change('Execution', 'by-binding', 'added', 'team'), change('Execution', 'orphan', 'changed', 'team')])
    expect(touched).toEqual([
      { subject: 'execution/team/by-binding', namespace: 'team', name: 'by-binding', plan: 'plan/team/release', reasons: ['added'] },
      { subject: 'execution/team/orphan', namespace: 'team', name: 'orphan', plan: 'plan/team/gone', reasons: ['changed'] },
    ])
  })

  it('follows the Plan, the Bindings, the Gates of Gate nodes and the Goal', () => {
    const touched = findTouchedExecutions(head, [
      change('Plan', 'release', 'changed', 'team'),
      change('Binding', 'special', 'removed', 'ops'),
      change('Binding', 'main', 'changed', 'team'),
      change('Gate', 'signoff', 'changed', 'approvals'),
      change('Goal', 'ship', 'changed', 'team'),
      change('Execution', 'no-plan', 'changed', 'team'),
    ])
    expect(touched.map((t) => [t.name, t.plan, t.reasons])).toEqual([
      ['by-binding', 'plan/team/release', ['plan', 'binding', 'gate']],
      ['by-override', 'plan/team/release', ['plan', 'binding', 'gate']],
      ['by-goal', 'plan/team/bare', ['goal']],
      ['own-goal', 'plan/team/release', ['plan', 'gate', 'goal']],
      ['no-plan', undefined, ['changed']],
    ])
  })

  it('does not count a removed Execution (it is not in head)', () => {
    expect(findTouchedExecutions(head, [change('Execution', 'gone', 'removed', 'team')])).toEqual([])
  })

  it('resolves Gate references in the Plan namespace when the Plan is missing', () => {
    expect(findTouchedExecutions([execution('x', 'nowhere', {}, { namespace: 'team' })], [change('Gate', 'signoff', 'changed', 'team')])).toEqual([])
  })
})
