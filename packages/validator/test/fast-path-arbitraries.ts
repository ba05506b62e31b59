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

const LINE_INDENTS = ['', '', ' ', '  ', '  ', '    ', '      ']
const LINE_KEYS = ['a', 'b', 'key', 'k-1', 'x.y/z', '"q"', "'s'", '"a b"', '"e\\"k"', '1', '0x1F', 'true', 'True', 'null', 'yes', '~', '__proto__', 'constructor', 'a b', '-a', '_x', 'é', 'a ']
const LINE_VALUES = [
  '', ' v', ' word and words', ' 1', ' 0x1F', ' -1', ' .5', ' true', ' ~', ' null', ' a: b', ' a:b', ' a:', ' a #c', ' a#b', ' # c', ' "d"', ' "e\\"f"', ' "g\\n\\t\\/\\\\"', ' "h\\x41"', ' "u\\u00e9"',
  " 'i''j'", " 'k", ' "l', ' [a, b]', ' [a, [b, c], {d: 1}]', ' []', ' {}', ' [ ]', ' { n: x }', ' {n: {m: 1}}', ' { "q": 1, r: [2] }', ' [a,]', ' [a b]', ' {a}', ' {a: }', ' [a: 1]', ' [a,, b]',
  ' |', ' |-', ' |+', ' >', ' >-', ' >+', ' |2', ' | # c', ' &x 1', ' *x', ' !t 1', ' - x', ' -', ' -x', ' ${{ nodes.a.outputs.b }}', ' "x" #c', ' "x"#c', ' "x" y', ' ? x', ' %x', ' @x', ' ,x',
]
const LINE_ALONE = ['---', '--- ', '--- x', '...', '# c', '', '  ', '   text line', '     more text', '      deeper text ', '  - item', '- item', '-', '- ', '- - x', '  [a, b]', '  "s"', '  |']

/** One line of block YAML, made of an indentation, perhaps a dash, and a key with a value or a value alone. */
const simpleLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...LINE_INDENTS), fc.constantFrom('', '', '- ', '-  '), fc.constantFrom(...LINE_KEYS), fc.constantFrom(...LINE_VALUES)).map(([i, d, k, v]) => `${i}${d}${k}:${v}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...LINE_INDENTS), fc.constantFrom(...LINE_VALUES)).map(([i, v]) => `${i}-${v}`) },
  { weight: 2, arbitrary: fc.constantFrom(...LINE_ALONE) },
)

/**
 * Texts of block YAML lines around the edges of the simple reader's subset (keys it refuses,
 * values that are almost plain, one-line flow collections, block scalar headers and their lines,
 * document markers), ending with or without a line break: often valid YAML, often not.
 */
export const simpleLines: fc.Arbitrary<string> = fc
  .tuple(fc.array(simpleLine, { minLength: 1, maxLength: 14 }), fc.boolean())
  .map(([lines, lastBreak]) => lines.join('\n') + (lastBreak ? '\n' : ''))

/** Words a plain scalar may be: names, sentences, templates, expressions, and words that resolve to other scalars. */
const PLAIN_WORDS = ['build', 'plan-0', 'Step 1 of plan-0', 'x.y/z', 'https://example.com/a?b=c', '${{ nodes.a.outputs.b }}', 'a != b && !c', 'nodes["n-1"].phase == "Succeeded"', 'a#b', 'a :b', '-x', '?x', ':x', 'é ü', '1', '-2', '0x1F', '0o17', '.5', '1e3', '.inf', '.nan', 'true', 'False', 'yes', 'NO', '~', 'null', '12:30', '2001-12-14', '1_000', "it's", 'say "hi"', '[not] {flow}']
/** Strings for quoted scalars: anything printable, the common escapes, quotes. */
const QUOTED_WORDS = ['', ' ', 'a: b', '#x', 'a #b', '- x', '[a]', '{a}', 'it\'s', 'say "hi"', 'back\\slash', 'new\nline', 'tab\tin', 'slash/', '&a', '*a', '!t', '|', '>', '%x', '@x', '`x`', 'é', '  spaced  ']
const SIMPLE_KEYS = ['a', 'b', 'id', 'kind', 'name', 'k-1', 'x.y/z', '_x', 'A1', 'planspec.io/team']

type SimpleValue = string | number | boolean | null | SimpleValue[] | { [key: string]: SimpleValue }
const simpleScalar: fc.Arbitrary<SimpleValue> = fc.oneof(fc.constantFrom(...PLAIN_WORDS), fc.constantFrom(...QUOTED_WORDS), fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null))
const simpleValue: fc.Arbitrary<SimpleValue> = fc.letrec<{ value: SimpleValue }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, simpleScalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...SIMPLE_KEYS), tie('value'), { maxKeys: 4 })),
})).value

/** How `renderSimple` writes: indentation width, where sequences stand, how scalars and small collections are written. */
interface SimpleStyle {
  readonly width: number
  readonly compactSequences: boolean
  readonly quote: 'plain' | 'double' | 'single'
  readonly flow: boolean
  readonly blockScalars: 'none' | 'literal' | 'folded'
  readonly comments: boolean
}
const simpleStyle: fc.Arbitrary<SimpleStyle> = fc.record({
  width: fc.integer({ min: 1, max: 4 }),
  compactSequences: fc.boolean(),
  quote: fc.constantFrom('plain' as const, 'double' as const, 'single' as const),
  flow: fc.boolean(),
  blockScalars: fc.constantFrom('none' as const, 'literal' as const, 'folded' as const),
  comments: fc.boolean(),
})

/** A scalar as the style writes it (plain where the word allows, else quoted), or undefined for a block scalar. */
function scalarText(value: SimpleValue, style: SimpleStyle, inFlow: boolean): string {
  if (typeof value !== 'string') return String(value)
  const plainSafe = PLAIN_WORDS.includes(value) && !(inFlow && /[[\]{},:#]/.test(value))
  if (style.quote === 'plain' && plainSafe && !['1', '-2', '0x1F', '0o17', '.5', '1e3', '.inf', '.nan', 'true', 'False', '~', 'null'].includes(value)) return value
  if (style.quote === 'single' && !/[\n\t\\]/.test(value)) return `'${value.replaceAll("'", "''")}'`
  return JSON.stringify(value)
}

