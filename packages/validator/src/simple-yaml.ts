import { resolvePlainScalar } from './plain-scalars.js'

// A reader for the plain YAML that manifests are written in, several times faster than js-yaml
// because it reads a line at a time instead of a character at a time: block mappings and
// sequences, plain and quoted one-line scalars, one-line flow collections, comments
// and `---` between documents. Everything else (block scalars, multi-line scalars and flow
// collections, anchors, aliases, tags, directives, explicit keys, tabs, lone carriage returns, keys
// that are not simple words, duplicate keys, escapes other than the common ones, characters that
// are not printable or outside the Basic Multilingual Plane) makes it give up, and the file is
// read by js-yaml (`fastParse`) or by the positioned parser, as before. What it accepts, it
// reads exactly as the positioned parser does; the differential test (test/fast-path.test.ts)
// runs every text through both.
//
// The reader keeps its place in module state (one file at a time, synchronously), and gives up
// by throwing GIVE_UP, caught in `readSimpleYaml`: nothing is allocated per line but values.

/** Thrown (never out of this module) where the text is not in the subset. */
const GIVE_UP = { reason: 'not in the simple subset' }

// A character the subset refuses anywhere: tabs, C0 controls but the line feed and the carriage
// return (which only a CRLF line break may hold: LONE_CR), C1 controls, DEL, NEL,
// the no-break space and the other Unicode spaces (which the parsers do not all read as text),
// surrogates (astral characters, or broken ones), the line and paragraph separators, a BOM past
// the start, and the non-characters U+FFFE and U+FFFF. The text itself is scanned once for them.
const REFUSED_CHARACTER = /[\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/

const LONE_CR = /\r(?!\n)/

const CR = 13
const SPACE = 32
const HASH = 35
const DQUOTE = 34
const SQUOTE = 39
const COMMA = 44
const DASH = 45
const COLON = 58
const LBRACKET = 91
const BACKSLASH = 92
const RBRACKET = 93
const LBRACE = 123
const RBRACE = 125
// yaml allows an implicit key of at most 1024 characters.
const MAX_KEY = 1024
// The reader recurses once per level: deeper than this, whatever the caller's limit, it gives up
// (js-yaml and the careful path, behind the depth pre-scan, take the file), far from the stack's end.
const MAX_DEPTH = 256

// The text, and the current line: its start and end offsets (the end before a CRLF's carriage
// return), the offset of its line feed, the column where the node being read starts (the line's
// indentation, or a column past a sequence's `- `) and that node's offset.
let src = ''
let lineEnd = -1
let lineBreak = -1
let lineStart = 0
let col = 0
let pos = 0
let atEnd = false
let depthLimit = 0
// Where the last quoted scalar or flow collection ended (the offset after it).
let after = 0
// The next ` #` and backslash at or after the place last asked about (-1: none left). Values are
// read front to back, so each search goes over the text once in all, not once per value.
let nextComment = -1
let nextBackslash = -1

/**
 * Reads the documents of a file in the simple subset, exactly as the positioned parser reads them,
 * or returns `undefined` when the text is not in the subset (nested deeper than `maxDepth`
 * levels, or holding anything this reader does not take). `text` has no byte-order mark. Never
 * throws.
 *
 * @example
 * readSimpleYaml('a: 0755\nb: [x, "y"]\n', 32) // [{ a: 755, b: ['x', 'y'] }]
 * readSimpleYaml('a: &x 1\n', 32) // undefined
 */
export function readSimpleYaml(text: string, maxDepth: number): unknown[] | undefined {
  if (REFUSED_CHARACTER.test(text) || (text.includes('\r') && LONE_CR.test(text))) return undefined
  src = text
  lineEnd = lineBreak = -1
  atEnd = false
  nextComment = text.indexOf(' #')
  nextBackslash = text.indexOf('\\')
  depthLimit = Math.min(maxDepth, MAX_DEPTH)
  try {
    return readDocuments()
  } catch (error) {
    if (error === GIVE_UP) return undefined
    throw error
  } finally {
    src = ''
  }
}

function giveUp(): never {
  throw GIVE_UP
}

/** Moves to the next line that holds content (not blank, not only a comment). */
function nextLine(): void {
  let start = lineBreak + 1
  const length = src.length
  while (start < length) {
    let brk = src.indexOf('\n', start)
    if (brk < 0) brk = length
    const end = contentEnd(start, brk)
    let at = start
    while (at < end && src.charCodeAt(at) === SPACE) at++
    if (at < end && src.charCodeAt(at) !== HASH) {
      lineStart = start
      lineEnd = end
      lineBreak = brk
      col = at - start
      pos = at
      return
    }
    start = brk + 1
  }
  atEnd = true
  lineStart = lineEnd = lineBreak = col = pos = length
}

/** Where the content of the line from `start` to its line feed at `brk` ends: before a CRLF's carriage return. */
function contentEnd(start: number, brk: number): number {
  return brk > start && src.charCodeAt(brk - 1) === CR ? brk - 1 : brk
}

/** Whether the current line is a `---` line (with nothing after it but spaces). */
function isDocumentStart(): boolean {
  if (col !== 0 || !src.startsWith('---', pos)) return false
  for (let at = pos + 3; at < lineEnd; at++) if (src.charCodeAt(at) !== SPACE) giveUp()
  return true
}

function readDocuments(): unknown[] {
  const documents: unknown[] = []
  nextLine()
  if (!atEnd && isDocumentStart()) nextLine()
  for (;;) {
    // An empty document, a `...` end marker or a document that does not start at the margin.
    if (atEnd || col !== 0 || isDocumentStart() || src.startsWith('...', pos)) giveUp()
    documents.push(readBlock(0, 1))
    if (atEnd) return documents
    if (!isDocumentStart()) giveUp()
    nextLine()
  }
}

/** Whether the offset `at` ends a `-` or `:` indicator: a space or the line's end follows. */
function isSeparated(at: number): boolean {
  return at === lineEnd || src.charCodeAt(at) === SPACE
}

/**
 * Reads the block mapping or sequence starting on the current line at column `indent`, or the
 * scalar or flow collection standing alone there (`edges:` then `  []` on the next line).
 */
function readBlock(indent: number, depth: number): unknown {
  if (src.charCodeAt(pos) === DASH && isSeparated(pos + 1)) return readSequence(indent, depth)
  if (startsEntry(pos)) return readMapping(indent, depth)
  const value = readInlineValue(pos, depth, -1)
  nextLine()
  return value
}

/** Reads a block sequence whose dashes stand at column `indent`; returns at the first line past it. */
function readSequence(indent: number, depth: number): unknown[] {
  if (depth > depthLimit) giveUp()
  const items: unknown[] = []
  for (;;) {
    let at = pos + 1
    while (at < lineEnd && src.charCodeAt(at) === SPACE) at++
    // An empty item, or a nested sequence on the dash's line (`- - x`).
    if (at === lineEnd || src.charCodeAt(at) === HASH) giveUp()
    if (src.charCodeAt(at) === DASH && isSeparated(at + 1)) giveUp()
    if (startsEntry(at)) {
      col = at - lineStart
      pos = at
      items.push(readMapping(col, depth + 1))
    } else {
      items.push(readInlineValue(at, depth + 1, indent))
      nextLine()
    }
    if (atEnd || col < indent) return items
    if (col > indent) giveUp()
    if (!(src.charCodeAt(pos) === DASH && isSeparated(pos + 1))) return items
  }
}

/**
 * Whether the text at `at` starts a mapping entry (`key:` followed by a space or the line's end),
 * for a sequence item: a plain word or a quoted scalar followed by a colon.
 */
function startsEntry(at: number): boolean {
  const c = src.charCodeAt(at)
  if (c === DQUOTE || c === SQUOTE) {
    const close = src.indexOf(String.fromCharCode(c), at + 1)
    return close > 0 && close < lineEnd && src.charCodeAt(close + 1) === COLON
  }
  let end = at
  while (end < lineEnd && isKeyCharacter(src.charCodeAt(end))) end++
  return end > at && src.charCodeAt(end) === COLON && isSeparated(end + 1)
}

/** Reads a block mapping whose keys stand at column `indent`; returns at the first line past it. */
function readMapping(indent: number, depth: number): Record<string, unknown> {
  if (depth > depthLimit) giveUp()
  const out: Record<string, unknown> = {}
  for (;;) {
    const key = readKey()
    // `after` is past the key's colon.
    let at = after
    while (at < lineEnd && src.charCodeAt(at) === SPACE) at++
    // Repeated keys are refused (the positioned parser reports them); so are keys that an object
    // already has by inheritance (`constructor`), which the check below cannot tell apart.
    if (out[key] !== undefined) giveUp()
    let value: unknown
    if (at === lineEnd || src.charCodeAt(at) === HASH) {
      nextLine()
      if (atEnd || col < indent) value = null
      else if (col > indent) value = readBlock(col, depth + 1)
      else if (src.charCodeAt(pos) === DASH && isSeparated(pos + 1)) value = readSequence(indent, depth + 1)
      else value = null
    } else {
      value = readInlineValue(at, depth + 1, indent)
      nextLine()
    }
    out[key] = value
    if (atEnd || col < indent) return out
    // A line indented deeper than the keys continues a scalar or is out of place; a dash at the
    // keys' column after a value is out of place.
    if (col > indent) giveUp()
    if (indent === 0 && isDocumentStart()) return out
    if (src.charCodeAt(pos) === DASH && isSeparated(pos + 1)) giveUp()
  }
}

/** A character of a plain key: a letter, a digit, `_`, `.`, `/` or `-`. */
function isKeyCharacter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === DASH
}

