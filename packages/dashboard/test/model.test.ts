import { normalizeGraph } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import type { Resource, Viewer } from '../app/api-client.js'
import { blockedReasons } from '../app/model/blocked-reasons.js'
import { displayText, elapsedMs, formatDuration } from '../app/model/display-text.js'
import { gateEligibility } from '../app/model/gate-eligibility.js'
import { MASK, maskSecrets } from '../app/model/mask-secrets.js'
import { runPlanOf } from '../app/model/run-plan.js'
import { parseRoute, routeHash } from '../app/router.js'

describe('displayText', () => {
  it('makes bidi overrides, zero-width and control characters visible and cuts long text', () => {
    expect(displayText('deploy\u202Eexe.txt')).toBe('deploy\\u{202e}exe.txt')
    expect(displayText('a\u200Bb\u0007c\u2066d')).toBe('a\\u{200b}b\\u{7}c\\u{2066}d')
    expect(displayText('line one\nline two\ttab')).toBe('line one\nline two\ttab')
    expect(displayText('x'.repeat(10_000), 50)).toHaveLength(50)
    expect(displayText('x'.repeat(10_000), 50).endsWith('…')).toBe(true)
    expect(displayText({ a: 1 })).toBe('{"a":1}')
    expect(displayText(undefined)).toBe('')
  })

  it('formats durations and elapsed times', () => {
    expect([0, 999, 5_200, 42_000, 185_000, 7_380_000].map(formatDuration)).toEqual(['0ms', '999ms', '5.2s', '42s', '3m5s', '2h3m'])
    expect(formatDuration(-1)).toBe('—')
    expect(elapsedMs('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z', 0)).toBe(5000)
    expect(elapsedMs('2026-01-01T00:00:00Z', undefined, Date.parse('2026-01-01T00:01:00Z'))).toBe(60_000)
    expect(elapsedMs(undefined, undefined, 0)).toBeUndefined()
  })
})

describe('maskSecrets', () => {
  it('masks values of secret-looking keys and credential-looking strings at any depth, keeps the rest', () => {
    const masked = maskSecrets({ user: 'ann', apiToken: 'abc', nested: [{ password: 'p', note: `ghp_${'a'.repeat(36)}` }, 'AKIAABCDEFGHIJKLMNOP'], count: 3 }) as Record<string, any>
    expect(masked).toEqual({ user: 'ann', apiToken: MASK, nested: [{ password: MASK, note: MASK }, MASK], count: 3 })
    expect(Object.getPrototypeOf(masked)).toBeNull()
  })
})

describe('routes', () => {
  it('parses every page and round-trips encoded names', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' })
    expect(parseRoute('#/')).toEqual({ page: 'overview' })
    expect(parseRoute('#/login')).toEqual({ page: 'login' })
    expect(parseRoute('#/executions/team/run-1')).toEqual({ page: 'execution', namespace: 'team', name: 'run-1' })
    expect(parseRoute('#/executions/team/run-1/nodes/build')).toEqual({ page: 'execution', namespace: 'team', name: 'run-1', node: 'build' })
    expect(parseRoute('#/gates/team/g')).toEqual({ page: 'gate', namespace: 'team', name: 'g' })
    expect(parseRoute(routeHash(['plans', 'ns', 'a/b c']))).toEqual({ page: 'plan', namespace: 'ns', name: 'a/b c' })
    for (const bad of ['#/constructor/a/b', '#/goals/a', '#/goals//b', '#/gates/a/b/c', '#/executions/a/b/nodes', '#/plans/%E0%A4%A/x']) expect(parseRoute(bad).page).toBe('missing')
  })
})

const viewer: Viewer = { username: 'alice', groups: ['acme/sre'], subject: 'user:alice', teams: ['team:acme/sre'] }
const entry = (extra: Record<string, unknown> = {}) => ({ name: 'run-1', namespace: 'team', uid: 'u1', digest: 'sha256:1', phase: 'Waiting', changeAuthor: 'user:bob', ...extra })

