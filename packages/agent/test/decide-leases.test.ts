import type { DesiredResource } from '@planspec/git-store'
import { describe, expect, it } from 'vitest'
import { decideLeases, inScope, reviewerOf, type Lease, type StatusSnapshot } from '../src/index.js'

const execution = (name: string): DesiredResource => ({ subject: `execution/default/${name}`, kind: 'Execution', namespace: 'default', name, file: `${name}.yaml`, blob: 'b'.repeat(40),
  validIn: 'a'.repeat(40),
  object: { apiVersion: 'planspec.io/v1alpha1', kind: 'Execution', metadata: { name } },
  identity: { uid: `uid-${name}`, generation: 1, specHash: 'sha256:0', introducedIn: 'a'.repeat(40), creationTimestamp: '2030-01-01T00:00:00.000Z' },
  lastKnownGood: false,
  condition: { type: 'SourceValid', status: 'True', reason: 'Valid' },
})
const snapshot = (parts: Partial<StatusSnapshot>): StatusSnapshot => ({ docs: new Map(), requests: [], leases: new Map(), problems: new Map(), ...parts })
const NOW = Date.parse('2030-01-01T00:00:00.000Z')
const LEASE = 30_000

const at = (ms: number): string => new Date(ms).toISOString()
const lease = (name: string, holder: string, expiresAt: number, epoch = 1): Lease => ({ namespace: 'default', name, holder, epoch, acquiredAt: at(NOW - 20_000), renewedAt: at(NOW - 20_000), expiresAt: at(expiresAt) })

describe('decideLeases (on git-store lease decisions)', () => {
  it('takes free leases up to the per-round cap, so several agents share a burst', () => {
    const changes = decideLeases(['a', 'b', 'c', 'd', 'e'].map(execution), snapshot({}), 'me', NOW, LEASE, 2)
    expect([...changes.keys()]).toEqual(['execution/default/a', 'execution/default/b'])
    expect(changes.get('execution/default/a')).toEqual({ namespace: 'default', name: 'a', holder: 'me', epoch: 1, acquiredAt: at(NOW), renewedAt: at(NOW), expiresAt: at(NOW + LEASE) })
  })

  it('keeps away from live leases of others, takes over expired ones, renews its own late, releases finished runs', () => {
    const leases = new Map([
      ['execution/default/theirs', lease('theirs', 'other', NOW + 10_000)],
      ['execution/default/expired', lease('expired', 'other', NOW - 1, 4)],
      ['execution/default/fresh', lease('fresh', 'me', NOW + 25_000)],
      ['execution/default/stale', lease('stale', 'me', NOW + 5_000, 2)],
      ['execution/default/done', lease('done', 'me', NOW + 25_000, 3)],
      ['execution/default/gone', lease('gone', 'me', NOW - 1, 3)],
    ])
    const finished = (name: string) => [`execution/default/${name}`, { kind: 'Execution', namespace: 'default', name, status: { phase: 'Succeeded' } }] as const
    const docs = new Map([finished('done'), finished('gone')])
    const changes = decideLeases(['theirs', 'expired', 'fresh', 'stale', 'done', 'gone'].map(execution), snapshot({ leases, docs }), 'me', NOW, LEASE)
    expect(Object.fromEntries(changes)).toEqual({
      // Taken over: a new tenure, so the epoch grows (fencing).
      'execution/default/expired': { namespace: 'default', name: 'expired', holder: 'me', epoch: 5, acquiredAt: at(NOW), renewedAt: at(NOW), expiresAt: at(NOW + LEASE) },
      // Renewed: same tenure, same epoch and acquiredAt.
      'execution/default/stale': { namespace: 'default', name: 'stale', holder: 'me', epoch: 2, acquiredAt: at(NOW - 20_000), renewedAt: at(NOW), expiresAt: at(NOW + LEASE) },
      // Released: expired now, the file stays so the next holder's epoch keeps growing.
      'execution/default/done': { namespace: 'default', name: 'done', holder: 'me', epoch: 3, acquiredAt: at(NOW - 20_000), renewedAt: at(NOW), expiresAt: at(NOW) },
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
