import { loadAll, Schema, Type, type LoadOptions, type State } from 'js-yaml'
import { DEFAULT_LIMITS } from './limits.js'
import { boolOf, floatOf, intOf, mayBeBool, mayBeFloat, mayBeInt, mayBeNull } from './plain-scalars.js'
import { scanDepth } from './prescan.js'
import { readSimpleYaml } from './simple-yaml.js'

// The fast path reads YAML with the simple reader (simple-yaml.ts) or, where it gives up, with
// js-yaml (about 20 times faster than the positioned parser on manifests), with the YAML 1.2
// core schema rebuilt from the careful path's own rules (yaml's `schema: 'core'`, in
// plain-scalars.ts), so that every scalar resolves to the same value on every path:
// `NO` and `yes` stay strings, `0755` is 755, `0o17` is 15, `0x1F` is 31, `12:30` and
// timestamps stay strings, `~`/`null`/empty are null, `.inf`/`.nan` are numbers, and `1_000`,
// `0b11`, `-0x1F` and `-.5`... resolve exactly as yaml resolves them.
//
// The type names contain a space, so no explicit tag can name them: with no `str`, `seq` or `map`
// type either, every explicit tag (`!!str`, `!!binary`, `!custom`, verbatim tags) makes js-yaml
// throw, and the file takes the careful path, which reports or accepts the tag (the non-specific
// `!` alone, which js-yaml ignores, is refused before parsing).
const CORE_SCHEMA = new Schema({
  implicit: [
    new Type('planspec fast-path null', { kind: 'scalar', resolve: (s: string | null) => s === null || mayBeNull(s), construct: () => null }),
    new Type('planspec fast-path bool', { kind: 'scalar', resolve: (s: string | null) => s !== null && mayBeBool(s), construct: boolOf }),
    new Type('planspec fast-path int', { kind: 'scalar', resolve: (s: string | null) => s !== null && mayBeInt(s), construct: intOf }),
    new Type('planspec fast-path float', { kind: 'scalar', resolve: (s: string | null) => s !== null && mayBeFloat(s), construct: floatOf }),
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
// yaml allows an implicit key of at most 1024 characters; js-yaml has no limit.
const MAX_KEY_LINE = 1024
const OWN_TYPES: ReadonlySet<string | null> = new Set([null, '?', ...['null', 'bool', 'int', 'float'].map((t) => `planspec fast-path ${t}`)])

/** Marks the parse as unusable by the fast path (thrown through js-yaml and caught below). */
class Ineligible extends Error {}

/**
 * Watches js-yaml's node events (one `open` and one `close` per node) for what only the parser
 * knows, and throws (ineligible) when it sees:
 * - an anchor or a tag: js-yaml reports one on the node that closes with it or, for one on an
 *   empty node, on the nested node that opens right after it (and then forgets it). Between nodes
 *   it keeps the last node's resolved type, which is one of ours; any other tag is a real one;
 * - a comment glued to a quote or a bracket: a node that closes right before a `#`;
 * - a collection used as a key of a flow mapping (`{ [a, b] }`, `{ {a: 1} }`): a node that starts
 *   with a bracket inside a flow mapping, anywhere but after the `:` of a value. js-yaml names such
 *   a key "a,b" or "[object Object]", yaml writes it as YAML.
 */
function watcher(): NonNullable<LoadOptions['listener']> {
  // Per open node: where it starts and whether it is a flow mapping. js-yaml opens a node twice
  // at the same place when it tries a block mapping whose key is that node: same start, same node.
  const open: { readonly start: number; readonly flowMap: boolean }[] = []
  return (event, state) => {
    const { anchor, tag } = state as State & { anchor?: string | null; tag?: string | null }
    if (typeof anchor === 'string' || (tag !== undefined && !OWN_TYPES.has(tag))) throw new Ineligible('node properties')
    const input = state.input
    const at = state.position
    if (event === 'close') {
      open.pop()
      if (input.charCodeAt(at) === HASH && CLOSERS.has(input.charCodeAt(at - 1))) throw new Ineligible('glued comment')
      return
    }
    // A node opens before the space and comments in front of it are skipped.
    const start = nextMark(input, at)
    const first = input.charCodeAt(start)
    const parent = open[open.length - 1]
    const bracket = first === LBRACE || first === LBRACKET
    if (bracket && parent?.flowMap && parent.start !== start && previousMark(input, start) !== COLON) throw new Ineligible('collection key')
    open.push({ start, flowMap: parent?.start === start ? parent.flowMap : first === LBRACE })
  }
}
const HASH = 35
const COLON = 58
const LBRACE = 123
const LBRACKET = 91
const CLOSERS: ReadonlySet<number> = new Set([34, 39, 93, 125]) // " ' ] }

/** The offset of the first character at or after `at` that is neither white space nor in a comment. */
function nextMark(input: string, at: number): number {
  let next = at
  for (;;) {
    const c = input.charCodeAt(next)
    if (c === 32 || c === 10 || c === 13) next++
    else if (c === HASH && (next === 0 || isSpace(input.charCodeAt(next - 1)))) {
      const end = input.indexOf('\n', next)
      if (end < 0) return input.length
      next = end + 1
    } else return next
  }
}
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13

/** The last character before `at` that is not white space. */
function previousMark(input: string, at: number): number {
  let before = at - 1
  while (before >= 0 && (input.charCodeAt(before) === 32 || input.charCodeAt(before) === 10 || input.charCodeAt(before) === 13)) before--
  return before < 0 ? -1 : input.charCodeAt(before)
}

/**
 * Reads the documents of a file with a fast parser, when one reads it exactly as the careful path
 * (`parseYamlFile`) would; returns `undefined` otherwise, and the caller takes the careful path.
 * The simple reader (`readSimpleYaml`, the plain YAML manifests are written in) is tried first,
 * then js-yaml on a text nested no deeper than `maxDepth` (`scanDepth`). `text` has no byte-order
 * mark. Never throws.
 *
 * Refused here (careful path): tabs, carriage returns outside CRLF, byte-order marks, `%` directives, merge keys (`<<`), explicit keys, indentation indicators, compact nested
 * sequences, content on a document marker line, comments glued to a quote or bracket, collections as
 * keys, escaped line breaks,
 * block scalars starting with blank lines, empty sequence items, lines longer than 1024 characters, collections
 * and nulls as keys, anchors and aliases, any explicit tag, duplicate
 * keys, and anything js-yaml rejects or warns about. The differential test (test/fast-path.test.ts)
 * proves that what is accepted gives the careful path's values.
 *
 * @example
 * fastParse('a: 0755\nb: NO\n') // [{ a: 755, b: 'NO' }]
 * fastParse('a: &x 1\nb: *x\n') // undefined
 */
export function fastParse(text: string, maxDepth: number = DEFAULT_LIMITS.maxDepth): unknown[] | undefined {
  // The simple reader counts true nesting, the depth pre-scan (which bounds what js-yaml gets) may
  // count up to two levels for one (a sequence's dash and its item); half the limit keeps every
  // file that the pre-scan would send to the careful path (PS1007) away from the simple reader.
  return readSimpleYaml(text, Math.floor(maxDepth / 2)) ?? (scanDepth(text, maxDepth).line === undefined ? readWithJsYaml(text) : undefined)
}

/** `fastParse` with js-yaml, for a text nested no deeper than the limit. */
function readWithJsYaml(text: string): unknown[] | undefined {
  // A byte-order mark past the start is text to js-yaml, a document prefix to yaml.
  if (text.includes('\t') || text.includes('<<') || text.includes('\ufeff')) return undefined
  if (text.includes('%') && DIRECTIVE.test(text)) return undefined
  if (text.includes('\r') && LONE_CR.test(text)) return undefined
  if (text.includes('?') && EXPLICIT_KEY.test(text)) return undefined
  if (hasCollectionKey(text)) return undefined
  if ((text.includes('|') || text.includes('>')) && INDENTATION_INDICATOR.test(text)) return undefined
  if ((text.includes('~') || text.includes('ull') || text.includes('ULL')) && NULL_KEY.test(text)) return undefined
  if ((text.includes('! ') || text.includes('!\n') || text.includes('!\r') || text.endsWith('!')) && NON_SPECIFIC_TAG.test(text)) return undefined
  if (text.includes('- -') && COMPACT_SEQUENCE.test(text)) return undefined
  if ((text.includes('---') || text.includes('...')) && MARKER_CONTENT.test(text)) return undefined
  if (text.includes('\\') && ESCAPED_LINE_BREAK.test(text)) return undefined
  if ((text.includes('|') || text.includes('>')) && BLANK_BLOCK_START.test(text)) return undefined
  if (hasEmptyItem(text)) return undefined
  if (hasLongLine(text)) return undefined
  const watch = mayHaveProperties(text) || (text.includes('#') && MAY_HAVE_GLUED_COMMENT.test(text)) || mayHaveCollectionKey(text)
  warned = false
  try {
    const documents = loadAll(text, null, watch ? { ...LOAD_OPTIONS, listener: watcher() } : LOAD_OPTIONS)
    return warned ? undefined : documents
  } catch {
    return undefined
  }
}

// Whether js-yaml warned during the parse under way (parses are synchronous: one at a time). The
// options are made once: no closure per file.
let warned = false
const LOAD_OPTIONS: LoadOptions = { schema: CORE_SCHEMA, json: false, onWarning: noteWarning }
function noteWarning(): void {
  warned = true
}

/**
 * Tells whether a line is longer than MAX_KEY_LINE. Such a line covers a multiple of the limit, so
 * only the lines at those offsets are measured.
 */
function hasLongLine(text: string): boolean {
  for (let at = MAX_KEY_LINE; at < text.length; at += MAX_KEY_LINE) {
    if (text.charCodeAt(at) === 10) continue
    const start = text.lastIndexOf('\n', at) + 1
    const end = text.indexOf('\n', at)
    if ((end < 0 ? text.length : end) - start > MAX_KEY_LINE) return true
  }
  return false
}

/**
 * Tells whether a flow collection may be a key (`[a, b]: c`): a closing bracket followed by
 * spaces or tabs, a `:` and white space or the end. js-yaml joins such a key ("a,b"), yaml writes
 * it as YAML. Each closing bracket is looked at, not every character.
 */
function hasCollectionKey(text: string): boolean {
  for (const mark of [']', '}']) {
    for (let at = text.indexOf(mark); at >= 0; at = text.indexOf(mark, at + 1)) {
      let next = at + 1
      while (text.charCodeAt(next) === 32 || text.charCodeAt(next) === 9) next++
      if (text.charCodeAt(next) === COLON && (next + 1 === text.length || WHITE_SPACE.test(text[next + 1]!))) return true
    }
  }
  return false
}

/**
 * Tells whether a line holds nothing but a sequence dash (and spaces): an empty block sequence
 * item, after which js-yaml lets a less indented item follow.
 */
function hasEmptyItem(text: string): boolean {
  // Each dash is looked at, not each line: one followed by spaces and a line's end (LF, CRLF or a
  // CR ending the text), with only spaces before it back to the line's start.
  for (let dash = text.indexOf('-'); dash >= 0; dash = text.indexOf('-', dash + 1)) {
    let next = dash + 1
    while (text.charCodeAt(next) === 32) next++
    const c = text.charCodeAt(next)
    if (!(next === text.length || c === 10 || (c === 13 && (next + 1 === text.length || text.charCodeAt(next + 1) === 10)))) continue
    let before = dash - 1
    while (before >= 0 && text.charCodeAt(before) === 32) before--
    if (before < 0 || text.charCodeAt(before) === 10) return true
  }
  return false
}

/**
 * Tells whether a collection may be a key in a flow mapping: a bracket after a `{` (not the `{{`
 * of a `${{ }}` template) or a `,`, with only white space and comments between. Then js-yaml's
 * events are watched: js-yaml names such a key "a,b" or "[object Object]", yaml writes it as YAML.
 */
function mayHaveCollectionKey(text: string): boolean {
  for (const mark of ['{', ',']) {
    for (let at = text.indexOf(mark); at >= 0; at = text.indexOf(mark, at + 1)) {
      if (mark === '{' && at > 0 && text.charCodeAt(at - 1) === 36) continue // $
      let next = at + 1
      for (;;) {
        if (next >= text.length) break
        const c = text.charCodeAt(next)
        // White space (\s): the ASCII ones by code, any other character by the expression.
        if (c === 32 || (c >= 9 && c <= 13) || (c > 127 && WHITE_SPACE.test(text[next]!))) next++
        else if (c === HASH) {
          while (next < text.length && !LINE_END.test(text[next]!)) next++
        } else break
      }
      const c = text.charCodeAt(next)
      if (c === LBRACKET || c === LBRACE) return true
    }
  }
  return false
}
const WHITE_SPACE = /\s/
const LINE_END = /[\n\r\u2028\u2029]/

/**
 * Tells whether an anchor (`&`) or a tag (`!`) stands where a node may start: at a line's start or
 * after `:`, `?`, `-`, `,`, `[` or `{` (and spaces). Then js-yaml's events are watched; `a && !b`
 * inside a plain scalar is not such a place.
 */
function mayHaveProperties(text: string): boolean {
  for (const mark of ['&', '!']) {
    for (let at = text.indexOf(mark); at >= 0; at = text.indexOf(mark, at + 1)) {
      let before = at - 1
      while (before >= 0 && text.charCodeAt(before) === 32) before--
      if (before < 0 || NODE_START_AFTER.has(text.charCodeAt(before))) return true
    }
  }
  return false
}
const NODE_START_AFTER: ReadonlySet<number> = new Set([10, 13, 58, 63, 45, 44, 91, 123]) // \n \r : ? - , [ {