/** Reads the key at `pos` and its colon; sets `after` past the colon. */
function readKey(): string {
  const c = src.charCodeAt(pos)
  let key: string
  let end: number
  if (c === DQUOTE || c === SQUOTE) {
    key = c === DQUOTE ? readDoubleQuoted(pos) : readSingleQuoted(pos)
    end = after
  } else {
    // A plain key starts with a letter, a digit or `_`, and is a string under the core schema.
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) giveUp()
    end = pos + 1
    while (end < lineEnd && isKeyCharacter(src.charCodeAt(end))) end++
    key = src.slice(pos, end)
    if (resolvePlainScalar(key) !== key) giveUp()
  }
  // yaml measures a key's length in the text, quotes and escapes included.
  if (src.charCodeAt(end) !== COLON || !isSeparated(end + 1) || end - pos > MAX_KEY || key === '__proto__') giveUp()
  after = end + 1
  return key
}

/**
 * Reads the scalar or one-line flow collection at `at` on the current line, up to the line's end
 * or its comment, or the block scalar (`|`, `>`) whose header is there and whose lines are
 * indented deeper than `parentIndent` (-1: no block scalar may stand there).
 */
function readInlineValue(at: number, depth: number, parentIndent: number): unknown {
  const c = src.charCodeAt(at)
  if ((c === 124 || c === 62) && parentIndent >= 0) return readBlockScalar(at, parentIndent) // | >
  let value: unknown
  if (c === DQUOTE) value = readDoubleQuoted(at)
  else if (c === SQUOTE) value = readSingleQuoted(at)
  else if (c === LBRACKET) value = readFlowSequence(at, depth)
  else if (c === LBRACE) value = readFlowMapping(at, depth)
  else return readPlain(at)
  expectLineEnd(after)
  return value
}

