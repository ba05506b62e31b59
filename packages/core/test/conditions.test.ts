import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findCondition, setCondition, type Condition, type ConditionUpdate } from '../src/conditions.js'

const T1 = '2025-03-01T12:00:00Z'
const T2 = '2025-03-01T13:00:00Z'
const T3 = '2025-03-01T14:00:00Z'

const ready: Condition = { type: 'Ready', status: 'False', reason: 'GateCreated', message: 'waiting', lastTransitionTime: T1, observedGeneration: 1 }
const valid: Condition = { type: 'Valid', status: 'True', reason: 'SchemaValid', lastTransitionTime: T1 }

describe('setCondition', () => {
  it('appends a new type with lastTransitionTime set to now', () => {
    expect(setCondition(undefined, { type: 'PlanResolved', status: 'True', reason: 'PlanFound' }, T2)).toEqual([
      { type: 'PlanResolved', status: 'True', reason: 'PlanFound', lastTransitionTime: T2 },
    ])
    expect(setCondition([valid], { type: 'Ready', status: 'True', reason: 'Done', message: 'ok', observedGeneration: 3 }, T2)).toEqual([
      valid,
      { type: 'Ready', status: 'True', reason: 'Done', message: 'ok', lastTransitionTime: T2, observedGeneration: 3 },
    ])
  })

  it('moves lastTransitionTime when the status flips, keeping the entry in place', () => {
    const result = setCondition([ready, valid], { type: 'Ready', status: 'True', reason: 'Approved' }, T2)
    expect(result).toEqual([{ type: 'Ready', status: 'True', reason: 'Approved', lastTransitionTime: T2 }, valid])
  })

  it('keeps lastTransitionTime when only reason, message or generation change', () => {
    const result = setCondition([ready], { type: 'Ready', status: 'False', reason: 'Waiting', message: 'still waiting', observedGeneration: 2 }, T2)
    expect(result).toEqual([
      { type: 'Ready', status: 'False', reason: 'Waiting', message: 'still waiting', lastTransitionTime: T1, observedGeneration: 2 },
    ])
  })

  it('drops message and observedGeneration that the update does not carry', () => {
    const [only] = setCondition([ready], { type: 'Ready', status: 'False', reason: 'GateCreated' }, T2)
    expect(only).toEqual({ type: 'Ready', status: 'False', reason: 'GateCreated', lastTransitionTime: T1 })
    expect(only !== undefined && 'message' in only).toBe(false)
  })

  it('collapses extra entries of the same type into the first', () => {
    const duplicate: Condition = { ...ready, status: 'True', lastTransitionTime: T2 }
    const result = setCondition([ready, valid, duplicate], { type: 'Ready', status: 'False', reason: 'R' }, T3)
    expect(result).toEqual([{ type: 'Ready', status: 'False', reason: 'R', lastTransitionTime: T1 }, valid])
  })

  it('never mutates its input', () => {
    const input = [ready, valid]
    const frozen = Object.freeze([...input])
    setCondition(frozen, { type: 'Ready', status: 'True', reason: 'X' }, T2)
    expect(frozen).toEqual(input)
  })

  it('is idempotent: setting the same update again changes nothing, whatever the time (property)', () => {
    const update = fc.record({
      type: fc.constantFrom('Ready', 'Valid', 'Stalled'),
      status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
      reason: fc.constantFrom('A', 'B'),
    })
    fc.assert(
      fc.property(fc.array(update, { maxLength: 6 }), update, (history, next: ConditionUpdate) => {
        let conditions: Condition[] = []
        history.forEach((u, i) => {
          conditions = setCondition(conditions, u, `2025-01-01T00:00:0${i}Z`)
        })
        const once = setCondition(conditions, next, T2)
        expect(setCondition(once, next, T3)).toEqual(once)
        expect(new Set(once.map((c) => c.type)).size).toBe(once.length)
      }),
    )
  })
})

describe('findCondition', () => {
  it('returns the first condition of a type, or undefined', () => {
    expect(findCondition([valid, ready], 'Ready')).toBe(ready)
    expect(findCondition([valid], 'Ready')).toBeUndefined()
    expect(findCondition(undefined, 'Ready')).toBeUndefined()
  })
})
