import { describe, expect, it } from 'vitest'
import { CANCEL_ANNOTATION, reconcileResources, type ReconcileFacts } from '../../src/controllers/reconcile-resources.js'
import { indexResources, type IndexedResource } from '../../src/controllers/resource-index.js'
import { subjectOf } from '../../src/object-key.js'

const now = '2026-01-01T00:00:00.000Z'

function res(kind: string, namespace: string, name: string, spec: unknown, extra: { metadata?: Record<string, unknown>; status?: unknown; generation?: number } = {}): IndexedResource {
  return { kind, namespace, name, object: { apiVersion: 'planspec.io/v1alpha1', kind, metadata: { name, namespace, ...extra.metadata }, spec }, generation: extra.generation ?? 1, ...(extra.status === undefined ? {} : { status: extra.status }) }
}

const facts = (overrides: Partial<ReconcileFacts> = {}): ReconcileFacts => ({
  planIssues: () => [],
  graphDigest: () => 'sha256:actual',
  reviewers: () => ({ teams: new Map() }),
  changeAuthor: () => undefined,
  ...overrides,
})

const task = (id: string, ...caps: { name: string; namespace?: string; optional?: boolean }[]): unknown => ({ id, kind: 'Task', capabilityRefs: caps })
const plan = (namespace: string, name: string, nodes: unknown[], more: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): IndexedResource => res('Plan', namespace, name, { graph: { nodes }, ...more }, { metadata })
const get = (statuses: ReadonlyMap<string, unknown>, kind: string, ns: string, name: string): Record<string, unknown> => statuses.get(subjectOf(kind, ns, name)) as Record<string, unknown>

describe('reconcileResources: Bindings', () => {
  it('reports an optional capability without a rule as PartiallyBound, a required one as Unresolved', () => {
    const binding = res('Binding', 'a', 'b', { rules: [{ selector: { capabilityRef: { name: 'code' } }, target: { provider: 'noop://' } }] })
    const optional = plan('a', 'p', [task('t', { name: 'code' }, { name: 'notify', optional: true })])
    const run = res('Execution', 'a', 'r', { planRef: { name: 'p' }, bindingRef: { name: 'b' } })
    const { statuses } = reconcileResources(indexResources([binding, optional, run]), facts(), now)
    expect(get(statuses, 'Binding', 'a', 'b')).toMatchObject({ phase: 'PartiallyBound', totalCount: 2, boundCount: 1 })
    const required = plan('a', 'p', [task('t', { name: 'code' }, { name: 'notify' })])
    expect(get(reconcileResources(indexResources([binding, required, run]), facts(), now).statuses, 'Binding', 'a', 'b')).toMatchObject({ phase: 'Unresolved' })
  })

  it('serves the Plans its rules name or match and those of Executions in any namespace that name it', () => {
    const binding = res('Binding', 'a', 'b', {
      rules: [
        { selector: { planRef: { name: 'named', namespace: 'other' } }, target: { provider: 'noop://' } },
        { selector: { matchLabels: { team: 'x' } }, target: { provider: 'noop://' } },
        { selector: {}, target: { provider: 'noop://' } },
        { selector: { planRef: { name: 'missing' } }, target: { provider: 'noop://' } },
        'garbage',
      ],
    })
    const resources = [
      binding,
      plan('other', 'named', [task('n', { name: 'c1' })]),
      plan('a', 'labelled', [task('l', { name: 'c2' }), { id: 'g', kind: 'Gate', gateRef: { name: 'x' } }, { id: 'bad', kind: 'Task', capabilityRefs: ['nope'] }, { id: 'none', kind: 'Task' }], {}, { labels: { team: 'x' } }),
      plan('a', 'unlabelled', [task('u', { name: 'c3' })], {}, { labels: { team: 'y' } }),
      plan('c', 'run-plan', [task('r', { name: 'c4' })]),
      plan('d', 'node-plan', [task('q', { name: 'c5', namespace: 'caps' })]),
      res('Execution', 'c', 'run', { planRef: { name: 'run-plan' }, bindingRef: { name: 'b', namespace: 'a' } }),
      res('Execution', 'd', 'node-run', { planRef: { name: 'node-plan' }, nodeBindings: { q: { name: 'b', namespace: 'a' } } }),
      res('Execution', 'a', 'no-plan', { bindingRef: { name: 'b' } }),
      res('Execution', 'a', 'graphless', { planRef: { name: 'graphless' }, bindingRef: { name: 'b' } }),
      res('Plan', 'a', 'graphless', {}),
    ]
    const status = get(reconcileResources(indexResources(resources), facts(), now).statuses, 'Binding', 'a', 'b') as { totalCount: number; unboundCapabilities: { nodeId: string; capabilityRef: unknown }[] }
    // Plans in namespace/name order: a/labelled, c/run-plan, d/node-plan, other/named; the rules bind the first and the last.
    expect(status).toMatchObject({ totalCount: 4, boundCount: 2 })
    expect(status.unboundCapabilities.map((u) => u.nodeId)).toEqual(['r', 'q'])
    expect(status.unboundCapabilities.find((u) => u.nodeId === 'q')?.capabilityRef).toEqual({ name: 'c5', namespace: 'caps' })
  })

  it('treats a Binding without rules as serving nobody', () => {
    const { statuses } = reconcileResources(indexResources([res('Binding', 'a', 'b', {})]), facts(), now)
    expect(get(statuses, 'Binding', 'a', 'b')).toMatchObject({ phase: 'Ready', totalCount: 0 })
  })
})

