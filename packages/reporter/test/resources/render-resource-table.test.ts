import { describe, expect, it } from 'vitest'
import { formatAge, renderResourceTable, type ListedResource } from '../../src/resources/render-resource-table.js'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const created = (secondsAgo: number): { creationTimestamp: string } => ({ creationTimestamp: new Date(NOW - secondsAgo * 1000).toISOString() })

const execution: ListedResource = {
  kind: 'Execution',
  name: 'release-1',
  namespace: 'default',
  metadata: created(300),
  spec: { planRef: { name: 'release' }, goalRef: { name: 'ship' } },
  status: { phase: 'Running', reason: 'NodesRunning', nodeStatuses: { a: { phase: 'Succeeded' }, b: { phase: 'Skipped' }, c: { phase: 'Running' } } },
}

describe('renderResourceTable', () => {
  it('lists Executions with phase, plan, progress and age', () => {
    const pending: ListedResource = { kind: 'Execution', name: 'new', namespace: 'default', spec: { planRef: { name: 'release' } } }
    expect(renderResourceTable('Execution', [execution, pending], { nowMs: NOW })).toBe(
      ['NAME       PHASE    PLAN     PROGRESS  AGE', 'release-1  Running  release  2/3       5m', 'new        Pending  release            <unknown>', ''].join('\n'),
    )
  })

  it('adds wide columns and a namespace column across namespaces', () => {
    expect(renderResourceTable('Execution', [execution], { nowMs: NOW, wide: true, allNamespaces: true })).toBe(
      ['NAMESPACE  NAME       PHASE    PLAN     PROGRESS  GOAL  REASON        AGE', 'default    release-1  Running  release  2/3       ship  NodesRunning  5m', ''].join('\n'),
    )
  })

  it('lists Plans, Goals, Capabilities and Bindings with their printer columns', () => {
    const plan: ListedResource = { kind: 'Plan', name: 'release', namespace: 'default', metadata: created(10), spec: { goalRef: { name: 'ship' }, version: '2', graph: { nodes: [{}, {}] } }, status: { phase: 'Ready', nodeCount: 2 } }
    const unreconciled: ListedResource = { kind: 'Plan', name: 'draft', namespace: 'default', metadata: created(10), spec: { graph: { nodes: [{}] } } }
    const bare: ListedResource = { kind: 'Plan', name: 'bare', namespace: 'default', metadata: created(10), spec: {} }
    expect(renderResourceTable('Plan', [plan, unreconciled, bare], { nowMs: NOW, wide: true })).toBe(
      ['NAME     PHASE  NODES  GOAL  VERSION  AGE', 'release  Ready  2      ship  2        10s', 'draft           1                     10s', 'bare            0                     10s', ''].join('\n'),
    )
    expect(renderResourceTable('Goal', [{ kind: 'Goal', name: 'ship', namespace: 'default', metadata: created(7200), status: { phase: 'Executing', activePlanRef: { name: 'release' } } }], { nowMs: NOW })).toBe('NAME  PHASE      PLAN     AGE\nship  Executing  release  2h\n')
    expect(renderResourceTable('Capability', [{ kind: 'Capability', name: 'deploy', namespace: 'default', metadata: created(3 * 86400), status: { phase: 'Available' } }], { nowMs: NOW })).toBe('NAME    PHASE      AGE\ndeploy  Available  3d\n')
    const bindings: ListedResource[] = [
      { kind: 'Binding', name: 'prod', namespace: 'default', metadata: created(1), status: { phase: 'Ready', totalCount: 3, boundCount: 3 } },
      { kind: 'Binding', name: 'none', namespace: 'default', metadata: created(1), status: { phase: 'Unresolved', totalCount: 2 } },
      { kind: 'Binding', name: 'fresh', namespace: 'default', metadata: created(1) },
    ]
    expect(renderResourceTable('Binding', bindings, { nowMs: NOW })).toBe('NAME   PHASE       BOUND  AGE\nprod   Ready       3/3    1s\nnone   Unresolved  0/2    1s\nfresh                     1s\n')
  })

  it('counts distinct approvers of the current generation for Gates and shows the target', () => {
    const gate: ListedResource = {
      kind: 'Gate',
      name: 'go',
      namespace: 'default',
      metadata: { ...created(60), generation: 2 },
      spec: { requiredApprovers: 2, reviewers: ['team:acme/sre', 'user:bob'], targetRef: { kind: 'Execution', name: 'release-1', nodeId: 'approve' } },
      status: {
        phase: 'Waiting',
        reviewHistory: [
          { reviewer: 'user:alice', action: 'approve', targetGeneration: 2 },
          { reviewer: 'user:alice', action: 'approve', targetGeneration: 2 },
          { reviewer: 'user:carol', action: 'approve', targetGeneration: 1 },
          { reviewer: 'user:dave', action: 'comment', targetGeneration: 2 },
          { reviewer: 'user:mallory', action: 'approve', targetGeneration: 2, execution: { name: 'release-1', uid: 'u1' }, counted: false, reason: 'SelfApproval' },
        ],
        executions: [{ name: 'release-1', namespace: 'default', uid: 'u1', digest: `sha256:${'a'.repeat(64)}`, phase: 'Waiting' }],
      },
    }
    const fresh: ListedResource = { kind: 'Gate', name: 'later', namespace: 'default', metadata: created(60), spec: { targetRef: { kind: 'Execution', name: 'x' } }, status: { reviewHistory: [{ reviewer: 'user:erin', action: 'approve' }, { reviewer: 'user:frank', action: 'reject', counted: false }] } }
    const untargeted: ListedResource = { kind: 'Gate', name: 'loose', namespace: 'default', metadata: created(60), spec: {} }
    expect(renderResourceTable('Gate', [gate, fresh, untargeted], { nowMs: NOW, wide: true })).toBe(
      [
        'NAME   PHASE    APPROVALS  TARGET                       REVIEWERS               EXECUTIONS         REVIEWS                                                                                                                                   AGE',
        'go     Waiting  1/2        execution/release-1#approve  team:acme/sre,user:bob  release-1=Waiting  user:alice approve counted; user:alice approve counted; user:carol approve counted; user:mallory approve@release-1 refused(SelfApproval)  60s',
        'later  Pending  1/1        execution/x                                                             user:erin approve counted; user:frank reject refused(NotCounted)                                                                          60s',
        'loose  Pending  0/1                                                                                                                                                                                                                          60s',
        '',
      ].join('\n'),
    )
  })

  it('says so when there is nothing to list, and prints unknown kinds with name and age only', () => {
    expect(renderResourceTable('Execution', [], { nowMs: NOW })).toBe('No resources found.\n')
    expect(renderResourceTable('Role', [{ kind: 'Role', name: 'r', namespace: 'default', metadata: created(5) }], { nowMs: NOW })).toBe('NAME  AGE\nr     5s\n')
  })

  it('neutralises terminal control sequences in values', () => {
    const evil: ListedResource = { ...execution, status: { phase: 'Running\u001b[2J' } }
    expect(renderResourceTable('Execution', [evil], { nowMs: NOW })).not.toContain('\u001b')
  })
})

describe('formatAge', () => {
  const cases: [string | undefined, number, string][] = [
    [undefined, NOW, '<unknown>'],
    ['not a time', NOW, '<unknown>'],
    ['2026-11-25T12:00:10Z', NOW, '0s'],
    ['2026-11-25T11:58:01Z', NOW, '119s'],
    ['2026-11-25T11:58:00Z', NOW, '2m'],
    ['2026-11-25T10:00:01Z', NOW, '119m'],
    ['2026-11-25T10:00:00Z', NOW, '2h'],
    ['2026-11-23T12:00:01Z', NOW, '47h'],
    ['2026-11-23T12:00:00Z', NOW, '2d'],
  ]
  for (const [timestamp, now, expected] of cases) it(`${timestamp} → ${expected}`, () => expect(formatAge(timestamp, now)).toBe(expected))
})