/**
 * Reads a literal (`|`) or folded (`>`) block scalar whose header is at `at`, with the default
 * (clip) or strip (`-`) chomping, and leaves the current line at its last line. Gives up on an
 * indentation indicator, keep chomping (`+`), a comment after the header, blank lines before the
 * first line of content or lines of spaces longer than the indentation (which the two parsers
 * treat differently), a scalar with no content line or one running to the text's end without a
 * line break, and, in a folded scalar, lines indented deeper than the first or ending in a space.
 */
function readBlockScalar(at: number, parentIndent: number): string {
  const folded = src.charCodeAt(at) === 62
  let next = at + 1
  const strip = src.charCodeAt(next) === DASH
  if (strip) next++
  if (skipSpaces(next) !== lineEnd) giveUp()
  // The first line of content sets the indentation.
  const first = lineBreak + 1
  let indentEnd = first
  while (src.charCodeAt(indentEnd) === SPACE) indentEnd++
  const indent = indentEnd - first
  const firstBreak = src.indexOf('\n', first)
  if (indent <= parentIndent || firstBreak < 0 || indentEnd >= contentEnd(first, firstBreak)) giveUp()
  let value = ''
  let blanks = 0 // blank lines since the last line of content
  let lastEnd = -1
  let lastBreak = -1
  for (let start = first; start < src.length; ) {
    const brk = src.indexOf('\n', start)
    if (brk < 0) giveUp() // the last line has no line break
    const end = contentEnd(start, brk)
    let spaces = start
    while (spaces < end && src.charCodeAt(spaces) === SPACE) spaces++
    if (spaces === end) {
      // A blank line: kept inside the scalar, dropped by chomping at its end.
      if (spaces - start > indent) giveUp()
      blanks++
    } else if (spaces - start < indent) {
      break // a less indented line ends the scalar
    } else {
      const line = src.slice(start + indent, end)
      if (folded && (spaces - start > indent || line.charCodeAt(line.length - 1) === SPACE)) giveUp()
      if (start === first) value = line
      else value += (folded ? (blanks === 0 ? ' ' : '\n'.repeat(blanks)) : '\n'.repeat(blanks + 1)) + line
      blanks = 0
      lastEnd = end
      lastBreak = brk
    }
    start = brk + 1
  }
  lineEnd = lastEnd
  lineBreak = lastBreak
  return strip ? value : value + '\n'
}

