import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { selectPlanForGoal, type PlanLike } from '../src/plan-selection.js'

interface TestPlan extends PlanLike {
  readonly id: string
}

const goal = { name: 'billing-export', namespace: 'finance' }

function plan(
  name: string,
  options: {
    namespace?: string | null
    goal?: { name: string; namespace?: string } | null
    series?: string
    version?: string
    supersedes?: { name: string; namespace?: string }[]
    labels?: Record<string, string>
  } = {},
): TestPlan {
  const metadata = {
    name,
    ...(options.namespace === null ? {} : { namespace: options.namespace ?? 'finance' }),
    ...(options.labels ? { labels: options.labels } : {}),
  }
  const spec = {
    ...(options.goal === null ? {} : { goalRef: options.goal ?? { name: 'billing-export' } }),
    ...(options.series === undefined ? {} : { series: options.series }),
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.supersedes ? { supersedes: options.supersedes } : {}),
  }
  return { id: name, metadata, spec }
}

const names = (plans: readonly TestPlan[]): string[] => plans.map((p) => p.id)

describe('selectPlanForGoal', () => {
  it('finds no plan when none references the goal', () => {
    const result = selectPlanForGoal(goal, [plan('other', { goal: { name: 'other-goal' } }), plan('free', { goal: null })])
    expect(result).toEqual({ candidates: [], reason: 'NoPlanFound' })
  })

  it('resolves goalRef against the plan namespace unless it names one', () => {
    const plans = [
      plan('same-ns'),
      plan('other-ns', { namespace: 'ops' }),
      plan('explicit', { namespace: 'ops', goal: { name: 'billing-export', namespace: 'finance' } }),
      plan('explicit-elsewhere', { goal: { name: 'billing-export', namespace: 'ops' } }),
    ]
    expect(names(selectPlanForGoal(goal, plans).candidates)).toEqual(['same-ns', 'explicit'])
  })

  it('places a plan without metadata.namespace in the given default, else default', () => {
    const homeless = plan('homeless', { namespace: null })
    expect(selectPlanForGoal(goal, [homeless]).reason).toBe('NoPlanFound')
    expect(selectPlanForGoal(goal, [homeless], 'finance').selected).toBe(homeless)
    expect(selectPlanForGoal({ ...goal, namespace: 'default' }, [homeless]).selected).toBe(homeless)
  })

  it('keeps only candidates whose labels satisfy planSelector', () => {
    const plans = [plan('prod', { labels: { env: 'prod' } }), plan('dev', { labels: { env: 'dev' } }), plan('bare')]
    const result = selectPlanForGoal({ ...goal, planSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } }, plans)
    expect(names(result.candidates)).toEqual(['prod'])
    expect(result.selected?.id).toBe('prod')
  })

  it('keeps the highest version of a series, comparing versions numerically', () => {
    const plans = [
      plan('v10', { series: 'billing', version: '10' }),
      plan('v9', { series: 'billing', version: '9' }),
      plan('v10-rc', { series: 'billing', version: '10-rc.1' }),
    ]
    const result = selectPlanForGoal(goal, plans)
    expect(result.selected?.id).toBe('v10')
    expect(result.reason).toBe('PlanFound')
    expect(names(result.candidates)).toEqual(['v10', 'v9', 'v10-rc'])
  })

  it('picks the highest version across series', () => {
    const plans = [plan('a-v3', { series: 'a', version: '3' }), plan('b-v1.10', { series: 'b', version: '1.10' }), plan('a-v2', { series: 'a', version: '2' })]
    expect(selectPlanForGoal(goal, plans).selected?.id).toBe('a-v3')
  })

  it('drops a plan superseded by another candidate, defaulting the reference to the superseding plan namespace', () => {
    const plans = [plan('old', { series: 'old', version: '9' }), plan('new', { series: 'new', version: '1', supersedes: [{ name: 'old' }] })]
    expect(selectPlanForGoal(goal, plans).selected?.id).toBe('new')
  })

  it('keeps a plan superseded only by a name in another namespace', () => {
    const plans = [
      plan('old', { series: 'old', version: '9' }),
      plan('new', { series: 'new', version: '1', supersedes: [{ name: 'old', namespace: 'ops' }] }),
    ]
    expect(selectPlanForGoal(goal, plans).selected?.id).toBe('old')
  })

  it('drops a plan superseded by a successor even when that successor lost to a later version of its own series', () => {
    const plans = [
      plan('a-v5', { series: 'a', version: '5' }),
      plan('b-v1', { series: 'b', version: '1', supersedes: [{ name: 'a-v5' }] }),
      plan('b-v2', { series: 'b', version: '2', supersedes: [{ name: 'b-v1' }] }),
    ]
    const result = selectPlanForGoal(goal, plans)
    expect(result.selected?.id).toBe('b-v2')
  })

  it('ignores a plan that names itself in supersedes', () => {
    const plans = [plan('self', { series: 's', version: '1', supersedes: [{ name: 'self', namespace: 'finance' }] })]
    expect(selectPlanForGoal(goal, plans).selected?.id).toBe('self')
  })

  it('finds no plan when the candidates supersede each other in a loop', () => {
    const plans = [
      plan('x', { series: 'x', version: '1', supersedes: [{ name: 'y' }] }),
      plan('y', { series: 'y', version: '1', supersedes: [{ name: 'x' }] }),
    ]
    const result = selectPlanForGoal(goal, plans)
    expect(result.reason).toBe('NoPlanFound')
    expect(result.selected).toBeUndefined()
    expect(names(result.candidates)).toEqual(['x', 'y'])
  })

  it('treats every plan without a series as its own group, ranked below versioned plans', () => {
    const plans = [plan('zeta'), plan('versioned', { series: 's', version: '0' }), plan('alpha')]
    expect(selectPlanForGoal(goal, plans).selected?.id).toBe('versioned')
    expect(selectPlanForGoal(goal, [plan('zeta'), plan('alpha')]).selected?.id).toBe('alpha')
  })

  it('breaks version ties by namespace, then name', () => {
    const goalRef = { name: 'billing-export', namespace: 'finance' }
    const plans = [
      plan('b', { namespace: 'ops', goal: goalRef, series: 's1', version: '2' }),
      plan('c', { series: 's2', version: '2' }),
      plan('a', { namespace: 'ops', goal: goalRef, series: 's3', version: '2' }),
    ]
    expect(selectPlanForGoal(goal, plans).selected?.id).toBe('c')
    expect(selectPlanForGoal(goal, plans.filter((p) => p.id !== 'c')).selected?.id).toBe('a')
  })

  it('ranks a series member without a version below its versioned siblings', () => {
    const plans = [plan('broken', { series: 's' }), plan('ok', { series: 's', version: '1' })]
    expect(selectPlanForGoal(goal, plans).selected?.id).toBe('ok')
    expect(selectPlanForGoal(goal, [...plans].reverse()).selected?.id).toBe('ok')
  })

  it('selects the same plan whatever the input order (property)', () => {
    const arbPlan = fc
      .record({
        name: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'),
        namespace: fc.constantFrom('finance', 'ops'),
        series: fc.option(fc.constantFrom('a', 'b')),
        version: fc.constantFrom('1', '2', '10', '2-rc.1'),
        supersedes: fc.option(fc.constantFrom('p1', 'p2', 'p3')),
      })
      .map((r) =>
        plan(r.name, {
          namespace: r.namespace,
          goal: { name: 'billing-export', namespace: 'finance' },
          ...(r.series === null ? {} : { series: r.series, version: r.version }),
          ...(r.supersedes === null ? {} : { supersedes: [{ name: r.supersedes }] }),
        }),
      )
    fc.assert(
      fc.property(fc.uniqueArray(arbPlan, { maxLength: 6, selector: (p) => `${p.metadata.namespace}/${p.id}` }), (plans) => {
        const forward = selectPlanForGoal(goal, plans)
        const backward = selectPlanForGoal(goal, [...plans].reverse())
        expect(backward.selected?.id).toBe(forward.selected?.id)
        expect(backward.selected?.metadata.namespace).toBe(forward.selected?.metadata.namespace)
        expect(forward.reason).toBe(forward.selected === undefined ? 'NoPlanFound' : 'PlanFound')
      }),
    )
  })
})
