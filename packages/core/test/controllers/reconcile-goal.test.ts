import { describe, expect, it } from 'vitest'
import { findCondition } from '../../src/conditions.js'
import { initialStatus } from '../../src/controllers/initial-status.js'
import {
  reconcileGoal,
  type GoalExecutionLike,
  type GoalObservation,
  type GoalReconcileTarget,
} from '../../src/controllers/reconcile-goal.js'
import type { GoalStatus } from '../../src/model/generated.js'
import type { PlanLike } from '../../src/plan-selection.js'

const created = '2025-03-01T00:00:00Z'
const createdMs = Date.parse(created)
const now = '2025-03-01T12:00:00Z'
const nowMs = Date.parse(now)
const HOUR = 3_600_000

const plan = (name: string, labels?: Record<string, string>): PlanLike => ({
  metadata: { name, namespace: 'finance', ...(labels ? { labels } : {}) },
  spec: { goalRef: { name: 'billing-export' } },
})
const planA = plan('billing-v3')
const exec = (name: string, phase: GoalExecutionLike['phase'], creationTimestamp = '2025-03-01T06:00:00Z'): GoalExecutionLike => ({
  name,
  ...(phase ? { phase } : {}),
  planRef: { name: 'billing-v3' },
  creationTimestamp,
})

function goal(phase: GoalStatus['phase'] | undefined, extra: Partial<GoalReconcileTarget['spec']> = {}, activePlan = true): GoalReconcileTarget {
  const status: GoalStatus = {
    ...initialStatus('Goal', 1, created),
    ...(phase ? { phase } : {}),
    ...(activePlan && phase !== 'Pending' ? { activePlanRef: { name: 'billing-v3', namespace: 'finance' } } : {}),
  }
  return { metadata: { name: 'billing-export', namespace: 'finance', creationTimestamp: created }, spec: { ...extra }, status }
}

const observe = (overrides: Partial<GoalObservation> = {}): GoalObservation => ({
  goal: goal('Pending'),
  generation: 1,
  plans: [planA],
  executions: [],
  cancelRequested: false,
  now,
  nowMs,
  ...overrides,
})

const progressing = (status: GoalStatus) => findCondition(status.conditions, 'Progressing')
const planResolved = (status: GoalStatus) => findCondition(status.conditions, 'PlanResolved')

