import { PlanSpecError } from './errors.js'

/**
 * The outcome of {@link parseDuration}. `ms` may be fractional (`1ns` is `0.000001`).
 * - `empty`: the text is the empty string.
 * - `syntax`: anything that is not a valid duration, including values above Go's maximum
 *   (2^63-1 ns, about 292 years).
 * - `day-unit` / `week-unit`: the text would be valid if `d` (24h) and `w` (168h) were units;
 *   `suggestion` is the same length written in hours (`7d` → `168h`). `week-unit` wins when both
 *   units appear.
 */
export type DurationParseResult =
  | { readonly ok: true; readonly ms: number }
  | {
      readonly ok: false
      readonly reason: 'empty' | 'syntax' | 'day-unit' | 'week-unit'
      readonly suggestion?: string
    }

/** Code of the error {@link formatDuration} throws for values it cannot represent. */
export const DURATION_RANGE_ERROR_CODE = 'PLANSPEC_ERR_DURATION_RANGE'

const NS_PER_US = 1_000n
const NS_PER_MS = 1_000_000n
const NS_PER_S = 1_000_000_000n
const NS_PER_M = 60n * NS_PER_S
const NS_PER_H = 60n * NS_PER_M
/** Go's maximum `time.Duration`: 2^63-1 nanoseconds. */
const MAX_NS = 2n ** 63n - 1n

/** Units of RESOURCES 10.4. `µ` is U+00B5 MICRO SIGN, as in the schema regex. */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', NS_PER_US],
  ['µs', NS_PER_US],
  ['ms', NS_PER_MS],
  ['s', NS_PER_S],
  ['m', NS_PER_M],
  ['h', NS_PER_H],
])
/** Legacy units, recognised only to produce a helpful diagnostic (DECISIONS §2). */
const LEGACY_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['d', 24n * NS_PER_H],
  ['w', 168n * NS_PER_H],
])

/** One `<number><unit>` component: `[0-9]+(\.[0-9]+)?` followed by lower-case letters (or `µ`). */
const COMPONENT_SOURCE = '([0-9]+)(?:\\.([0-9]+))?([a-zµ]+)'

/**
 * Parses a Go-style duration (RESOURCES 10.4): one or more `<number><unit>` components with units
 * `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`; decimals allowed (`1.5h`); no sign, no spaces, no bare
 * number (`0` is invalid, `0s` is valid). Stricter than Go's `time.ParseDuration` where the
 * schema regex is: `.5s`, `1.s`, `-1s`, `+1s` and the Greek `μs` (U+03BC) are rejected. Fractions
 * finer than a nanosecond are truncated, like Go. Never throws.
 *
 * @example
 * ```ts
 * parseDuration('1h30m') // { ok: true, ms: 5_400_000 }
 * parseDuration('7d')    // { ok: false, reason: 'day-unit', suggestion: '168h' }
 * ```
 */
export function parseDuration(text: string): DurationParseResult {
  if (text === '') return { ok: false, reason: 'empty' }
  const strict = sumComponents(text, false)
  if (strict !== undefined) return { ok: true, ms: msFromNs(strict.ns) }
  const legacy = sumComponents(text, true)
  if (legacy === undefined) return { ok: false, reason: 'syntax' }
  return {
    ok: false,
    reason: legacy.units.has('w') ? 'week-unit' : 'day-unit',
    suggestion: formatNs(legacy.ns, true),
  }
}

/**
 * Formats milliseconds exactly like Go's `time.Duration.String()`: `0s`; below one second a single
 * unit (`1ns`, `1.5µs`, `500ms`); from one second up, `[<h>h][<m>m]<s>s` with zero minutes kept
 * after hours (`1m30s`, `1h30m0s`, `168h0m0s`, `1.5s`). The value is rounded to the nanosecond and a
 * negative value gets a leading `-` (which {@link parseDuration} rejects). For every `ms` that
 * `parseDuration` can return, `parseDuration(formatDuration(ms)).ms === ms`.
 *
 * @throws PlanSpecError with code {@link DURATION_RANGE_ERROR_CODE} (terminal) when `ms` is `NaN`,
 * infinite, or beyond Go's range (±2^63-1 ns).
 * @example
 * ```ts
 * formatDuration(90_000)    // '1m30s'
 * formatDuration(5_400_000) // '1h30m0s'
 * ```
 */
