import { loadAll, Schema, Type, type LoadOptions, type State } from 'js-yaml'

// The fast path reads YAML with js-yaml (about 20 times faster than the positioned parser on
// manifests), with the YAML 1.2 core schema rebuilt here from the careful path's own rules
// (yaml's `schema: 'core'`), so that every scalar resolves to the same value on both paths:
// `NO` and `yes` stay strings, `0755` is 755, `0o17` is 15, `0x1F` is 31, `12:30` and
// timestamps stay strings, `~`/`null`/empty are null, `.inf`/`.nan` are numbers, and `1_000`,
// `0b11`, `-0x1F` and `-.5`... resolve exactly as yaml resolves them.
//
// The type names contain a space, so no explicit tag can name them: with no `str`, `seq` or `map`
// type either, every explicit tag (`!!str`, `!!binary`, `!custom`, verbatim tags) makes js-yaml
// throw, and the file takes the careful path, which reports or accepts the tag (the non-specific
// `!` alone, which js-yaml ignores, is refused before parsing).
const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/
const NULL = /^(?:~|[Nn]ull|NULL)?$/
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/

const CORE_SCHEMA = new Schema({
  implicit: [
    new Type('planspec fast-path null', { kind: 'scalar', resolve: (s: string | null) => s === null || NULL.test(s), construct: () => null }),
    new Type('planspec fast-path bool', { kind: 'scalar', resolve: (s: string | null) => s !== null && BOOL.test(s), construct: (s: string) => s[0] === 't' || s[0] === 'T' }),
    new Type('planspec fast-path int', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && INT.test(s),
      // yaml: parseInt of the digits after the 0o/0x prefix; no finiteness check, as in yaml.
      construct: (s: string) => (s[1] === 'o' ? parseInt(s.substring(2), 8) : s[1] === 'x' ? parseInt(s.substring(2), 16) : parseInt(s, 10)),
    }),
    new Type('planspec fast-path float', {
      kind: 'scalar',
      resolve: (s: string | null) => s !== null && (FLOAT_SPECIAL.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s)),
      construct: (s: string) => (FLOAT_SPECIAL.test(s) ? (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity) : parseFloat(s)),
    }),
  ],
})

