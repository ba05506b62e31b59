import { describe, expect, it } from 'vitest'
import { createSystemClock } from '../src/index.js'

describe('createSystemClock', () => {
  it('tells the time, sleeps, and wakes early when aborted', async () => {
    const clock = createSystemClock()
    const start = clock.now()
    await clock.sleep(20)
    expect(clock.now() - start).toBeGreaterThanOrEqual(15)
    const controller = new AbortController()
    const long = clock.sleep(60_000, controller.signal)
    controller.abort()
    await long
    const aborted = new AbortController()
    aborted.abort()
    await clock.sleep(60_000, aborted.signal)
    expect(clock.now() - start).toBeLessThan(5_000)
  })
})
