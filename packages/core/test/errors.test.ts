import { describe, expect, it } from 'vitest'
import { PlanSpecError, TERMINAL_ERROR_CODE, isTerminal, terminal } from '../src/errors.js'

class GitFetchError extends PlanSpecError {
  constructor(message: string, options: { cause?: unknown; data?: Record<string, unknown> } = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_FETCH' })
  }
}

describe('PlanSpecError', () => {
  it('carries a stable code, data, and the subclass name', () => {
    const err = new GitFetchError('fetch origin failed', { data: { remote: 'origin' } })
    expect(err).toBeInstanceOf(Error)
    expect(err).toBeInstanceOf(PlanSpecError)
    expect(err.code).toBe('PLANSPEC_ERR_GIT_FETCH')
    expect(err.data).toEqual({ remote: 'origin' })
    expect(err.name).toBe('GitFetchError')
    expect(err.terminal).toBe(false)
  })

  it('defaults data to an empty object and sets no cause when none is given', () => {
    const err = new PlanSpecError('boom', { code: 'PLANSPEC_ERR_CORE_BOOM' })
    expect(err.data).toEqual({})
    expect('cause' in err).toBe(false)
    expect(err.name).toBe('PlanSpecError')
  })

  it('keeps the cause it adds context to', () => {
    const cause = new Error('ECONNRESET')
    const err = new GitFetchError('fetch origin failed', { cause })
    expect(err.cause).toBe(cause)
  })

  it('serialises to JSON without a stack, following the cause chain', () => {
    const root = new Error('socket hang up')
    const middle = new GitFetchError('fetch origin failed', { cause: root, data: { remote: 'origin' } })
    const top = new PlanSpecError('sync failed', { code: 'PLANSPEC_ERR_AGENT_SYNC', cause: middle })
    expect(JSON.parse(JSON.stringify(top))).toEqual({
      name: 'PlanSpecError',
      code: 'PLANSPEC_ERR_AGENT_SYNC',
      message: 'sync failed',
      data: {},
      terminal: false,
      cause: {
        name: 'GitFetchError',
        code: 'PLANSPEC_ERR_GIT_FETCH',
        message: 'fetch origin failed',
        data: { remote: 'origin' },
        terminal: false,
        cause: { name: 'Error', message: 'socket hang up' },
      },
    })
  })

  it('omits cause from JSON when there is none', () => {
    const json = new PlanSpecError('boom', { code: 'PLANSPEC_ERR_CORE_BOOM' }).toJSON()
    expect(json).toEqual({ name: 'PlanSpecError', code: 'PLANSPEC_ERR_CORE_BOOM', message: 'boom', data: {}, terminal: false })
    expect('cause' in json).toBe(false)
  })

  it.each([
    ['a string', 'disk full', 'disk full'],
    ['a number', 42, 42],
    ['a boolean', false, false],
    ['null', null, null],
    ['a plain object, described without calling it', { toString: () => 'secret' }, '[object Object]'],
    ['a null-prototype object', Object.create(null) as unknown, '[object Object]'],
    ['a bigint', 10n, '10'],
    ['undefined', undefined, 'undefined'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
  ])('serialises a cause that is %s', (_label, cause, expected) => {
    const json = new PlanSpecError('boom', { code: 'PLANSPEC_ERR_CORE_BOOM', cause }).toJSON()
    expect(json.cause).toEqual(expected)
  })

  it('stops serialising a cyclic cause chain at a bounded depth', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    Object.defineProperty(a, 'cause', { value: b })
    const json = JSON.stringify(new PlanSpecError('top', { code: 'PLANSPEC_ERR_CORE_LOOP', cause: a }))
    expect(json.match(/"message"/g)).toHaveLength(17)
  })
})

describe('terminal', () => {
  it('wraps a non-terminal PlanSpecError keeping its code, message and data, with the original as cause', () => {
    const original = new GitFetchError('fetch origin failed', { data: { remote: 'origin' } })
    const wrapped = terminal(original)
    expect(wrapped).not.toBe(original)
    expect(wrapped.terminal).toBe(true)
    expect(wrapped.code).toBe('PLANSPEC_ERR_GIT_FETCH')
    expect(wrapped.message).toBe('fetch origin failed')
    expect(wrapped.data).toEqual({ remote: 'origin' })
    expect(wrapped.cause).toBe(original)
    expect(original.terminal).toBe(false)
  })

  it('returns an already terminal error unchanged', () => {
    const err = terminal(new Error('x'))
    expect(terminal(err)).toBe(err)
  })

  it('wraps a plain Error with the generic terminal code', () => {
    const original = new TypeError('bad')
    const wrapped = terminal(original)
    expect(wrapped.code).toBe(TERMINAL_ERROR_CODE)
    expect(wrapped.message).toBe('bad')
    expect(wrapped.cause).toBe(original)
  })

  it.each([
    ['a string', 'oops', 'oops'],
    ['an object', { a: 1 }, '[object Object]'],
    ['undefined', undefined, 'undefined'],
  ])('wraps a thrown non-error value that is %s', (_label, value, message) => {
    const wrapped = terminal(value)
    expect(wrapped.code).toBe(TERMINAL_ERROR_CODE)
    expect(wrapped.message).toBe(message)
    expect(wrapped.cause).toBe(value)
    expect(isTerminal(wrapped)).toBe(true)
  })
})

describe('isTerminal', () => {
  it('is false for ordinary errors and non-errors', () => {
    expect(isTerminal(new PlanSpecError('x', { code: 'PLANSPEC_ERR_CORE_X' }))).toBe(false)
    expect(isTerminal(new Error('x'))).toBe(false)
    expect(isTerminal('x')).toBe(false)
    expect(isTerminal(undefined)).toBe(false)
  })

  it('stays true when context is added on the way up', () => {
    const inner = terminal(new Error('schema invalid'))
    const outer = new GitFetchError('sync failed', { cause: new Error('wrapped', { cause: inner }) })
    expect(isTerminal(outer)).toBe(true)
  })

  it('terminates on a cyclic cause chain', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    Object.defineProperty(a, 'cause', { value: b })
    expect(isTerminal(a)).toBe(false)
  })

  it('honours the terminal constructor option', () => {
    expect(isTerminal(new PlanSpecError('x', { code: 'PLANSPEC_ERR_CORE_X', terminal: true }))).toBe(true)
  })
})
