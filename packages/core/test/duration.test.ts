import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DURATION_RANGE_ERROR_CODE,
  formatDuration,
  formatDurationCompact,
  parseDuration,
} from '../src/duration.js'
import { PlanSpecError, isTerminal } from '../src/errors.js'

const MAX_NS = 2n ** 63n - 1n

/** Milliseconds as parseDuration returns them for a whole number of nanoseconds. */
function msOf(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6
}

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['168h', 604_800_000],
    ['1ns', 0.000001],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['1.5s', 1_500],
    ['2h45m30.5s', 9_930_500],
    ['1h1h', 7_200_000],
    ['007s', 7_000],
    ['1.0000000001s', 1_000],
    ['2562047h47m16.854775807s', msOf(MAX_NS)],
  ])('accepts %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms })
  })

  it('reports the empty string as empty', () => {
    expect(parseDuration('')).toEqual({ ok: false, reason: 'empty' })
  })

  it.each([
    ['0', 'a bare zero'],
    ['30', 'a bare number'],
    ['-1s', 'a sign'],
    ['+1s', 'a plus sign'],
    ['1 h', 'a space'],
    [' 1h', 'a leading space'],
    ['1h ', 'a trailing space'],
    ['.5s', 'a fraction without integer part'],
    ['1.s', 'a dot without fraction digits'],
    ['1H', 'an upper-case unit'],
    ['1hours', 'a spelled-out unit'],
    ['1y', 'an unknown unit'],
    ['1μs', 'the Greek mu instead of the micro sign'],
    ['h', 'a unit without number'],
    ['1h30', 'a trailing bare number'],
    ['   ', 'only spaces'],
    ['2562047h47m16.854775808s', 'a value one nanosecond above the maximum'],
    ['99999999999999999999h', 'a huge value'],
    ['1d x', 'a day unit followed by garbage'],
    ['7days', 'a spelled-out day unit'],
  ])('rejects %s (%s) as a syntax error', (text) => {
    expect(parseDuration(text)).toEqual({ ok: false, reason: 'syntax' })
  })

  it.each([
    ['7d', 'day-unit', '168h'],
    ['2w', 'week-unit', '336h'],
    ['1d12h', 'day-unit', '36h'],
    ['1.5d', 'day-unit', '36h'],
    ['1d30m', 'day-unit', '24h30m'],
    ['1w1d', 'week-unit', '192h'],
    ['0d', 'day-unit', '0s'],
    ['1d500ms', 'day-unit', '24h0.5s'],
  ])('reports %s as %s and suggests %s', (text, reason, suggestion) => {
    expect(parseDuration(text)).toEqual({ ok: false, reason, suggestion })
  })

  it('gives no suggestion when the day value overflows', () => {
    expect(parseDuration('999999999999d')).toEqual({ ok: false, reason: 'syntax' })
  })

  it('suggests a value that parses to the same length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 23 }), (days, hours) => {
        const result = parseDuration(`${days}d${hours}h`)
        expect(result.ok).toBe(false)
        if (result.ok || result.suggestion === undefined) throw new Error('expected a suggestion')
        expect(parseDuration(result.suggestion)).toEqual({ ok: true, ms: (days * 24 + hours) * 3_600_000 })
      }),
    )
  })

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.nsuµmhdw -+x') }), (text) => {
        const result = parseDuration(text)
        expect(typeof result.ok).toBe('boolean')
      }),
    )
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [0.000001, '1ns'],
    [0.000999, '999ns'],
    [0.001, '1µs'],
    [0.0015, '1.5µs'],
    [1, '1ms'],
    [500, '500ms'],
    [1.25, '1.25ms'],
    [999.999999, '999.999999ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [90_000, '1m30s'],
    [61_500, '1m1.5s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [3_605_000, '1h0m5s'],
    [604_800_000, '168h0m0s'],
    [1_000.000001, '1.000000001s'],
    [-90_000, '-1m30s'],
    [-0, '0s'],
    [-0.0000001, '0s'],
  ])('formats %d ms as %s, like Go', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it.each([NaN, Infinity, -Infinity, 1e16, -1e16])('throws a terminal range error for %d', (ms) => {
    let caught: unknown
    try {
      formatDuration(ms)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(PlanSpecError)
    expect((caught as PlanSpecError).code).toBe(DURATION_RANGE_ERROR_CODE)
    expect(isTerminal(caught)).toBe(true)
  })

  it('round-trips every duration parseDuration can return', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_NS }), (ns) => {
        const ms = msOf(ns)
        expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms })
      }),
    )
  })

  it('round-trips the largest duration (to the precision a double keeps)', () => {
    const ms = msOf(MAX_NS)
    expect(formatDuration(ms)).toBe('2562047h47m16.854775391s')
    expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms })
  })

  it('round-trips whole milliseconds exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_223_372_036_854 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms })
      }),
    )
  })

  it('is a fixed point after one parse of any valid text', () => {
    const component = fc
      .tuple(fc.integer({ min: 0, max: 999 }), fc.option(fc.integer({ min: 0, max: 999 })), fc.constantFrom('ns', 'us', 'µs', 'ms', 's', 'm', 'h'))
      .map(([whole, fraction, unit]) => `${whole}${fraction === null ? '' : `.${fraction}`}${unit}`)
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 5 }), (parts) => {
        const first = parseDuration(parts.join(''))
        if (!first.ok) throw new Error(`expected ${parts.join('')} to parse`)
        const text = formatDuration(first.ms)
        const again = parseDuration(text)
        expect(again).toEqual(first)
        if (again.ok) expect(formatDuration(again.ms)).toBe(text)
      }),
    )
  })
})

describe('formatDurationCompact', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1_500, '1.5s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [3_605_000, '1h5s'],
    [604_800_000, '168h'],
    [-3_600_000, '-1h'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDurationCompact(ms)).toBe(text)
  })

  it('round-trips through parseDuration', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_NS }), (ns) => {
        const ms = msOf(ns)
        expect(parseDuration(formatDurationCompact(ms))).toEqual({ ok: true, ms })
      }),
    )
  })
})