/** Gives up unless only spaces, and a comment after at least one space, follow `at` on the line. */
function expectLineEnd(at: number): void {
  let next = at
  while (next < lineEnd && src.charCodeAt(next) === SPACE) next++
  if (next < lineEnd && (src.charCodeAt(next) !== HASH || next === at)) giveUp()
}

// What may not start a plain scalar: the indicators `#&*!|>%@` and the backquote, `,` and the
// closing brackets.
const NOT_PLAIN_START: readonly boolean[] = Array.from({ length: 128 }, (_, c) => '#&*!|>%@`,]}'.includes(String.fromCharCode(c)))

/** Reads a plain scalar in block context: to the line's end or its comment, resolved by the core schema. */
function readPlain(at: number): unknown {
  const c = src.charCodeAt(at)
  if (c < 128 && NOT_PLAIN_START[c]) giveUp()
  // `-`, `?` and `:` start a plain scalar only when a non-space follows.
  if ((c === DASH || c === 63 || c === COLON) && isSeparated(at + 1)) giveUp()
  let end = lineEnd
  if (nextComment >= 0 && nextComment < at) nextComment = src.indexOf(' #', at)
  if (nextComment >= 0 && nextComment < end) end = nextComment
  while (src.charCodeAt(end - 1) === SPACE) end--
  const text = src.slice(at, end)
  // `a: b` would be a mapping where no mapping may start; a trailing colon likewise.
  if (text.charCodeAt(text.length - 1) === COLON || text.includes(': ')) giveUp()
  return resolvePlainScalar(text)
}

/** Reads a one-line double-quoted scalar starting at `at`; sets `after` past its closing quote. */
function readDoubleQuoted(at: number): string {
  const close = src.indexOf('"', at + 1)
  if (close < 0 || close > lineEnd) giveUp()
  if (nextBackslash >= 0 && nextBackslash <= at) nextBackslash = src.indexOf('\\', at + 1)
  const escape = nextBackslash
  if (escape < 0 || escape > close) {
    after = close + 1
    return src.slice(at + 1, close)
  }
  let out = ''
  let chunk = at + 1
  for (let next = escape; ; ) {
    if (next >= lineEnd) giveUp()
    const c = src.charCodeAt(next)
    if (c === DQUOTE) {
      after = next + 1
      return out + src.slice(chunk, next)
    }
    if (c === BACKSLASH) {
      out += src.slice(chunk, next) + unescaped(src.charCodeAt(next + 1))
      next += 2
      chunk = next
    } else next++
  }
}

/** The character a double-quoted escape stands for, among the common ones; gives up on the others. */
function unescaped(c: number): string {
  switch (c) {
    case DQUOTE:
      return '"'
    case BACKSLASH:
      return '\\'
    case 47:
      return '/'
    case 110:
      return '\n'
    case 116:
      return '\t'
    default:
      return giveUp()
  }
}

/** Reads a one-line single-quoted scalar starting at `at`; sets `after` past its closing quote. */
function readSingleQuoted(at: number): string {
  let close = src.indexOf("'", at + 1)
  let doubled = false
  while (close >= 0 && src.charCodeAt(close + 1) === SQUOTE) {
    doubled = true
    close = src.indexOf("'", close + 2)
  }
  if (close < 0 || close > lineEnd) giveUp()
  after = close + 1
  const text = src.slice(at + 1, close)
  return doubled ? text.replaceAll("''", "'") : text
}

