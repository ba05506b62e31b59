import { normalizeGraph, RETRY_AT_KEY, type ExecutionStatus } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { renderProgressMarkdown } from '../../src/markdown/render-progress-markdown.js'
import { expectSafeMarkdown } from './check-markdown.js'

const graph = normalizeGraph({
  nodes: [
    { id: 'build', kind: 'Task' },
    { id: 'test', kind: 'Task', dependsOn: ['build'] },
    { id: 'approve', kind: 'Gate', dependsOn: ['test'], gateRef: { name: 'release-approval' } },
    { id: 'deploy', kind: 'Task', dependsOn: ['approve'] },
    { id: 'docs', kind: 'Task' },
    { id: 'vendor', kind: 'External' },
    { id: 'review', kind: 'Task' },
    { id: 'flaky', kind: 'Task' },
    { id: 'lint', kind: 'Task' },
    { id: 'old', kind: 'Task' },
    { id: 'all', kind: 'Group', children: ['build', 'test'] },
  ],
})

const status: ExecutionStatus = {
  phase: 'Blocked',
  reason: 'AwaitingApproval',
  message: 'waiting on node "approve"',
  nodeStatuses: {
    build: { phase: 'Succeeded', attempt: 1, startTime: '2026-01-01T10:00:00Z', completionTime: '2026-01-01T10:01:30Z' },
    test: { phase: 'Succeeded', attempt: 2, startTime: '2026-01-01T10:02:00Z', completionTime: '2026-01-01T10:12:00Z' },
    approve: { phase: 'Blocked', reason: 'AwaitingApproval', startTime: '2026-01-01T10:12:00Z' },
    docs: { phase: 'Running', attempt: 1, startTime: '2026-01-01T10:00:00Z' },
    vendor: { phase: 'Blocked', reason: 'AwaitingExternal', message: 'ticket OPS-12 still open', startTime: '2026-01-01T10:00:00Z' },
    review: { phase: 'Blocked', reason: 'AwaitingClaim', attempt: 1, startTime: 'not a time' },
    flaky: { phase: 'Pending', attempt: 1, extensions: { [RETRY_AT_KEY]: Date.UTC(2026, 0, 1, 10, 30) } },
    lint: { phase: 'Failed', reason: 'AcceptanceFailed', message: 'eslint reported 3 errors', attempt: 3, startTime: '2026-01-01T10:00:00Z', completionTime: '2026-01-01T10:00:05Z' },
    old: { phase: 'Skipped', reason: 'ConditionFalse' },
  },
}

