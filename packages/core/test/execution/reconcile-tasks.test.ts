import { describe, expect, it } from 'vitest'
import type { Action } from '../../src/execution/execution-types.js'
import { recordAttemptResult } from '../../src/execution/record-attempt-result.js'
import { reconcileExecution } from '../../src/execution/reconcile-execution.js'
import type { ExecutionStatus } from '../../src/model/generated.js'
import { NOW, at, bound, iso, node, observe, phaseOf, task, T0, type TestNode } from './fixtures.js'

const dispatched = (actions: readonly Action[]): string[] => actions.flatMap((a) => (a.type === 'dispatch' ? [a.node] : []))

describe('reconcileExecution: readiness', () => {
  const cases: { name: string; nodes: TestNode[]; edges?: { from: string; to: string; type?: string }[]; expected: string[] }[] = [
    { name: 'dispatches every root in file order', nodes: [task('b'), task('a')], expected: ['b', 'a'] },
    { name: 'holds a node until its hard predecessor finished', nodes: [task('a'), task('b', { dependsOn: ['a'] })], expected: ['a'] },
    {
      name: 'never blocks on a soft edge but orders the ready nodes by it',
      nodes: [task('b'), task('a')],
      edges: [{ from: 'a', to: 'b', type: 'soft' }],
      expected: ['a', 'b'],
    },
    { name: 'never dispatches a Group node', nodes: [task('a'), { id: 'g', kind: 'Group', children: ['a', 'ghost'] }], expected: ['a'] },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const { actions } = reconcileExecution(observe(c.nodes, c.edges === undefined ? {} : { edges: c.edges }))
      expect(dispatched(actions)).toEqual(c.expected)
    })
  }

  it('starts a node whose hard predecessor succeeded or was skipped by its own when', () => {
    const o = observe([task('a'), task('s', { when: 'false' }), task('b', { dependsOn: ['a', 's'] })])
    const first = reconcileExecution(o)
    expect(node(first.status, 's')).toMatchObject({ phase: 'Skipped', reason: 'ConditionFalse', completionTime: NOW })
    const done = recordAttemptResult(first.status, { node: 'a', attempt: 1, outcome: 'succeeded', now: NOW })
    expect(dispatched(at(o, done, 1).actions)).toEqual(['b'])
  })

  const upstream: { name: string; pred: ExecutionStatus['nodeStatuses'] }[] = [
    { name: 'Failed', pred: { a: { phase: 'Failed', reason: 'AttemptFailed', attempt: 1 } } },
    { name: 'Cancelled', pred: { a: { phase: 'Cancelled' } } },
    { name: 'Skipped with UpstreamFailed', pred: { a: { phase: 'Skipped', reason: 'UpstreamFailed' } } },
  ]
  for (const c of upstream) {
    it(`skips a node with UpstreamFailed when a hard predecessor ended ${c.name}`, () => {
      const o = observe([task('a'), task('b', { dependsOn: ['a'] })])
      const status: ExecutionStatus = { phase: 'Running', specHash: 'sha256:aaa', startTime: NOW, nodeStatuses: c.pred }
      const result = reconcileExecution({ ...o, status })
      expect(node(result.status, 'b')).toMatchObject({ phase: 'Skipped', reason: 'UpstreamFailed' })
      expect(result.actions).toEqual([])
    })
  }

  it('derives group statuses from children: Running, Failed, nested, Pending', () => {
    const o = observe([
      task('a'),
      task('b', { dependsOn: ['a'] }),
      { id: 'g1', kind: 'Group', children: ['a'] },
      { id: 'g2', kind: 'Group', children: ['g1', 'b'] },
      { id: 'g3', kind: 'Group', children: ['b'] },
      { id: 'g4', kind: 'Group', children: ['g4', 'g1'] },
      { id: 'g5', kind: 'Group' },
    ])
    const first = reconcileExecution(o).status
    expect([phaseOf(first, 'g1'), phaseOf(first, 'g2'), phaseOf(first, 'g3'), phaseOf(first, 'g4'), phaseOf(first, 'g5')]).toEqual(['Running', 'Running', 'Pending', 'Running', 'Succeeded'])
    const failed = recordAttemptResult(first, { node: 'a', attempt: 1, outcome: 'failed', now: NOW })
    const after = at(o, failed, 1).status
    expect([phaseOf(after, 'g1'), phaseOf(after, 'g2'), phaseOf(after, 'g3')]).toEqual(['Failed', 'Failed', 'Succeeded'])
  })
})

