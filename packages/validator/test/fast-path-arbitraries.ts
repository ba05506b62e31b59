import fc from 'fast-check'
import { dump } from 'js-yaml'
import { stringify, type ToStringOptions } from 'yaml'

// Generators of YAML text for the differential test of the fast path: values written by two
// different YAML writers in every style they have, token soups, and mutations of real manifests.

/** Strings that look like other scalars, or carry YAML's syntax characters. */
const TRICKY_WORDS = [
  '', ' ', 'null', 'Null', 'NULL', '~', 'true', 'True', 'FALSE', 'yes', 'no', 'NO', 'on', 'off', 'y', 'n', '0755', '0o17', '0x1F', '0X1F', '0b11', '-0x1F', '+0o7', '12:30', '1:20:30',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '.inf', '-.inf', '+.INF', '.nan', '.NaN', '-.5', '+.5', '.5', '5.', '1e3', '1E-3', '1.5e+3', '1_000', '-0', '+1', '00', '007', '1.0',
  '9'.repeat(30), '9'.repeat(400), '1e400', '-1e400', '<<', '=', '!', '&a', '*a', '!!str', '? x', ': x', '- x', '#x', 'a #b', 'a#b', 'a: b', '[a]', '{a: 1}', '"q"', "'q'", '|', '>', '%x', '@x',
  '`x`', 'x\\y', 'tab\there', 'line\nbreak', 'crlf\r\nbreak', 'trailing ', ' leading', 'nbsp\u00a0', 'nel\u0085x', 'ls\u2028x', 'bom\ufeffx', 'é', '𝒳', 'ctl\u0007', '${{ nodes.a.outputs.b }}',
  'a != b && !c', 'x ? y : z', 'planspec.io/v1alpha1', 'nodes["my-node"].phase',
]

const key = fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9_.\/-]{0,12}$/) }, { weight: 2, arbitrary: fc.constantFrom(...TRICKY_WORDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) })

const scalar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY_WORDS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53, 1e21, 1.5, 0.1) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
)

/** A plain value: nested mappings and sequences of tricky scalars. */
export const plainValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
})).value

const yamlOptions: fc.Arbitrary<ToStringOptions> = fc.record(
  {
    indent: fc.integer({ min: 1, max: 4 }),
    indentSeq: fc.boolean(),
    lineWidth: fc.constantFrom(0, 8, 20, 40, 80),
    minContentWidth: fc.constantFrom(0, 5, 20),
    collectionStyle: fc.constantFrom('any' as const, 'block' as const, 'flow' as const),
    defaultStringType: fc.constantFrom('PLAIN' as const, 'QUOTE_DOUBLE' as const, 'QUOTE_SINGLE' as const, 'BLOCK_LITERAL' as const, 'BLOCK_FOLDED' as const),
    defaultKeyType: fc.constantFrom(null, 'PLAIN' as const, 'QUOTE_DOUBLE' as const, 'QUOTE_SINGLE' as const),
    doubleQuotedAsJSON: fc.boolean(),
    doubleQuotedMinMultiLineLength: fc.constantFrom(10, 40),
    flowCollectionPadding: fc.boolean(),
    nullStr: fc.constantFrom('null', '~', '', 'Null', 'NULL'),
    trueStr: fc.constantFrom('true', 'True', 'TRUE'),
    falseStr: fc.constantFrom('false', 'False', 'FALSE'),
    singleQuote: fc.constantFrom(null, true, false),
  },
  { requiredKeys: [] },
)

const jsYamlOptions = fc.record(
  {
    indent: fc.integer({ min: 1, max: 4 }),
    noArrayIndent: fc.boolean(),
    flowLevel: fc.constantFrom(-1, 0, 1, 2),
    lineWidth: fc.constantFrom(-1, 10, 40, 80),
    forceQuotes: fc.boolean(),
    quotingType: fc.constantFrom("'" as const, '"' as const),
    noCompatMode: fc.boolean(),
  },
  { requiredKeys: [] },
)

/** Writes a value as YAML with one of two writers and random style options; undefined when a writer refuses it. */
function write(value: unknown, writer: { yaml: ToStringOptions } | { jsYaml: Record<string, unknown> }): string | undefined {
  try {
    if ('yaml' in writer) return stringify(value, { ...writer.yaml, version: '1.2' })
    return dump(value, { ...writer.jsYaml, skipInvalid: true })
  } catch {
    return undefined
  }
}