describe('renderProgressMarkdown', () => {
  it('renders phases, attempts, durations and why each node waits, most actionable first', async () => {
    const gates = new Map([['approve', { gate: 'release-approval', reviewers: ['team:acme/release'], requiredApprovers: 2 }]])
    const body = renderProgressMarkdown({ execution: 'execution/default/release-1', graph, status, now: '2026-01-01T10:20:00Z', gates }, { marker: 'run/release-1' })
    await expect(body).toMatchFileSnapshot('__snapshots__/progress.md')
    expectSafeMarkdown(body)
  })

  it('names the Gate from the graph when no Gate details are given, and says who may approve an open Gate', () => {
    const plain = renderProgressMarkdown({ execution: 'execution/default/r', graph, status })
    expect(plain).toContain('- `approve`: approval of Gate `release-approval`\n')
    expect(plain).toContain('| `docs` | Task | ▶ Running | 1 | — | attempt 1 running |')
    const open = renderProgressMarkdown({ execution: 'execution/default/r', graph, status, gates: new Map([['approve', { gate: 'g', reviewers: [], requiredApprovers: 1 }]]) })
    expect(open).toContain('approval of Gate `g`: 1 approval from anyone with write access')
  })

  it('explains pending nodes: waiting for upstream, ready, or not started once the run ended', () => {
    const fresh = renderProgressMarkdown({ execution: 'e', graph, status: {} })
    expect(fresh).toContain('**… Pending**\n\n10 nodes: 10 pending')
    expect(fresh).toContain('| `build` | Task | … Pending | — | — | ready to start |')
    expect(fresh).toContain('| `test` | Task | … Pending | — | — | waits for `build` |')
    expect(fresh).not.toContain('### Waiting on')
    const ended = renderProgressMarkdown({ execution: 'e', graph, status: { phase: 'Failed', nodeStatuses: { build: { phase: 'Failed' } } } })
    expect(ended).toContain('| `docs` | Task | … Pending | — | — | not started |')
    expect(ended).toContain('| `build` | Task | ✖ Failed | — | — | — |')
  })

  it('handles odd statuses: unknown phases and reasons, bad times, a gate without a gateRef', () => {
    const odd = normalizeGraph({ nodes: [{ id: 'g', kind: 'Gate' }, { id: 'x', kind: 'Task' }, { id: 'y', kind: 'Task' }] })
    const body = renderProgressMarkdown({
      execution: 'e',
      graph: odd,
      now: 'garbage',
      status: {
        phase: 'Weird' as never,
        nodeStatuses: {
          g: { phase: 'Blocked', reason: 'AwaitingApproval', message: 'see @ops' },
          x: { phase: 'Blocked', startTime: '2026-01-01T10:00:00Z', completionTime: '2026-01-01T09:00:00Z' },
          y: { phase: 'Mystery' as never, reason: 'Custom', startTime: '2026-01-01T10:00:00Z' },
        },
      },
    })
    expect(body).toContain('| `g` | Gate | ⏸ Blocked | — | — | approval: see @&#8203;ops |')
    expect(body).toContain('| `x` | Task | ⏸ Blocked | — | — | blocked |')
    expect(body).toContain('| `y` | Task | Mystery | — | — | Custom |')
    expect(body).toContain('**Weird**')
    const blocked = renderProgressMarkdown({ execution: 'e', graph: odd, now: '2026-01-01T09:00:00Z', status: { nodeStatuses: { x: { phase: 'Blocked', reason: 'Quota', startTime: '2026-01-01T10:00:00Z', completionTime: 'bad' } } } })
    expect(blocked).toContain('| `x` | Task | ⏸ Blocked | — | — | Quota |')
  })

  it('keeps a 1,000-node run within the comment limit, the waiting list before the table', () => {
    const big = normalizeGraph({ nodes: Array.from({ length: 1000 }, (_, i) => ({ id: `node-${i}`, kind: 'Task', ...(i > 0 ? { dependsOn: [`node-${i - 1}`] } : {}) })) })
    const nodeStatuses = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`node-${i}`, i < 900 ? { phase: 'Succeeded' as const, attempt: 1, startTime: '2026-01-01T10:00:00Z', completionTime: '2026-01-01T10:00:01Z', message: 'done '.repeat(40) } : { phase: 'Blocked' as const, reason: 'AwaitingClaim', message: 'claim me '.repeat(30) }]))
    const body = renderProgressMarkdown({ execution: 'execution/default/big', graph: big, status: { phase: 'Blocked', nodeStatuses } })
    expectSafeMarkdown(body)
    expect(body).toContain('### Waiting on')
    expect(body).toContain('[!NOTE]')
    expect(body).toMatch(/_\d+ more nodes not shown here\._/)
  })

  it('counts a running node without an attempt as its first attempt, and a graph of groups only as no nodes', () => {
    const one = normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }] })
    expect(renderProgressMarkdown({ execution: 'e', graph: one, status: { nodeStatuses: { a: { phase: 'Running' } } } })).toContain('attempt 1 running')
    const groups = normalizeGraph({ nodes: [{ id: 'g', kind: 'Group', children: [] }] })
    expect(renderProgressMarkdown({ execution: 'e', graph: groups, status: {} })).toContain('0 nodes: none')
  })
})