describe('reconcileExecution: Task when and inputs', () => {
  const cases: { name: string; node: TestNode; phase: string; reason?: string }[] = [
    { name: 'fails with WhenError when when is not a boolean', node: task('t', { when: '"yes"' }), phase: 'Failed', reason: 'WhenError' },
    { name: 'fails with WhenError when when cannot be evaluated', node: task('t', { when: 'params.nope' }), phase: 'Failed', reason: 'WhenError' },
    { name: 'skips with ConditionFalse when when is false', node: task('t', { when: 'params.env == "dev"' }), phase: 'Skipped', reason: 'ConditionFalse' },
    { name: 'dispatches when when is true', node: task('t', { when: 'params.env == "prod"' }), phase: 'Running' },
    { name: 'sees its resolved inputs in when', node: task('t', { inputs: { e: '${{ params.env }}' }, when: 'inputs.e == "prod"' }), phase: 'Running' },
    { name: 'fails with InputError when an input template fails', node: task('t', { inputs: { x: '${{ fail("boom") }}' } }), phase: 'Failed', reason: 'InputError' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const { status } = reconcileExecution(observe([c.node], { parameters: { env: 'prod' } }))
      expect(node(status, 't').phase).toBe(c.phase)
      expect(node(status, 't').reason).toBe(c.reason)
    })
  }

  it('fails the execution with WhenError, naming the node', () => {
    const { status } = reconcileExecution(observe([task('t', { when: '1' })]))
    expect(status).toMatchObject({ phase: 'Failed', reason: 'WhenError' })
    expect(status.message).toContain('node "t" failed (WhenError)')
  })

  it('resolves inputs from hard ancestors outputs and phases, goal and params, keeping whole-template types', () => {
    const o = observe(
      [
        task('a'),
        task('b', {
          dependsOn: ['a'],
          timeout: '1m',
          inputs: { sha: '${{ nodes.a.outputs.sha }}', msg: 'a is ${{ nodes.a.phase }} for ${{ goal.team }}', n: '${{ params.n }}', raw: 7 },
        }),
      ],
      { parameters: { n: 3 }, goalConstraints: { team: 'core' } },
    )
    const first = reconcileExecution(o)
    const done = recordAttemptResult(first.status, { node: 'a', attempt: 1, outcome: 'succeeded', outputs: { sha: 'abc' }, now: NOW })
    const { actions } = at(o, done, 1)
    expect(actions).toEqual([
      {
        type: 'dispatch',
        node: 'b',
        attempt: 1,
        runId: 'u1/b/1',
        provider: 'exec://run',
        inputs: { sha: 'abc', msg: 'a is Succeeded for core', n: 3, raw: 7 },
        timeoutMs: 60_000,
      },
    ])
  })

  it('passes the binding config along and does not expose non-ancestors to expressions', () => {
    const o = observe([task('a'), task('b', { inputs: { x: '${{ nodes.a.phase }}' } })], {
      bindings: new Map([
        ['a', { outcome: 'bound', provider: 'mcp://s/t', config: { k: 1 }, claimable: false }],
        ['b', bound()],
      ]),
    })
    const { status, actions } = reconcileExecution(o)
    expect(actions[0]).toMatchObject({ provider: 'mcp://s/t', config: { k: 1 } })
    expect(node(status, 'b')).toMatchObject({ phase: 'Failed', reason: 'InputError' })
  })
})

describe('reconcileExecution: bindings', () => {
  it('fails the execution with Unbound before any node runs, naming node and capability', () => {
    const o = observe([task('a'), task('b')], {
      bindings: new Map([
        ['a', bound()],
        ['b', { outcome: 'unbound', reason: 'NoRule', message: 'capability "deploy" has no binding rule' }],
      ]),
    })
    const { status, actions } = reconcileExecution(o)
    expect(actions).toEqual([])
    expect(status).toMatchObject({ phase: 'Failed', reason: 'Unbound', message: 'node "b": capability "deploy" has no binding rule', completionTime: NOW })
    expect(node(status, 'a')).toMatchObject({ phase: 'Cancelled', reason: 'NotStarted' })
  })

  it('runs past an optional unbound capability but fails that node with Unbound at dispatch', () => {
    const o = observe([task('a'), task('b')], {
      bindings: new Map([
        ['a', bound()],
        ['b', { outcome: 'conflict', reason: 'Conflict', message: 'two rules tie', optional: true }],
      ]),
    })
    const { status, actions } = reconcileExecution(o)
    expect(dispatched(actions)).toEqual(['a'])
    expect(node(status, 'b')).toMatchObject({ phase: 'Failed', reason: 'Unbound', message: 'two rules tie' })
  })

  it('fails a Task with no observed binding with Unbound', () => {
    const { status } = reconcileExecution(observe([task('a')], { bindings: new Map() }))
    expect(node(status, 'a')).toMatchObject({ phase: 'Failed', reason: 'Unbound' })
    expect(status.reason).toBe('Unbound')
  })

  it('blocks a claimable task after dispatch with AwaitingClaim, then completes it through recordAttemptResult', () => {
    const o = observe([task('a')], { bindings: new Map([['a', bound('human://ops', true)]]) })
    const first = reconcileExecution(o)
    expect(dispatched(first.actions)).toEqual(['a'])
    expect(node(first.status, 'a')).toMatchObject({ phase: 'Blocked', reason: 'AwaitingClaim', attempt: 1 })
    expect(first.status).toMatchObject({ phase: 'Blocked', reason: 'AwaitingClaim', message: 'waiting on node "a"' })
    const done = recordAttemptResult(first.status, { node: 'a', attempt: 1, outcome: 'succeeded', now: iso(T0 + 9) })
    expect(node(done, 'a').reason).toBeUndefined()
    expect(at(o, done, 10).status.phase).toBe('Succeeded')
  })
})
