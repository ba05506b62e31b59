/**
 * A cheap, linear pre-scan of YAML text that bounds its nesting depth before the parser runs:
 * the parser's composer is recursive, and a deep enough document overflows the stack or, for
 * flow collections, aborts the whole process (TOOLCHAIN pitfall 14, THREATS T7). The estimate is
 * conservative: it may count a level the parser would not, never the reverse.
 */
export interface DepthScan {
  /** The deepest nesting seen (block indentation levels plus open flow collections). */
  readonly depth: number
  /** 1-based line where `depth` was first exceeded, when it was. */
  readonly line?: number
  /** 1-based column where `depth` was first exceeded, when it was. */
  readonly column?: number
}

/**
 * Estimates the nesting depth of YAML text and stops at the first place deeper than `maxDepth`.
 *
 * @example
 * scanDepth('a: [[[1]]]\n', 64) // { depth: 4 }
 */
export function scanDepth(text: string, maxDepth: number): DepthScan {
  // One pass over character codes of `text`, without slicing lines: this runs on every file.
  // The indentations of the open block levels: the first `open` entries (kept, not popped).
  const indents: number[] = []
  let open = 0
  const length = text.length
  let flowDepth = 0
  let deepest = 0
  let blockScalarParent = -1 // indentation of the key that opened a `|` or `>` scalar
  let lineNo = 0
  let pos = 0
  // Next `|` and `>` at or after the current line, so a line is tested as a block scalar header
  // only when it holds one (found once per occurrence, not once per line).
  let nextBar = text.indexOf('|')
  let nextGt = text.indexOf('>')
  // Next `[` and `{`: outside flow collections, a line holding neither opens no flow level, and
  // its characters need not be looked at one by one (quotes and comments end with the line).
  let nextBracket = text.indexOf('[')
  let nextBrace = text.indexOf('{')
  while (pos <= length) {
    let end = text.indexOf('\n', pos)
    if (end < 0) end = length
    lineNo++
    const start = pos
    const stop = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end // the line without its CR
    pos = end + 1
    let at = start
    while (at < stop && text.charCodeAt(at) === SPACE) at++
    const indent = at - start
    if (at === stop || text.charCodeAt(at) === HASH) continue
    if (blockScalarParent >= 0) {
      if (indent > blockScalarParent) continue // content of a block scalar: text, not structure
      blockScalarParent = -1
    }
    if (flowDepth === 0) {
      while (open > 0 && indents[open - 1]! >= indent) open--
      indents[open++] = indent
      // Compact nested sequences ("- - - x") open one level per dash on the same line.
      while (text.charCodeAt(at) === DASH && at < stop && (at + 1 === stop || text.charCodeAt(at + 1) === SPACE)) {
        at += 2
        while (at < stop && text.charCodeAt(at) === SPACE) at++
        indents[open++] = at - start
      }
    }
    if (flowDepth === 0) {
      if (nextBracket >= 0 && nextBracket < at) nextBracket = text.indexOf('[', at)
      if (nextBrace >= 0 && nextBrace < at) nextBrace = text.indexOf('{', at)
      // Outside flow collections, the loop below counts a bracket only where a value may start
      // (`mayOpenFlow`): a line with no such bracket is text (a template's `${{`, a `[` inside a
      // word), and a line whose one flow collection is a plain `[a, b]` or `{a: 1}` is counted
      // without looking at each character. Either way the result is the loop's.
      let opener = -1
      for (let b = firstOf(nextBracket, nextBrace); b >= 0 && b < stop; b = firstOf(nextBracket, nextBrace)) {
        if (mayOpenFlow(text, start, b)) {
          opener = b
          break
        }
        if (b === nextBracket) nextBracket = text.indexOf('[', b + 1)
        else nextBrace = text.indexOf('{', b + 1)
      }
      if (opener < 0) at = stop
      else if (isPlainFlowLine(text, at, opener, stop)) {
        const depth = open + 1
        if (depth > deepest) deepest = depth
        if (depth > maxDepth) return { depth, line: lineNo, column: opener - start + 1 }
        at = stop
      }
    }
    let quote = 0
    let atValueStart = true
    for (; at < stop; at++) {
      const ch = text.charCodeAt(at)
      if (quote) {
        if (ch === quote) quote = 0
        continue
      }
      // Most characters are none of the ones below: they only end a value's start.
      if (ch >= 128 || !SPECIAL[ch]) {
        atValueStart = false
        continue
      }
      if (ch === HASH && (at === start || text.charCodeAt(at - 1) === SPACE)) break
      if ((ch === DQUOTE || ch === SQUOTE) && (flowDepth > 0 || atValueStart)) {
        quote = ch
        continue
      }
      if (ch === LBRACKET || ch === LBRACE) {
        if (flowDepth > 0 || atValueStart) {
          flowDepth++
          const depth = open + flowDepth
          if (depth > deepest) deepest = depth
          if (depth > maxDepth) return { depth, line: lineNo, column: at - start + 1 }
        }
        continue
      }
      if ((ch === RBRACKET || ch === RBRACE) && flowDepth > 0) {
        flowDepth--
        continue
      }
      if (ch === SPACE) continue
      // After ": " or "- " a new value starts; anything else is inside a plain scalar.
      atValueStart = flowDepth > 0 ? ch === COMMA || ch === COLON : (ch === COLON || ch === DASH) && at + 1 < stop && text.charCodeAt(at + 1) === SPACE
    }
    if (flowDepth === 0) {
      const depth = open
      if (depth > deepest) deepest = depth
      if (depth > maxDepth) return { depth, line: lineNo, column: indent + 1 }
      if (nextBar >= 0 && nextBar < start) nextBar = text.indexOf('|', start)
      if (nextGt >= 0 && nextGt < start) nextGt = text.indexOf('>', start)
      if (((nextBar >= 0 && nextBar < stop) || (nextGt >= 0 && nextGt < stop)) && BLOCK_SCALAR_HEADER.test(text.slice(start + indent, stop))) blockScalarParent = indent
    }
  }
  return { depth: deepest }
}