// Text the fast parser must not see, because js-yaml would read it differently from the careful
// path (or the careful path reports it). Each test is a cheap search first.
const DIRECTIVE = /^%/m
// An explicit key (`? `), whose key may be a collection: at the start of a line (after sequence
// dashes) or after a flow indicator. A `?` inside text (`a ? b : c`) is not one.
const EXPLICIT_KEY = /(?:^[ ]*(?:-[ ]+)*|[[{,][ ]*)\?(?=\s|$)/m
// A block scalar with an explicit indentation indicator (`|2`, `>1-`): js-yaml and yaml disagree
// on its whitespace-only lines.
const INDENTATION_INDICATOR = /[|>][-+]?[1-9]/
// A flow collection used as a key (`[a, b]: c`): js-yaml joins it ("a,b"), yaml writes it as YAML.
const COLLECTION_KEY = /[\]}][ \t]*:(?=\s|$)/
// A null key (`~: x`, `null: x`): js-yaml names it "null", yaml "".
const NULL_KEY = /(?:^|[\s[{,])(?:~|null|Null|NULL)[ \t]*:(?=\s|$)/
// A carriage return that does not end a CRLF line: js-yaml breaks the line there, yaml does not.
const LONE_CR = /\r(?!\n)/
// The non-specific tag `!` alone, which js-yaml ignores on an empty node (null, where yaml reads "").
const NON_SPECIFIC_TAG = /(?:^|[\s[{,])!(?=\s|$)/
// A compact nested sequence (`- - x`): js-yaml misplaces an empty item of one.
const COMPACT_SEQUENCE = /^[ ]*-[ ]+-(?:[ ]|$)/m
// Content on a document marker line (`--- a: 1`), which yaml rejects for block collections, or a
// marker glued to more text (`----`), which js-yaml takes for a marker.
const MARKER_CONTENT = /^(?:---|\.\.\.)(?:[ ]+[^#\s]|[^\s])/m
// An escaped line break in a double-quoted scalar: the two fold the lines after it differently.
const ESCAPED_LINE_BREAK = /\\\r?\n/
// A block scalar whose first lines hold only spaces, which yaml checks against the content's
// indentation and js-yaml does not.
const BLANK_BLOCK_START = /[|>][-+]?[ ]*(?:#.*)?\r?\n[ ]+\r?\n/
// What may be a comment glued to a quoted scalar or a flow collection (`'a'#c`), which yaml
// rejects and js-yaml reads as a comment: then js-yaml's events are watched (an opening quote, as
// in `'#x'`, is fine).
const MAY_HAVE_GLUED_COMMENT = /[\]}"']#/
// An empty block sequence item (`- ` alone on its line): js-yaml lets a less indented item follow it.
const EMPTY_ITEM = /^[ ]*-[ ]*\r?$/m
// yaml allows an implicit key of at most 1024 characters; js-yaml has no limit.
const MAX_KEY_LINE = 1024
// A token that may start node properties (an anchor or a tag): then js-yaml's events are watched.
const MAY_HAVE_PROPERTIES = /(?:^|[\s[{,])[&!]/
const OWN_TYPES: ReadonlySet<string | null> = new Set([null, '?', ...['null', 'bool', 'int', 'float'].map((t) => `planspec fast-path ${t}`)])

/** Marks the parse as unusable by the fast path (thrown through js-yaml and caught below). */
class Ineligible extends Error {}

// js-yaml reports an anchor or a tag on the node that closes with it or, for one on an empty node,
// on the nested node that opens right after it (and then forgets it). Between nodes it keeps the
// last node's resolved type, which is one of ours; any other tag seen is a real one. A node that
// closes on a quote or a bracket right before a `#` has a glued comment.
const WATCH: LoadOptions['listener'] = (event, state) => {
  const { anchor, tag } = state as State & { anchor?: string | null; tag?: string | null }
  if (typeof anchor === 'string' || (tag !== undefined && !OWN_TYPES.has(tag))) throw new Ineligible('node properties')
  if (event === 'close' && state.input.charCodeAt(state.position) === HASH && CLOSERS.has(state.input.charCodeAt(state.position - 1))) throw new Ineligible('glued comment')
}
const HASH = 35
const CLOSERS: ReadonlySet<number> = new Set([34, 39, 93, 125]) // " ' ] }

/**
 * Reads the documents of a file with the fast parser, when the fast parser reads it exactly as
 * the careful path (`parseYamlFile`) would; returns `undefined` otherwise, and the caller takes
 * the careful path. `text` has no byte-order mark. Never throws.
 *
 * Refused here (careful path): tabs, carriage returns outside CRLF, byte-order marks, `%` directives, merge keys (`<<`), explicit keys, indentation indicators, compact nested
 * sequences, content on a document marker line, comments glued to a quote or bracket, escaped line breaks,
 * block scalars starting with blank lines, empty sequence items, lines longer than 1024 characters, collections
 * and nulls as keys, anchors and aliases, any explicit tag, duplicate
 * keys, and anything js-yaml rejects or warns about. The differential test (test/fast-path.test.ts)
 * proves that what is accepted gives the careful path's values.
 *
 * @example
 * fastParse('a: 0755\nb: NO\n') // [{ a: 755, b: 'NO' }]
 * fastParse('a: &x 1\nb: *x\n') // undefined
 */
export function fastParse(text: string): unknown[] | undefined {
  // A byte-order mark past the start is text to js-yaml, a document prefix to yaml.
  if (text.includes('\t') || text.includes('<<') || text.includes('\ufeff')) return undefined
  if (text.includes('%') && DIRECTIVE.test(text)) return undefined
  if (text.includes('\r') && LONE_CR.test(text)) return undefined
  if (text.includes('?') && EXPLICIT_KEY.test(text)) return undefined
  if ((text.includes(']') || text.includes('}')) && COLLECTION_KEY.test(text)) return undefined
  if ((text.includes('|') || text.includes('>')) && INDENTATION_INDICATOR.test(text)) return undefined
  if ((text.includes('~') || text.includes('ull') || text.includes('ULL')) && NULL_KEY.test(text)) return undefined
  if (text.includes('!') && NON_SPECIFIC_TAG.test(text)) return undefined
  if (text.includes('- -') && COMPACT_SEQUENCE.test(text)) return undefined
  if ((text.includes('---') || text.includes('...')) && MARKER_CONTENT.test(text)) return undefined
  if (text.includes('\\') && ESCAPED_LINE_BREAK.test(text)) return undefined
  if ((text.includes('|') || text.includes('>')) && BLANK_BLOCK_START.test(text)) return undefined
  if (text.includes('-') && EMPTY_ITEM.test(text)) return undefined
  if (text.length > MAX_KEY_LINE && hasLongLine(text)) return undefined
  let warned = false
  const options: LoadOptions = { schema: CORE_SCHEMA, json: false, onWarning: () => (warned = true) }
  const watch = ((text.includes('&') || text.includes('!')) && MAY_HAVE_PROPERTIES.test(text)) || (text.includes('#') && MAY_HAVE_GLUED_COMMENT.test(text))
  if (watch) options.listener = WATCH
  try {
    const documents = loadAll(text, null, options)
    return warned ? undefined : documents
  } catch {
    return undefined
  }
}

function hasLongLine(text: string): boolean {
  let start = 0
  for (let end = text.indexOf('\n'); ; end = text.indexOf('\n', start)) {
    if ((end < 0 ? text.length : end) - start > MAX_KEY_LINE) return true
    if (end < 0) return false
    start = end + 1
  }
}
