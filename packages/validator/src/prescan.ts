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
  const indents: number[] = []
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
      while (indents.length && indents[indents.length - 1]! >= indent) indents.pop()
      indents.push(indent)
      // Compact nested sequences ("- - - x") open one level per dash on the same line.
      while (text.charCodeAt(at) === DASH && at < stop && (at + 1 === stop || text.charCodeAt(at + 1) === SPACE)) {
        at += 2
        while (at < stop && text.charCodeAt(at) === SPACE) at++
        indents.push(at - start)
      }
    }
    if (flowDepth === 0) {
      if (nextBracket >= 0 && nextBracket < at) nextBracket = text.indexOf('[', at)
      if (nextBrace >= 0 && nextBrace < at) nextBrace = text.indexOf('{', at)
      if (!((nextBracket >= 0 && nextBracket < stop) || (nextBrace >= 0 && nextBrace < stop))) at = stop
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
          const depth = indents.length + flowDepth
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
      const depth = indents.length
      if (depth > deepest) deepest = depth
      if (depth > maxDepth) return { depth, line: lineNo, column: indent + 1 }
      if (nextBar >= 0 && nextBar < start) nextBar = text.indexOf('|', start)
      if (nextGt >= 0 && nextGt < start) nextGt = text.indexOf('>', start)
      if (((nextBar >= 0 && nextBar < stop) || (nextGt >= 0 && nextGt < stop)) && BLOCK_SCALAR_HEADER.test(text.slice(start + indent, stop))) blockScalarParent = indent
    }
  }
  return { depth: deepest }
}

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