export function formatDuration(ms: number): string {
  const { negative, ns } = nsFromMs(ms)
  return (negative ? '-' : '') + formatNs(ns, false)
}

/**
 * Formats milliseconds like {@link formatDuration} but drops zero hour/minute/second components
 * (`168h`, `1h30m`, `1h5s`; sub-second values are written as formatDuration writes them). This is the form
 * people write and the form diagnostics suggest; it parses back to the same value.
 *
 * @throws PlanSpecError with code {@link DURATION_RANGE_ERROR_CODE} (terminal), as formatDuration.
 * @example
 * ```ts
 * formatDurationCompact(604_800_000) // '168h'
 * formatDurationCompact(5_400_000)   // '1h30m'
 * ```
 */
export function formatDurationCompact(ms: number): string {
  const { negative, ns } = nsFromMs(ms)
  return (negative ? '-' : '') + formatNs(ns, true)
}

/** Sums the components of `text`, or returns undefined when it does not parse or overflows. */
function sumComponents(text: string, allowLegacy: boolean): { ns: bigint; units: Set<string> } | undefined {
  let total = 0n
  const units = new Set<string>()
  // A fresh sticky regex per call: no shared lastIndex state between calls.
  const component = new RegExp(COMPONENT_SOURCE, 'y')
  while (component.lastIndex < text.length) {
    const match = component.exec(text)
    if (match === null) return undefined
    const [, whole, fraction = '', unit] = match as unknown as [string, string, string | undefined, string]
    const unitNs = UNITS.get(unit) ?? (allowLegacy ? LEGACY_UNITS.get(unit) : undefined)
    if (unitNs === undefined) return undefined
    units.add(unit)
    // Exact integer arithmetic: whole*unit + floor(fraction*unit/10^digits).
    total += BigInt(whole) * unitNs + (BigInt(`0${fraction}`) * unitNs) / 10n ** BigInt(fraction.length)
    if (total > MAX_NS) return undefined
  }
  return { ns: total, units }
}

/** Converts whole nanoseconds to milliseconds with a single rounding step. */
function msFromNs(ns: bigint): number {
  return Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6
}

/** Converts milliseconds to (sign, whole nanoseconds), exactly for the integer part. */
function nsFromMs(ms: number): { negative: boolean; ns: bigint } {
  if (!Number.isFinite(ms)) throw rangeError(ms)
  const abs = Math.abs(ms)
  const wholeMs = Math.floor(abs)
  // abs - wholeMs is exact in binary floating point, so only the sub-millisecond part is rounded.
  const ns = BigInt(wholeMs) * NS_PER_MS + BigInt(Math.round((abs - wholeMs) * 1e6))
  if (ns > MAX_NS) throw rangeError(ms)
  return { negative: ms < 0 && ns > 0n, ns }
}

/** Builds the terminal error thrown for values outside Go's duration range. */
function rangeError(ms: number): PlanSpecError {
  return new PlanSpecError(`duration ${String(ms)}ms is outside the representable range`, {
    code: DURATION_RANGE_ERROR_CODE,
    data: { ms: String(ms) },
    terminal: true,
  })
}

/** Formats non-negative nanoseconds in Go style, optionally dropping zero h/m/s components. */
function formatNs(ns: bigint, compact: boolean): string {
  if (ns === 0n) return '0s'
  if (ns < NS_PER_US) return `${ns}ns`
  if (ns < NS_PER_MS) return `${decimal(ns, NS_PER_US)}µs`
  if (ns < NS_PER_S) return `${decimal(ns, NS_PER_MS)}ms`
  const hours = ns / NS_PER_H
  const minutes = (ns % NS_PER_H) / NS_PER_M
  const seconds = ns % NS_PER_M
  let out = hours > 0n ? `${hours}h` : ''
  if (hours > 0n || minutes > 0n) out += compact && minutes === 0n ? '' : `${minutes}m`
  if (!compact || seconds > 0n) out += `${decimal(seconds, NS_PER_S)}s`
  return out
}

/** Writes `value / unit` as a decimal without trailing zeros (`1500n, 1000n` → `1.5`). */
function decimal(value: bigint, unit: bigint): string {
  const whole = value / unit
  const rest = value % unit
  if (rest === 0n) return `${whole}`
  const digits = unit.toString().length - 1
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`
}
