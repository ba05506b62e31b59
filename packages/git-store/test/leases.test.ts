import { afterEach, describe, expect, it } from 'vitest'
import { acquireLease, LeaseHeldError, readStatus, releaseLease, renewLease } from '../src/index.js'
import { cleanup, startRemote } from './helpers.js'

afterEach(cleanup)

const execution = { namespace: 'default', name: 'run-1' }
const T0 = 1_700_000_000_000

describe('leases', () => {
  it('lets exactly one of two racing holders take the lease', async () => {
    const remote = await startRemote()
    const [a, b] = await Promise.all([remote.agent(), remote.agent()])
    const now = () => T0
    const outcomes = await Promise.allSettled([acquireLease({ ...a, execution, holder: 'agent-a', now }), acquireLease({ ...b, execution, holder: 'agent-b', now })])
    const won = outcomes.filter((o) => o.status === 'fulfilled')
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]!.reason).toBeInstanceOf(LeaseHeldError)
    expect(lost[0]!.reason).toMatchObject({ code: 'PLANSPEC_ERR_GIT_LEASE_HELD' })
    const winner = outcomes[0]!.status === 'fulfilled' ? 'agent-a' : 'agent-b'
    const status = await readStatus(await remote.agent())
    expect(status.leases.get('execution/default/run-1')).toMatchObject({ holder: winner, epoch: 1, expiresAt: new Date(T0 + 60_000).toISOString() })
  })

  it('renews for the holder, lets an expired lease be taken over, and tells the old holder it lost it', async () => {
    const remote = await startRemote()
    const a = await remote.agent()
    const b = await remote.agent()
    let clock = T0
    const now = () => clock
    const first = await acquireLease({ ...a, execution, holder: 'agent-a', now, durationMs: 10_000 })
    expect(first.lease).toMatchObject({ holder: 'agent-a', epoch: 1 })
    clock += 5_000
    await expect(acquireLease({ ...b, execution, holder: 'agent-b', now })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_LEASE_HELD', data: { holder: 'agent-a' } })
    const renewed = await renewLease({ ...a, execution, holder: 'agent-a', epoch: 1, now, durationMs: 10_000 })
    expect(renewed.lease.expiresAt).toBe(new Date(clock + 10_000).toISOString())
    clock += 10_001
    const taken = await acquireLease({ ...b, execution, holder: 'agent-b', now })
    expect(taken.lease).toMatchObject({ holder: 'agent-b', epoch: 2 })
    await expect(renewLease({ ...a, execution, holder: 'agent-a', epoch: 1, now })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_LEASE_LOST' })
    expect(await releaseLease({ ...a, execution, holder: 'agent-a', now })).toEqual({ released: false, commit: undefined })
  })

  it('releases a lease so another holder takes it at once, with a higher epoch', async () => {
    const remote = await startRemote()
    const a = await remote.agent()
    const b = await remote.agent()
    const now = () => T0
    await acquireLease({ ...a, execution, holder: 'agent-a', now })
    const released = await releaseLease({ ...a, execution, holder: 'agent-a', now })
    expect(released.released).toBe(true)
    await expect(renewLease({ ...a, execution, holder: 'agent-a', now })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_LEASE_LOST' })
    const taken = await acquireLease({ ...b, execution, holder: 'agent-b', now })
    expect(taken.lease).toMatchObject({ holder: 'agent-b', epoch: 2 })
    await expect(acquireLease({ ...b, execution, holder: 'bad\nholder', now })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
  })
})