/** Skips spaces from `at` on the current line. */
function skipSpaces(at: number): number {
  let next = at
  while (next < lineEnd && src.charCodeAt(next) === SPACE) next++
  return next
}

/** Reads a one-line flow sequence (`[a, "b", { c: 1 }]`) at `at`; sets `after` past its `]`. */
function readFlowSequence(at: number, depth: number): unknown[] {
  if (depth > depthLimit) giveUp()
  const items: unknown[] = []
  for (let next = firstFlowItem(at, RBRACKET); next >= 0; next = nextFlowItem(RBRACKET)) items.push(readFlowNode(next, RBRACKET, depth))
  return items
}

/** Reads a one-line flow mapping of simple keys (`{ name: x, ref: { name: y } }`) at `at`; sets `after` past its `}`. */
function readFlowMapping(at: number, depth: number): Record<string, unknown> {
  if (depth > depthLimit) giveUp()
  const out: Record<string, unknown> = {}
  for (let next = firstFlowItem(at, RBRACE); next >= 0; next = nextFlowItem(RBRACE)) {
    pos = next
    const key = readKey()
    if (out[key] !== undefined) giveUp()
    out[key] = readFlowNode(skipSpaces(after), RBRACE, depth)
  }
  return out
}

/** The offset of the first item of the flow collection opened at `at`, or -1 (`after` past its closer) when it is empty. */
function firstFlowItem(at: number, closer: number): number {
  const next = skipSpaces(at + 1)
  if (src.charCodeAt(next) !== closer) return next
  after = next + 1
  return -1
}

/**
 * After an item of a flow collection (at `after`): the offset of the next item, or -1 (`after`
 * past the closer) when the collection ends there. Gives up on anything but a comma or the
 * closer, a trailing comma and an empty item.
 */
function nextFlowItem(closer: number): number {
  let next = skipSpaces(after)
  const c = src.charCodeAt(next)
  if (c === closer && next < lineEnd) {
    after = next + 1
    return -1
  }
  if (c !== COMMA || next >= lineEnd) giveUp()
  next = skipSpaces(next + 1)
  if (next >= lineEnd || src.charCodeAt(next) === closer || src.charCodeAt(next) === COMMA) giveUp()
  return next
}

/** Whether `c` is a flow indicator: `,`, `[`, `]`, `{` or `}`. */
function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE
}

/** Reads a collection or a scalar inside a one-line flow collection closed by `closer`; sets `after`. */
function readFlowNode(at: number, closer: number, depth: number): unknown {
  const c = src.charCodeAt(at)
  if (c === LBRACKET) return readFlowSequence(at, depth + 1)
  if (c === LBRACE) return readFlowMapping(at, depth + 1)
  return readFlowScalar(at, closer)
}

/**
 * Reads a scalar inside a one-line flow collection closed by `closer`: quoted, or plain up to the
 * next `,` or closer (a plain one holding a colon, a bracket or a comment gives up); sets `after`.
 */
function readFlowScalar(at: number, closer: number): unknown {
  if (at >= lineEnd) giveUp()
  const c = src.charCodeAt(at)
  if (c === DQUOTE) return readDoubleQuoted(at)
  if (c === SQUOTE) return readSingleQuoted(at)
  if (c === LBRACKET || c === LBRACE || c === COMMA || (c < 128 && NOT_PLAIN_START[c])) giveUp()
  // `-` and `?` are indicators there before a space, the line's end or a flow indicator too.
  if ((c === DASH || c === 63) && (isSeparated(at + 1) || isFlowIndicator(src.charCodeAt(at + 1)))) giveUp()
  let end = at
  for (; end < lineEnd; end++) {
    const ch = src.charCodeAt(end)
    if (ch === COMMA || ch === closer) break
    if (ch === COLON || ch === LBRACKET || ch === RBRACKET || ch === LBRACE || ch === RBRACE || (ch === HASH && src.charCodeAt(end - 1) === SPACE)) giveUp()
  }
  if (end >= lineEnd) giveUp()
  after = end
  while (src.charCodeAt(end - 1) === SPACE) end--
  return resolvePlainScalar(src.slice(at, end))
}
