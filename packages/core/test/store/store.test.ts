import { describe, expect, it } from 'vitest'
import { isTerminal } from '../../src/errors.js'
import { StoreAlreadyExistsError, StoreConflictError, StoreGoneError, StoreNotFoundError } from '../../src/store/store.js'

const key = { kind: 'Plan', namespace: 'finance', name: 'billing' }

describe('store errors', () => {
  it('name the object by its one identity string and carry stable codes', () => {
    const conflict = new StoreConflictError(key, '3', '4')
    expect(conflict.code).toBe('PLANSPEC_ERR_STORE_CONFLICT')
    expect(conflict.message).toContain('plan/finance/billing')
    expect(conflict.data).toEqual({ ...key, expected: '3', actual: '4' })
    expect(new StoreConflictError(key, undefined, '4').data.expected).toBeNull()
    expect(new StoreNotFoundError(key).code).toBe('PLANSPEC_ERR_STORE_NOT_FOUND')
    expect(new StoreAlreadyExistsError(key).code).toBe('PLANSPEC_ERR_STORE_EXISTS')
    const gone = new StoreGoneError('1', '5')
    expect(gone.code).toBe('PLANSPEC_ERR_STORE_GONE')
    expect(gone.data).toEqual({ requested: '1', oldest: '5' })
    expect(isTerminal(conflict)).toBe(false)
  })
})
