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
  const indents: number[] = []
  let flowDepth = 0
  let deepest = 0
  let blockScalarParent = -1 // indentation of the key that opened a `|` or `>` scalar
  let lineNo = 0
  let pos = 0
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos)
    if (end < 0) end = text.length
    lineNo++
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(pos, end - 1) : text.slice(pos, end)
    pos = end + 1
    let indent = 0
    while (indent < line.length && line.charCodeAt(indent) === 32) indent++
    if (indent === line.length || line[indent] === '#') continue
    if (blockScalarParent >= 0) {
      if (indent > blockScalarParent) continue // content of a block scalar: text, not structure
      blockScalarParent = -1
    }
    let col = indent
    if (flowDepth === 0) {
      while (indents.length && indents[indents.length - 1]! >= indent) indents.pop()
      indents.push(indent)
      // Compact nested sequences ("- - - x") open one level per dash on the same line.
      while (line[col] === '-' && (line[col + 1] === ' ' || col + 1 === line.length)) {
        col += 2
        while (line[col] === ' ') col++
        indents.push(col)
      }
    }
    let quote = ''
    let atValueStart = true
    for (; col < line.length; col++) {
      const ch = line[col]!
      if (quote) {
        if (ch === quote) quote = ''
        continue
      }
      if (ch === '#' && (col === 0 || line[col - 1] === ' ')) break
      if ((ch === '"' || ch === "'") && (flowDepth > 0 || atValueStart)) {
        quote = ch
        continue
      }
      if (ch === '[' || ch === '{') {
        if (flowDepth > 0 || atValueStart) {
          flowDepth++
          const depth = indents.length + flowDepth
          if (depth > deepest) deepest = depth
          if (depth > maxDepth) return { depth, line: lineNo, column: col + 1 }
        }
        continue
      }
      if ((ch === ']' || ch === '}') && flowDepth > 0) {
        flowDepth--
        continue
      }
      if (ch === ' ') continue
      // After ": " or "- " a new value starts; anything else is inside a plain scalar.
      atValueStart = flowDepth > 0 ? ch === ',' || ch === ':' : (ch === ':' || ch === '-') && line[col + 1] === ' '
    }
    if (flowDepth === 0) {
      const depth = indents.length
      if (depth > deepest) deepest = depth
      if (depth > maxDepth) return { depth, line: lineNo, column: indent + 1 }
      if (/(?:^|[:\-]\s)[|>][-+0-9]*\s*(?:#.*)?$/.test(line.slice(indent))) blockScalarParent = indent
    }
    quote = ''
  }
  return { depth: deepest }
}
