import { describe, expect, it } from 'vitest'
import { decideLeases, inScope, reviewerOf, type DesiredItem, type StatusSnapshot } from '../src/index.js'

const execution = (name: string): DesiredItem => ({ subject: `execution/default/${name}`, kind: 'Execution', namespace: 'default', name, file: `${name}.yaml`, object: {}, generation: 1, sourceValid: true, introducedIn: 'a'.repeat(40) })
const snapshot = (parts: Partial<StatusSnapshot>): StatusSnapshot => ({ docs: new Map(), requests: [], leases: new Map(), problems: new Map(), ...parts })
const NOW = 1_000_000
const LEASE = 30_000

describe('decideLeases', () => {
  it('takes free leases up to the per-round cap, so several agents share a burst', () => {
    const changes = decideLeases(['a', 'b', 'c', 'd', 'e'].map(execution), snapshot({}), 'me', NOW, LEASE, 2)
    expect([...changes.keys()]).toEqual(['execution/default/a', 'execution/default/b'])
    expect(changes.get('execution/default/a')).toEqual({ holder: 'me', expiresAt: NOW + LEASE })
  })

  it('keeps away from live leases of others, takes over expired ones, renews its own late, releases finished runs', () => {
    const leases = new Map([
      ['execution/default/theirs', { holder: 'other', expiresAt: NOW + 10_000 }],
      ['execution/default/expired', { holder: 'other', expiresAt: NOW - 1 }],
      ['execution/default/fresh', { holder: 'me', expiresAt: NOW + 25_000 }],
      ['execution/default/stale', { holder: 'me', expiresAt: NOW + 5_000 }],
      ['execution/default/done', { holder: 'me', expiresAt: NOW + 25_000 }],
    ])
    const docs = new Map([['execution/default/done', { kind: 'Execution', namespace: 'default', name: 'done', status: { phase: 'Succeeded' } }]])
    const changes = decideLeases(['theirs', 'expired', 'fresh', 'stale', 'done'].map(execution), snapshot({ leases, docs }), 'me', NOW, LEASE)
    expect(Object.fromEntries(changes)).toEqual({
      'execution/default/expired': { holder: 'me', expiresAt: NOW + LEASE },
      'execution/default/stale': { holder: 'me', expiresAt: NOW + LEASE },
      'execution/default/done': null,
    })
  })

  it('leases a Failed Execution again while a retry request is not applied', () => {
    const docs = new Map([['execution/default/failed', { kind: 'Execution', namespace: 'default', name: 'failed', status: { phase: 'Failed' } }]])
    const retry = { id: 'r1', action: 'retry' as const, target: { kind: 'Execution', namespace: 'default', name: 'failed' }, author: { name: 'A', email: 'a@example.com' }, time: 't' }
    expect(decideLeases([execution('failed')], snapshot({ docs }), 'me', NOW, LEASE).size).toBe(0)
    expect(decideLeases([execution('failed')], snapshot({ docs, requests: [retry] }), 'me', NOW, LEASE).size).toBe(1)
  })
})

describe('inScope and reviewerOf', () => {
  it('keeps a namespace, or a stable shard of namespaces', () => {
    expect(inScope('payments', { namespace: 'payments' })).toBe(true)
    expect(inScope('identity', { namespace: 'payments' })).toBe(false)
    const shards = ['a', 'b', 'c', 'd', 'e', 'f'].map((ns) => [0, 1, 2].filter((index) => inScope(ns, { shard: { index, count: 3 } })))
    for (const owners of shards) expect(owners).toHaveLength(1)
  })

  it('maps GitHub no-reply addresses to user subjects and other addresses to email subjects', () => {
    expect(reviewerOf({ email: 'Eddie@users.noreply.github.com' })).toBe('user:eddie')
    expect(reviewerOf({ email: '12345+eddie@users.noreply.github.com' })).toBe('user:eddie')
    expect(reviewerOf({ email: 'Ann@Example.com' })).toBe('email:ann@example.com')
  })
})