describe('reconcileGoal transitions', () => {
  it.each<[string, Partial<GoalObservation>, string, string | undefined]>([
    ['Pending → Ready when a plan is selected', {}, 'Ready', 'WaitingForExecution'],
    ['stays Pending while no plan references the goal', { plans: [] }, 'Pending', 'WaitingForPlan'],
    ['Ready → Pending when the plan is gone', { goal: goal('Ready'), plans: [] }, 'Pending', 'WaitingForPlan'],
    ['Ready → Executing when an Execution runs', { goal: goal('Ready'), executions: [exec('run-1', 'Running')] }, 'Executing', 'ExecutionRunning'],
    ['counts a Pending Execution as running', { goal: goal('Ready'), executions: [exec('run-1', undefined)] }, 'Executing', 'ExecutionRunning'],
    ['Pending → Executing in one step when a plan and a running Execution exist', { executions: [exec('run-1', 'Blocked')] }, 'Executing', 'ExecutionRunning'],
    ['stays Pending with a running Execution but no plan', { plans: [], executions: [exec('run-1', 'Running')] }, 'Pending', 'WaitingForPlan'],
    ['Ready → Succeeded when a whole run was missed', { goal: goal('Ready'), executions: [exec('run-1', 'Succeeded')] }, 'Succeeded', 'Succeeded'],
    ['Executing stays Executing while its Execution runs', { goal: goal('Executing'), executions: [exec('run-1', 'Running')] }, 'Executing', 'ExecutionRunning'],
    ['Executing → Succeeded from its newest Execution', { goal: goal('Executing'), executions: [exec('run-1', 'Succeeded')] }, 'Succeeded', 'Succeeded'],
    ['Executing → Failed from its newest Execution', { goal: goal('Executing'), executions: [exec('run-1', 'Failed')] }, 'Failed', 'ExecutionFailed'],
    ['Executing → Failed when its Execution was cancelled', { goal: goal('Executing'), executions: [exec('run-1', 'Cancelled')] }, 'Failed', 'ExecutionCancelled'],
    [
      'follows the newest Execution, not an older one',
      { goal: goal('Executing'), executions: [exec('run-2', 'Succeeded', '2025-03-01T08:00:00Z'), exec('run-1', 'Failed')] },
      'Succeeded',
      'Succeeded',
    ],
    [
      'breaks a creation-time tie by the greatest name',
      { goal: goal('Executing'), executions: [exec('run-b', 'Succeeded'), exec('run-a', 'Failed'), exec('run-c', 'Failed')] },
      'Failed',
      'ExecutionFailed',
    ],
    [
      'orders an Execution with an unparsable timestamp before any dated one',
      { goal: goal('Executing'), executions: [exec('run-z', 'Failed', 'not a time'), exec('run-a', 'Succeeded')] },
      'Succeeded',
      'Succeeded',
    ],
    [
      'orders an Execution without creationTimestamp before any dated one',
      { goal: goal('Executing'), executions: [{ name: 'run-z', phase: 'Failed' }, exec('run-a', 'Succeeded')] },
      'Succeeded',
      'Succeeded',
    ],
    ['stays Executing, with Progressing Unknown, when its Execution is gone', { goal: goal('Executing') }, 'Executing', 'ExecutionNotFound'],
    ['Failed → Executing when a new Execution starts', { goal: goal('Failed'), executions: [exec('run-2', 'Running')] }, 'Executing', 'ExecutionRunning'],
    ['stays Failed while no new Execution runs', { goal: goal('Failed'), executions: [exec('run-1', 'Failed')] }, 'Failed', undefined],
    ['Pending → Cancelled on cancel', { cancelRequested: true }, 'Cancelled', 'Cancelled'],
    ['Ready → Cancelled on cancel', { goal: goal('Ready'), cancelRequested: true }, 'Cancelled', 'Cancelled'],
    ['Executing → Cancelled on cancel, even when the run just ended', { goal: goal('Executing'), cancelRequested: true, executions: [exec('r', 'Succeeded')] }, 'Cancelled', 'Cancelled'],
    ['Planning → Cancelled on cancel', { goal: goal('Planning', {}, false), cancelRequested: true }, 'Cancelled', 'Cancelled'],
    ['Failed ignores a cancel request', { goal: goal('Failed'), cancelRequested: true }, 'Failed', undefined],
    ['Failed with a new running Execution is cancelled', { goal: goal('Failed'), cancelRequested: true, executions: [exec('r', 'Running')] }, 'Cancelled', 'Cancelled'],
    ['never leaves Succeeded', { goal: goal('Succeeded'), cancelRequested: true, executions: [exec('r', 'Running')] }, 'Succeeded', undefined],
    ['never leaves Cancelled', { goal: goal('Cancelled'), plans: [], executions: [exec('r', 'Running')] }, 'Cancelled', undefined],
    ['Pending → Failed once the timeout has passed', { goal: goal('Pending', { timeout: '6h' }), plans: [] }, 'Failed', 'Timeout'],
    ['Ready → Failed once the timeout has passed', { goal: goal('Ready', { timeout: '12h' }) }, 'Failed', 'Timeout'],
    ['does not time out an Executing goal', { goal: goal('Executing', { timeout: '1h' }), executions: [exec('r', 'Running')] }, 'Executing', 'ExecutionRunning'],
    ['does not time out when an Execution already runs', { goal: goal('Ready', { timeout: '1h' }), executions: [exec('r', 'Running')] }, 'Executing', 'ExecutionRunning'],
    ['Planning → Ready when a plan appears', { goal: goal('Planning', {}, false) }, 'Ready', 'WaitingForExecution'],
    ['stays Planning without a plan', { goal: goal('Planning', {}, false), plans: [] }, 'Planning', undefined],
  ])('%s', (_name, overrides, phase, reason) => {
    const status = reconcileGoal(observe(overrides)).status
    expect(status.phase).toBe(phase)
    expect(status.observedGeneration).toBe(1)
    expect(progressing(status)?.reason).toBe(reason)
  })
})