/** Changes to the whole text that YAML permits: line endings, a byte-order mark, comments, document markers. */
const dressing = fc.record({ crlf: fc.boolean(), bom: fc.boolean(), start: fc.constantFrom('', '---\n', '--- # c\n', '# c\n', '\n\n'), end: fc.constantFrom('', '\n', '...\n', '\n# end\n', '---\n') })

function dress(text: string, d: { crlf: boolean; bom: boolean; start: string; end: string }): string {
  const body = d.start + text + d.end
  return (d.bom ? '\ufeff' : '') + (d.crlf ? body.replace(/\n/g, '\r\n') : body)
}

/** YAML text written from random values (one to three documents) by either writer, in any style. */
export const writtenYaml: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(plainValue, { minLength: 1, maxLength: 3 }),
    fc.oneof(yamlOptions.map((yaml) => ({ yaml })), jsYamlOptions.map((jsYaml) => ({ jsYaml }))),
    dressing,
  )
  .map(([values, writer, d]) => {
    const docs = values.map((v) => write(v, writer)).filter((t): t is string => t !== undefined)
    return dress(docs.join('---\n'), d)
  })

/** Pieces of YAML syntax, for token soups and mutations. */
export const TOKENS = [
  ' ', '  ', '\n', '\r\n', '\r', '\t', ':', ': ', '- ', '-', '#', ' # c', '"', "'", '[', ']', '{', '}', ',', ', ', '?', '? ', '&a ', '*a', '!!str ', '!!int ', '!!binary ', '! ', '!local ',
  '!<tag:yaml.org,2002:str> ', '<<: ', '%YAML 1.1\n', '%YAML 1.2\n', '%TAG ! tag:x,2000:\n', '---\n', '--- ', '...\n', '|', '|-', '|+', '>', '>2', '~', 'null', 'true', 'NO', '0755', '0x1F',
  '1e3', '.inf', '\ufeff', '\u0085', '\u2028', '\u00a0', '\\', '\\n', '@', '`', 'é', '\u0000', '\u0007', 'key', 'value', 'a', 'b', '1', '\n  ', '\n    ', '\n- ', '\n  - ', 'x: ', 'y: 1',
]

/** A random sequence of YAML tokens: mostly invalid YAML, sometimes surprising valid YAML. */
export const tokenSoup: fc.Arbitrary<string> = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''))

/** One edit of a text at a position given as a fraction of its length. */
type Edit = { readonly at: number; readonly op: 'insert'; readonly token: string } | { readonly at: number; readonly op: 'delete'; readonly length: number } | { readonly at: number; readonly op: 'indent' | 'dedent' | 'duplicate-line' }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), op: fc.constant('insert' as const), token: fc.constantFrom(...TOKENS) }),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), op: fc.constant('delete' as const), length: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), op: fc.constantFrom('indent' as const, 'dedent' as const, 'duplicate-line' as const) }),
)

function applyEdit(text: string, e: Edit): string {
  const at = Math.min(text.length, Math.floor(e.at * text.length))
  if (e.op === 'insert') return text.slice(0, at) + e.token + text.slice(at)
  if (e.op === 'delete') return text.slice(0, at) + text.slice(at + e.length)
  const lineStart = text.lastIndexOf('\n', at - 1) + 1
  const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)
  if (e.op === 'indent') return text.slice(0, lineStart) + ' ' + text.slice(lineStart)
  if (e.op === 'dedent') return text[lineStart] === ' ' ? text.slice(0, lineStart) + text.slice(lineStart + 1) : text
  return text.slice(0, lineEnd) + '\n' + text.slice(lineStart, lineEnd) + text.slice(lineEnd)
}

/** A text of `corpus` with one to four random edits. */
export function mutated(corpus: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...corpus), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([text, edits]) => edits.reduce(applyEdit, text))
}

/**
 * Renders a value with its exact shape: key order, -0, NaN, infinities, own `__proto__` keys and
 * non-plain objects are all visible, so two renderings are equal only for identical values.
 */
export function canonical(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return `<${Object.prototype.toString.call(value)}>`
  return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`
}