/** The lower of two `indexOf` results, -1 meaning none. */
function firstOf(a: number, b: number): number {
  return a < 0 ? b : b < 0 || a < b ? a : b
}

/**
 * Whether the loop of `scanDepth` could count the bracket at `b` (outside flow collections) as
 * opening one: only at a value's start, which is the line's first character, after `: ` or `- `
 * and spaces, or after a quoted scalar that began at a value's start. A false answer is exact (the
 * loop never counts that bracket); a true one may not be (the bracket may be inside quotes).
 */
function mayOpenFlow(text: string, lineStart: number, b: number): boolean {
  let q = b - 1
  while (q >= lineStart && text.charCodeAt(q) === SPACE) q--
  if (q < lineStart) return true
  const c = text.charCodeAt(q)
  return c === DQUOTE || c === SQUOTE || ((c === COLON || c === DASH) && q + 1 < b)
}

/**
 * Whether the line from `at` to `stop` holds no quote or `#` before the bracket at `opener`, and
 * after it only plain text up to one closing bracket and spaces (`key: [a, b]`, `- {x: 1}`): then
 * the loop of `scanDepth` opens one flow collection at `opener` and closes it on the same line.
 */
function isPlainFlowLine(text: string, at: number, opener: number, stop: number): boolean {
  for (let i = at; i < opener; i++) {
    const c = text.charCodeAt(i)
    if (c === DQUOTE || c === SQUOTE || c === HASH) return false
  }
  PLAIN_FLOW_REST.lastIndex = opener + 1
  return PLAIN_FLOW_REST.test(text) && PLAIN_FLOW_REST.lastIndex === stop
}

// The rest of a plain one-line flow collection after its opening bracket.
const PLAIN_FLOW_REST = /[^"'#[\]{}\r\n]*[\]}][ ]*/y

/** The characters the loop above looks at; any other one is plain text. */
const SPECIAL = new Uint8Array(128)
for (const c of ' "#\',-:[]{}') SPECIAL[c.charCodeAt(0)] = 1

const BLOCK_SCALAR_HEADER = /(?:^|[:\-]\s)[|>][-+0-9]*\s*(?:#.*)?$/
const CR = 13
const SPACE = 32
const HASH = 35
const DASH = 45
const DQUOTE = 34
const SQUOTE = 39
const LBRACKET = 91
const RBRACKET = 93
const LBRACE = 123
const RBRACE = 125
const COMMA = 44
const COLON = 58