describe('reconcileGoal details', () => {
  it('records the selected plan and PlanResolved=True PlanFound', () => {
    const status = reconcileGoal(observe({ plans: [plan('other', { tier: 'x' }), planA] })).status
    expect(status.activePlanRef).toEqual({ name: 'billing-v3', namespace: 'finance' })
    expect(planResolved(status)).toMatchObject({ status: 'True', reason: 'PlanFound', message: 'Selected plan finance/billing-v3' })
    expect(findCondition(status.conditions, 'Accepted')?.reason).toBe('GoalCreated')
  })

  it('applies the planSelector', () => {
    const target = goal('Pending', { planSelector: { matchLabels: { tier: 'gold' } } })
    const status = reconcileGoal(observe({ goal: target, plans: [planA, plan('gold', { tier: 'gold' })] })).status
    expect(status.activePlanRef?.name).toBe('gold')
  })

  it('removes activePlanRef and sets PlanResolved=False NoPlanFound when the plan is gone', () => {
    const status = reconcileGoal(observe({ goal: goal('Ready'), plans: [] })).status
    expect(status.activePlanRef).toBeUndefined()
    expect(planResolved(status)).toMatchObject({ status: 'False', reason: 'NoPlanFound' })
  })

  it('keeps activePlanRef through Executing into a terminal phase', () => {
    const status = reconcileGoal(observe({ goal: goal('Executing'), plans: [], executions: [exec('r', 'Succeeded')] })).status
    expect(status.activePlanRef).toEqual({ name: 'billing-v3', namespace: 'finance' })
  })

  it('asks to be requeued at the timeout deadline', () => {
    const result = reconcileGoal(observe({ goal: goal('Pending', { timeout: '24h' }) }))
    expect(result.status.phase).toBe('Ready')
    expect(result.requeueAfterMs).toBe(createdMs + 24 * HOUR - nowMs)
  })

  it('fails exactly at the deadline', () => {
    const result = reconcileGoal(observe({ goal: goal('Pending', { timeout: '12h' }) }))
    expect(result.status.phase).toBe('Failed')
    expect(progressing(result.status)?.message).toBe('The goal did not start executing within its timeout of 12h')
  })

  it.each([
    ['an unparsable timeout', { metadata: { name: 'billing-export', namespace: 'finance', creationTimestamp: created }, spec: { timeout: '7d' } }],
    ['a goal without a creation time', { metadata: { name: 'billing-export', namespace: 'finance' }, spec: { timeout: '1h' } }],
  ])('sets no deadline for %s', (_name, target) => {
    const result = reconcileGoal(observe({ goal: target }))
    expect(result.status.phase).toBe('Ready')
    expect(result.requeueAfterMs).toBeUndefined()
  })

  it('starts from Pending when the goal has no status yet', () => {
    const target = { metadata: { name: 'billing-export', namespace: 'finance' }, spec: {} }
    const status = reconcileGoal(observe({ goal: target, plans: [] })).status
    expect(status.phase).toBe('Pending')
    expect(status.conditions?.map((c) => c.type)).toEqual(['PlanResolved', 'Progressing'])
  })

  it('writes the new generation everywhere', () => {
    const status = reconcileGoal(observe({ generation: 3 })).status
    expect(status.observedGeneration).toBe(3)
    expect(planResolved(status)?.observedGeneration).toBe(3)
  })
})

describe('reconcileGoal idempotence', () => {
  it.each<[string, Partial<GoalObservation>]>([
    ['Pending', { plans: [] }],
    ['Ready', {}],
    ['Ready with a timeout', { goal: goal('Pending', { timeout: '24h' }) }],
    ['Executing', { executions: [exec('r', 'Running')] }],
    ['Executing without an Execution', { goal: goal('Executing') }],
    ['Succeeded', { goal: goal('Executing'), executions: [exec('r', 'Succeeded')] }],
    ['Failed by timeout', { goal: goal('Pending', { timeout: '1h' }) }],
    ['Failed after a new Execution started', { goal: goal('Failed'), executions: [exec('r', 'Running')] }],
    ['Cancelled', { cancelRequested: true }],
    ['Cancelled from Failed', { goal: goal('Failed'), cancelRequested: true, executions: [exec('r', 'Running')] }],
    ['Planning', { goal: goal('Planning', {}, false), plans: [] }],
  ])('gives the same status when reconciling its own %s output again', (_name, overrides) => {
    const observation = observe(overrides)
    const first = reconcileGoal(observation).status
    const second = reconcileGoal({ ...observation, goal: { ...observation.goal, status: first }, now: '2025-03-01T12:30:00Z', nowMs: nowMs + HOUR / 2 }).status
    expect(second).toEqual(first)
  })
})