describe('gateEligibility', () => {
  it('needs RBAC and the reviewer rules, as the server decides', () => {
    expect(gateEligibility(viewer, ['team:acme/sre'], entry(), true)).toEqual({ eligible: true })
    expect(gateEligibility(viewer, ['team:ACME/SRE'], entry(), true)).toEqual({ eligible: true })
    expect(gateEligibility(viewer, [], entry(), true)).toEqual({ eligible: true })
    expect(gateEligibility(viewer, ['user:alice'], entry(), false)).toMatchObject({ eligible: false, reason: expect.stringContaining('role') })
    expect(gateEligibility(viewer, ['team:acme/dev', 'user:carol'], entry(), true)).toMatchObject({ eligible: false, reason: expect.stringContaining('not one of its reviewers') })
    expect(gateEligibility(viewer, ['user:alice'], entry({ changeAuthor: 'user:alice' }), true)).toMatchObject({ eligible: false, reason: expect.stringContaining('separation of duties') })
    expect(gateEligibility(viewer, ['user:alice'], entry({ phase: 'Approved' }), true)).toMatchObject({ eligible: false, reason: 'already approved' })
  })
})

const resource = (kind: string, name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): Resource => ({ kind, metadata: { name, namespace: 'team' }, spec, ...(status ? { status } : {}) })

describe('blockedReasons', () => {
  it('says why a run does not move: a gate and its reviewers, a resource, a claim, a missing binding, a failure', () => {
    const plan = resource('Plan', 'p', {
      graph: {
        nodes: [
          { id: 'approve', kind: 'Gate', gateRef: { name: 'release-gate' } },
          { id: 'wait', kind: 'External', resource: { kind: 'Goal', name: 'x' } },
          { id: 'hook', kind: 'External', webhook: 'https://ci.example.com/status' },
          { id: 'review', kind: 'Task' },
          { id: 'deploy', kind: 'Task', capabilityRefs: [{ name: 'y' }] },
          { id: 'test', kind: 'Task' },
          { id: 'done', kind: 'Task' },
        ],
      },
    })
    const execution = resource('Execution', 'r', { planRef: { name: 'p' } }, {
      nodeStatuses: {
        approve: { phase: 'Blocked', reason: 'AwaitingApproval' },
        wait: { phase: 'Blocked', reason: 'AwaitingExternal' },
        hook: { phase: 'Blocked', reason: 'AwaitingExternal' },
        review: { phase: 'Blocked', reason: 'AwaitingClaim' },
        deploy: { phase: 'Failed', reason: 'Unbound' },
        test: { phase: 'Failed', reason: 'ExitCode' },
        done: { phase: 'Succeeded' },
      },
    })
    const gate = resource('Gate', 'release-gate', { reviewers: ['team:acme/sre'] })
    const run = runPlanOf(execution, (ns, name) => (name === 'p' ? plan : undefined))
    expect(run.source).toBe('current')
    expect(blockedReasons(execution, run.graph, (ns, name) => (name === 'release-gate' ? gate : undefined)).map((r) => r.text)).toEqual([
      'waiting for approval of release-gate by team:acme/sre',
      'waiting for resource goal/x',
      'waiting for external https://ci.example.com/status',
      'waiting for a worker to claim review',
      'no binding for capability y',
      'test failed: ExitCode',
    ])
    expect(blockedReasons(execution, run.graph, () => undefined)[0]).toMatchObject({ text: 'waiting for approval of release-gate by anyone with write access', gate: { namespace: 'team', name: 'release-gate' } })
  })

  it('draws a run from the plan pinned in its status, not the plan as edited since', () => {
    const pinned = { kind: 'Plan', name: 'p', namespace: 'team', value: { kind: 'Plan', metadata: { name: 'p' }, spec: { graph: { nodes: [{ id: 'old', kind: 'Task' }] } } } }
    const execution = resource('Execution', 'r', { planRef: { name: 'p' } }, { extensions: { 'io.planspec.runSource': { resources: [pinned] } } })
    const edited = resource('Plan', 'p', { graph: { nodes: [{ id: 'new', kind: 'Task' }] } })
    const run = runPlanOf(execution, () => edited)
    expect(run.source).toBe('pinned')
    expect(run.graph.nodes.map((n) => n.id)).toEqual(['old'])
    expect(normalizeGraph({ nodes: [] }).nodes).toEqual([])
  })
})
