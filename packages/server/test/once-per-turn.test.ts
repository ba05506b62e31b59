// The freshness check runs once per event-loop turn: never twice in a turn, always again in the next.
import { describe, expect, it } from 'vitest'
import { oncePerTurn } from '../src/server/once-per-turn.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('oncePerTurn', () => {
  it('runs the check on the first call of each turn only, and again after a check that threw', async () => {
    let runs = 0
    let fail = false
    const fresh = oncePerTurn(() => {
      runs++
      if (fail) throw new Error('database is locked')
    })
    fresh()
    fresh()
    await Promise.resolve() // a microtask is still the same turn
    fresh()
    expect(runs).toBe(1)
    await nextTurn()
    fresh()
    fresh()
    expect(runs).toBe(2)
    await nextTurn()
    fail = true
    expect(() => fresh()).toThrow('database is locked')
    fail = false
    fresh()
    fresh()
    expect(runs).toBe(4)
  })
})
