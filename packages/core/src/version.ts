/**
 * Compares two Plan versions (`spec.version`, RESOURCES 10.8) and returns a negative number, zero or
 * a positive number, like `Array.prototype.sort` expects. Unlike the reference, non-numeric parts
 * count ("numeric parts numerically, pre-releases before releases"):
 *
 * 1. A leading `v` is ignored (`v2` ~ `2`). The text after the first `-` is the pre-release.
 * 2. The main part is split on `.` and compared part by part: two numeric parts (digits only) by
 *    value (`2` < `10`, `01` ~ `1`), a numeric part before a non-numeric one, two non-numeric parts
 *    by UTF-16 code units. When one list is a prefix of the other the longer wins (`1.0` < `1.0.1`).
 * 3. With equal main parts, a version with a pre-release comes before the same version without
 *    (`1.0-beta` < `1.0`); two pre-releases are compared like semver: identifiers split on `.`,
 *    numeric ones by value and before alphanumeric ones, the longer list winning on a prefix
 *    (`1.0-alpha` < `1.0-alpha.1` < `1.0-beta` < `1.0-beta.2` < `1.0-beta.11` < `1.0-rc.1`).
 * 4. Versions still equal (`1.0` and `v1.00`) are ordered by plain string comparison, so the
 *    result is zero only for identical strings: a strict total order, antisymmetric and
 *    transitive, which makes sorting deterministic.
 *
 * @example
 * ```ts
 * ['10', '9', '1.0-beta', '1.0'].sort(compareVersions) // ['1.0-beta', '1.0', '9', '10']
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const left = splitVersion(a)
  const right = splitVersion(b)
  return (
    compareParts(left.main, right.main) ||
    comparePreRelease(left.pre, right.pre) ||
    compareText(a, b)
  )
}

/** A version split into its main parts and its optional pre-release identifiers. */
interface VersionParts {
  readonly main: readonly string[]
  readonly pre: readonly string[] | undefined
}

/** Splits `v1.2-rc.1` into `{ main: ['1', '2'], pre: ['rc', '1'] }`. */
function splitVersion(version: string): VersionParts {
  const text = version.startsWith('v') ? version.slice(1) : version
  const dash = text.indexOf('-')
  if (dash < 0) return { main: text.split('.'), pre: undefined }
  return { main: text.slice(0, dash).split('.'), pre: text.slice(dash + 1).split('.') }
}

/** Orders a missing pre-release after any pre-release; otherwise compares identifiers. */
function comparePreRelease(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0)
  return compareParts(a, b)
}

/** Compares part lists left to right; on a common prefix the longer list wins. */
function compareParts(a: readonly string[], b: readonly string[]): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i += 1) {
    const order = comparePart(a[i] as string, b[i] as string)
    if (order !== 0) return order
  }
  return a.length - b.length
}

const DIGITS = /^[0-9]+$/

/** Compares two parts: numeric by value, numeric before non-numeric, non-numeric by code units. */
function comparePart(a: string, b: string): number {
  const aNumeric = DIGITS.test(a)
  const bNumeric = DIGITS.test(b)
  if (aNumeric && bNumeric) return compareDigits(a, b)
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1
  return compareText(a, b)
}

/** Compares digit strings by numeric value, at any length (no precision loss). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '')
  const y = b.replace(/^0+/, '')
  return x.length - y.length || compareText(x, y)
}

/** Compares strings by UTF-16 code units: locale-independent and deterministic. */
function compareText(a: string, b: string): number {
  if (a === b) return 0
  return a < b ? -1 : 1
}
