import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ExecutionStatus } from '@planspec/core'
import { statusChanged } from '../../src/runner/status-changed.js'

const base: ExecutionStatus = {
  phase: 'Running',
  conditions: [{ type: 'Progressing', status: 'True', reason: 'NodesRunning', lastTransitionTime: 't0' }],
  nodeStatuses: { a: { phase: 'Succeeded', attempt: 1 }, b: { phase: 'Running', attempt: 1 } },
}

describe('statusChanged', () => {
  const cases: { name: string; previous: ExecutionStatus | undefined; next: ExecutionStatus; changed: boolean }[] = [
    { name: 'a first status is a change', previous: undefined, next: base, changed: true },
    { name: 'the same object is no change', previous: base, next: base, changed: false },
    { name: 'an equal copy with shared node objects is no change', previous: base, next: { ...base, nodeStatuses: { ...base.nodeStatuses } }, changed: false },
    { name: 'an equal deep copy is no change', previous: base, next: structuredClone(base), changed: false },
    { name: 'a node phase change is a change', previous: base, next: { ...base, nodeStatuses: { ...base.nodeStatuses, b: { phase: 'Succeeded', attempt: 1 } } }, changed: true },
    { name: 'a new node entry is a change', previous: base, next: { ...base, nodeStatuses: { ...base.nodeStatuses, c: { phase: 'Pending' } } }, changed: true },
    { name: 'a node map that appears is a change', previous: { phase: 'Running' }, next: { phase: 'Running', nodeStatuses: {} }, changed: true },
    { name: 'a top-level field change is a change', previous: base, next: { ...base, phase: 'Blocked' }, changed: true },
    { name: 'a condition change is a change', previous: base, next: { ...base, conditions: [{ ...base.conditions![0]!, reason: 'Other' }] }, changed: true },
    { name: 'a removed field is a change', previous: { ...base, message: 'm' }, next: base, changed: true },
  ]
  for (const c of cases) it(c.name, () => expect(statusChanged(c.previous, c.next)).toBe(c.changed))

  it('agrees with comparing whole serialised statuses (property)', () => {
    const node = fc.record({ phase: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed'), attempt: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: ['phase'] })
    const status = fc.record({ phase: fc.constantFrom('Running', 'Blocked'), message: fc.string({ maxLength: 3 }), nodeStatuses: fc.dictionary(fc.constantFrom('a', 'b', 'c'), node) }, { requiredKeys: [] })
    fc.assert(
      fc.property(status, status, (a, b) => {
        // Keys in the same order, as the runner's statuses are built.
        const ordered = (s: typeof a): ExecutionStatus => JSON.parse(JSON.stringify(s, Object.keys({ phase: 0, message: 0, nodeStatuses: 0, a: 0, b: 0, c: 0, attempt: 0 }))) as ExecutionStatus
        const x = ordered(a)
        const y = ordered(b)
        expect(statusChanged(x, y)).toBe(JSON.stringify(x) !== JSON.stringify(y))
      }),
      { numRuns: 500 },
    )
  })
})

describe('isPolledExternal', () => {
  it('polls webhooks and http(s) uris, resources only where a store is seen, nothing else', async () => {
    const { isPolledExternal } = await import('../../src/runner/observe-external.js')
    expect(isPolledExternal({ type: 'webhook', webhookUrl: 'https://ci.example.com/s' }, { resources: false })).toBe(true)
    expect(isPolledExternal({ type: 'uri', uri: 'HTTPS://ci.example.com/s' }, { resources: false })).toBe(true)
    expect(isPolledExternal({ type: 'uri', uri: 'jira://PROJ-1' }, { resources: true })).toBe(false)
    expect(isPolledExternal({ type: 'resource', resourceRef: { kind: 'Goal', name: 'g' } }, { resources: true })).toBe(true)
    expect(isPolledExternal({ type: 'resource', resourceRef: { kind: 'Goal', name: 'g' } }, { resources: false })).toBe(false)
    expect(isPolledExternal(undefined, { resources: true })).toBe(false)
  })
})