describe('reconcileResources: Goals', () => {
  const goal = (extra: Parameters<typeof res>[4] = {}, spec: unknown = {}): IndexedResource => res('Goal', 'g', 'goal', spec, extra)

  it('selects a Plan from another namespace whose goalRef names the Goal', () => {
    const { statuses } = reconcileResources(indexResources([goal(), plan('p', 'far', [], { goalRef: { name: 'goal', namespace: 'g' } }, { labels: { a: 'b' } }), plan('p', 'unrelated', [], { goalRef: { name: 'goal' } })]), facts(), now)
    expect(get(statuses, 'Goal', 'g', 'goal')).toMatchObject({ phase: 'Ready', activePlanRef: { name: 'far', namespace: 'p' } })
  })

  it('follows an Execution from another namespace whose goalRef names the Goal', () => {
    const resources = [
      goal(),
      plan('g', 'pl', [], { goalRef: { name: 'goal' } }),
      res('Execution', 'e', 'run', { goalRef: { name: 'goal', namespace: 'g' }, planRef: { name: 'pl', namespace: 'g' } }, { metadata: { creationTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Succeeded' } }),
      res('Execution', 'e', 'bare', { goalRef: { name: 'goal', namespace: 'g' } }),
    ]
    expect(get(reconcileResources(indexResources(resources), facts(), now).statuses, 'Goal', 'g', 'goal')).toMatchObject({ phase: 'Succeeded' })
  })

  it('cancels on the annotation or on a counted request', () => {
    const annotated = goal({ metadata: { annotations: { [CANCEL_ANNOTATION]: 'true' } } })
    expect(get(reconcileResources(indexResources([annotated]), facts(), now).statuses, 'Goal', 'g', 'goal')).toMatchObject({ phase: 'Cancelled' })
    const requested = reconcileResources(indexResources([goal()]), facts({ cancelRequested: new Set([subjectOf('Goal', 'g', 'goal')]) }), now)
    expect(get(requested.statuses, 'Goal', 'g', 'goal')).toMatchObject({ phase: 'Cancelled' })
  })

  it('asks to be called again at the soonest Goal timeout', () => {
    const created = { metadata: { creationTimestamp: '2025-12-31T23:00:00.000Z' } }
    const result = reconcileResources(indexResources([goal(created, { timeout: '2h' }), res('Goal', 'g', 'other', { timeout: '3h' }, created)]), facts(), now)
    expect(result.requeueAfterMs).toBe(3_600_000)
  })
})

describe('reconcileResources: Capabilities', () => {
  it('settles a chain of requirements in one call, whatever the order', () => {
    const resources = [
      res('Capability', 'a', 'top', { requirements: [{ name: 'mid' }] }),
      res('Capability', 'a', 'mid', { requirements: [{ name: 'low', namespace: 'b' }] }),
      res('Capability', 'b', 'low', { requirements: [{ name: 'missing' }, { name: 'gone', optional: true }] }),
      res('Capability', 'c', 'odd', { requirements: 'nope' }),
    ]
    const { statuses } = reconcileResources(indexResources(resources), facts(), now)
    expect(['top', 'mid'].map((n) => get(statuses, 'Capability', 'a', n).phase)).toEqual(['Unavailable', 'Unavailable'])
    expect(get(statuses, 'Capability', 'b', 'low').phase).toBe('Unavailable')
    expect(get(statuses, 'Capability', 'c', 'odd').phase).toBe('Available')
  })

  it('reads the phases of capabilities it does not reconcile from the index', () => {
    const resources = [res('Capability', 'a', 'top', { requirements: [{ name: 'low' }] }), res('Capability', 'a', 'low', {}, { status: { phase: 'Unavailable' } })]
    const { statuses } = reconcileResources(indexResources(resources), facts({ only: new Set([subjectOf('Capability', 'a', 'top')]) }), now)
    expect([...statuses.keys()]).toEqual([subjectOf('Capability', 'a', 'top')])
    expect(get(statuses, 'Capability', 'a', 'top').phase).toBe('Unavailable')
  })
})

describe('reconcileResources: Plans', () => {
  it('leaves a Plan whose findings are not known yet, and checks a declared digest', () => {
    const unknown = plan('a', 'later', [])
    const declared = plan('a', 'digest', [{ id: 't', kind: 'Task' }], { graphDigest: 'sha256:declared' })
    const malformed = res('Plan', 'a', 'malformed', { graph: { nodes: 'x' } })
    const { statuses } = reconcileResources(indexResources([unknown, declared, malformed]), facts({ planIssues: (p) => (p.name === 'later' ? undefined : []) }), now)
    expect(statuses.has(subjectOf('Plan', 'a', 'later'))).toBe(false)
    expect(get(statuses, 'Plan', 'a', 'digest')).toMatchObject({ conditions: [expect.objectContaining({ type: 'Valid', status: 'False', reason: 'GraphDigestMismatch' })] })
    expect(get(statuses, 'Plan', 'a', 'malformed')).toMatchObject({ nodeCount: 0 })
  })
})

describe('reconcileResources: Gates', () => {
  const gatePlan = plan('a', 'p', [{ id: 'approve', kind: 'Gate', gateRef: { name: 'gate' } }, { id: 'other', kind: 'Gate', gateRef: { name: 'second' } }, { id: 'bad', kind: 'Gate' }])
  const running = (name: string, uid: string | undefined, phase = 'Blocked', planRef: unknown = { name: 'p' }): IndexedResource =>
    res('Execution', 'a', name, { planRef }, { metadata: uid === undefined ? {} : { uid }, status: { phase: 'Blocked', runDigest: 'sha256:run', nodeStatuses: { approve: { phase }, other: { phase }, bad: { phase } } } })

  it('binds new actions to the waiting Executions, skips recorded ones and reports refusals', () => {
    const gate = res('Gate', 'a', 'gate', { reviewers: ['user:ann', 'user:bob'], requiredApprovers: 1 }, { status: { reviewHistory: [{ reviewer: 'user:zed', action: 'comment', timestamp: now, source: 'request:old' }] } })
    const resources = [gatePlan, gate, res('Plan', 'a', 'graphless', {}), running('graphless', 'uid-6', 'Blocked', { name: 'graphless' }), running('run', 'uid-1'), running('run2', 'uid-2'), running('no-uid', undefined), running('done', 'uid-3', 'Succeeded'), running('no-plan', 'uid-4', 'Blocked', 'x'), running('lost-plan', 'uid-5', 'Blocked', { name: 'missing' })]
    const result = reconcileResources(indexResources(resources), facts({
      changeAuthor: (e) => (e.name === 'run' ? 'user:ann' : undefined),
      gateActions: [
        { gate: { namespace: 'a', name: 'gate' }, reviewer: 'user:ann', action: 'approve', timestamp: now, targetGeneration: 1, source: 'request:1' },
        { gate: { namespace: 'a', name: 'gate' }, reviewer: 'user:zed', action: 'approve', timestamp: now, targetGeneration: 1, source: 'request:old' },
        { gate: { namespace: 'a', name: 'gate' }, reviewer: 'user:bob', action: 'approve', timestamp: now, targetGeneration: 1 },
        { gate: { namespace: 'a', name: 'gate' }, reviewer: 'user:eve', action: 'approve', timestamp: now, targetGeneration: 1 },
        { gate: { namespace: 'a', name: 'second' }, reviewer: 'user:bob', action: 'approve', timestamp: now, targetGeneration: 1, source: 'request:2' },
      ],
    }), now)
    const status = get(result.statuses, 'Gate', 'a', 'gate') as { executions: { name: string; phase: string }[]; reviewHistory: unknown[] }
    // run: ann wrote it (refused), bob approves; run2 has no known author, so ann's approval counts.
    expect(status.executions.map((e) => [e.name, e.phase])).toEqual([['run', 'Approved'], ['run2', 'Approved']])
    expect(status.reviewHistory).toHaveLength(7)
    const eve = { gate: subjectOf('Gate', 'a', 'gate'), reviewer: 'user:eve', reason: 'NotEligible' }
    expect(result.refused).toEqual([{ gate: subjectOf('Gate', 'a', 'gate'), reviewer: 'user:ann', reason: 'SelfApproval', source: 'request:1' }, eve, eve])
  })

  it('says whether its targetRef names something, passing writers on', () => {
    const named = res('Gate', 'a', 'named', { targetRef: { kind: 'Plan', name: 'p' } })
    const missing = res('Gate', 'a', 'missing', { targetRef: { kind: 'Execution', name: 'ghost', namespace: 'b' } })
    const none = res('Gate', 'a', 'none', {})
    const { statuses } = reconcileResources(indexResources([gatePlan, named, missing, none]), facts({ reviewers: () => ({ teams: new Map(), writers: ['user:w'] }) }), now)
    const condition = (name: string): unknown => (get(statuses, 'Gate', 'a', name).conditions as { type: string }[]).find((c) => c.type === 'TargetResolved')
    expect(condition('named')).toMatchObject({ status: 'True', reason: 'TargetFound' })
    expect(condition('none')).toMatchObject({ status: 'True' })
    expect(condition('missing')).toMatchObject({ status: 'False', reason: 'TargetNotFound', message: 'targetRef names Execution "ghost", which does not exist in namespace "b"' })
  })
})

describe('reconcileResources: level-based', () => {
  it('gives the same statuses when reconciled again with its own output (idempotence)', () => {
    const resources = [
      res('Capability', 'a', 'c', {}),
      plan('a', 'p', [task('t', { name: 'c' })], { goalRef: { name: 'g' } }),
      res('Binding', 'a', 'b', { rules: [{ selector: { capabilityRef: { name: 'c' } }, target: { provider: 'noop://' } }] }),
      res('Goal', 'a', 'g', {}),
      res('Gate', 'a', 'gate', {}),
      res('Execution', 'a', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'b' }, goalRef: { name: 'g' } }),
    ]
    const first = reconcileResources(indexResources(resources), facts(), now)
    const again = resources.map((r) => (first.statuses.has(subjectOf(r.kind, r.namespace, r.name)) ? { ...r, status: first.statuses.get(subjectOf(r.kind, r.namespace, r.name)) } : r))
    const second = reconcileResources(indexResources(again), facts(), '2026-01-02T00:00:00.000Z')
    expect(second.statuses).toEqual(first.statuses)
  })
})

describe('reconcileResources: only', () => {
  it('reconciles the named resources exactly as a full reconcile does, and nothing else', () => {
    const resources = [
      res('Capability', 'a', 'c', {}),
      res('Capability', 'b', 'c', { requirements: [{ name: 'c', namespace: 'a' }] }),
      plan('a', 'p', [task('t', { name: 'c' })], { goalRef: { name: 'g' } }),
      res('Binding', 'a', 'b', { rules: [{ selector: { capabilityRef: { name: 'c' } }, target: { provider: 'noop://' } }] }),
      res('Goal', 'a', 'g', {}),
      res('Goal', 'z', 'g', {}),
      res('Gate', 'a', 'gate', {}),
      res('Execution', 'a', 'e', { planRef: { name: 'p' }, bindingRef: { name: 'b' }, goalRef: { name: 'g' } }),
    ]
    const full = reconcileResources(indexResources(resources), facts(), now).statuses
    const chosen = [subjectOf('Goal', 'a', 'g'), subjectOf('Capability', 'b', 'c'), subjectOf('Binding', 'a', 'b'), subjectOf('Gate', 'a', 'gate'), subjectOf('Goal', 'a', 'missing')]
    const only = reconcileResources(indexResources(resources), facts({ only: new Set(chosen) }), now).statuses
    expect([...only.keys()].sort()).toEqual(chosen.filter((k) => full.has(k)).sort())
    for (const [k, status] of only) expect(status).toEqual(full.get(k))
  })
})
