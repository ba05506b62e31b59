// The YAML 1.2 core schema's plain scalars, as the careful path's parser (yaml, `schema: 'core'`)
// resolves them; both fast readers (js-yaml's schema in fast-parse.ts, and simple-yaml.ts) use
// exactly these rules, so that every scalar has the same value on every path.
const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/
const NULL = /^(?:~|[Nn]ull|NULL)?$/
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/

// Each test first looks at the first character, so that the common plain scalar (a name, a word)
// is rejected without running a regular expression.
const isDigit = (c: number): boolean => c >= 48 && c <= 57

/** Whether a plain scalar is null: empty, `~`, `null`, `Null` or `NULL`. */
export const mayBeNull = (s: string): boolean => s.length === 0 || ((s.charCodeAt(0) === 126 || (s.charCodeAt(0) | 32) === 110) && NULL.test(s)) // ~ n N
/** Whether a plain scalar is a boolean (`true`, `False`, `TRUE`...; not `yes` or `on`). */
export const mayBeBool = (s: string): boolean => ((s.charCodeAt(0) | 32) === 116 || (s.charCodeAt(0) | 32) === 102) && BOOL.test(s) // t T f F
/** Whether a plain scalar is an integer: decimal, `0o` octal or `0x` hexadecimal. */
export const mayBeInt = (s: string): boolean => (isDigit(s.charCodeAt(0)) || s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45) && INT.test(s) // digit + -
/** Whether a plain scalar is a float, `.inf` or `.nan`. */
export const mayBeFloat = (s: string): boolean => {
  const c = s.charCodeAt(0)
  return (isDigit(c) || c === 43 || c === 45 || c === 46) && (FLOAT.test(s) || FLOAT_EXP.test(s) || FLOAT_SPECIAL.test(s)) // digit + - .
}

/** The value of a plain scalar for which `mayBeBool` holds. */
export const boolOf = (s: string): boolean => s[0] === 't' || s[0] === 'T'
/** The value of a plain scalar for which `mayBeInt` holds (yaml: parseInt of the digits after the 0o/0x prefix; no finiteness check, as in yaml). */
export const intOf = (s: string): number => (s[1] === 'o' ? parseInt(s.substring(2), 8) : s[1] === 'x' ? parseInt(s.substring(2), 16) : parseInt(s, 10))
/** The value of a plain scalar for which `mayBeFloat` holds. */
export const floatOf = (s: string): number => (FLOAT_SPECIAL.test(s) ? (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity) : parseFloat(s))

/**
 * The value of a plain scalar under the core schema, tried in the schema's order: null, boolean,
 * integer, float, else the string itself.
 *
 * @example
 * resolvePlainScalar('0x1F') // 31
 * resolvePlainScalar('NO') // 'NO'
 */
export function resolvePlainScalar(s: string): unknown {
  if (mayBeNull(s)) return null
  if (mayBeBool(s)) return boolOf(s)
  if (mayBeInt(s)) return intOf(s)
  if (mayBeFloat(s)) return floatOf(s)
  return s
}