/** Writes a value as block YAML at `indent`, in the given style, with the simple reader's features. */
function renderSimple(value: SimpleValue, style: SimpleStyle, indent: number): string {
  const pad = ' '.repeat(indent)
  const comment = style.comments ? ' # c' : ''
  const inline = (v: SimpleValue): string | undefined => {
    if (v === null || typeof v !== 'object') return scalarText(v, style, false)
    if (!style.flow) return Array.isArray(v) && v.length === 0 ? '[]' : !Array.isArray(v) && Object.keys(v).length === 0 ? '{}' : undefined
    const flow = (x: SimpleValue): string => (x === null || typeof x !== 'object' ? scalarText(x, style, true) : Array.isArray(x) ? `[${x.map(flow).join(', ')}]` : `{ ${Object.entries(x).map(([k, y]) => `${k}: ${flow(y)}`).join(', ')} }`)
    return flow(v)
  }
  const entry = (lead: string, v: SimpleValue, childIndent: number): string => {
    if (typeof v === 'string' && v.length > 0 && !/[\n\t\\]/.test(v) && !v.startsWith(' ') && !v.endsWith(' ') && style.blockScalars !== 'none') {
      // Two lines, a blank one, a third: the literal keeps the breaks, the folded joins the first
      // two with a space and keeps one break for the blank line.
      const line = `${' '.repeat(childIndent + style.width)}${v}\n`
      return `${lead} ${style.blockScalars === 'literal' ? '|' : '>-'}\n${line}${line}\n${line}`
    }
    const text = inline(v)
    if (text !== undefined) return `${lead} ${text}${style.comments && !(typeof v === 'string' && text === v && v.includes('#')) ? comment : ''}\n`
    const nested = Array.isArray(v) && style.compactSequences && lead.endsWith(':') ? childIndent : childIndent + style.width
    return `${lead}${comment}\n${renderSimple(v, style, nested)}`
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`
    return value.map((item) => {
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0 && !style.flow) {
        // A mapping item starts on the dash's line; its other keys line up under its first.
        const body = renderSimple(item, style, indent + 2)
        return `${pad}- ${body.slice(indent + 2)}`
      }
      if (Array.isArray(item) && item.length > 0 && !style.flow) return `${pad}-${comment}\n${renderSimple(item, style, indent + style.width)}`.replace(`${pad}-${comment}\n`, `${pad}- ${inline(item) ?? '[]'}\n`)
      return entry(`${pad}-`, item, indent)
    }).join('')
  }
  if (value === null || typeof value !== 'object') return `${pad}${inline(value)}\n`
  const keys = Object.keys(value)
  if (keys.length === 0) return `${pad}{}\n`
  return keys.map((k) => entry(`${pad}${k}:`, value[k]!, indent)).join('')
}

/**
 * Documents in the simple reader's subset, written in a random style, one to three of them,
 * each a mapping: mostly accepted by the reader, so that its values are compared in number.
 */
export const simpleDocuments: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.dictionary(fc.constantFrom(...SIMPLE_KEYS), simpleValue, { minKeys: 1, maxKeys: 5 }), { minLength: 1, maxLength: 3 }), simpleStyle, fc.boolean(), fc.boolean())
  .map(([documents, style, leadingMarker, crlf]) => {
    const text = (leadingMarker ? '---\n' : '') + documents.map((d) => renderSimple(d, style, 0)).join('---\n')
    return crlf ? text.replaceAll('\n', '\r\n') : text
  })
