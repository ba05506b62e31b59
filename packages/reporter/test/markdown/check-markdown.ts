import { expect } from 'vitest'

const ALLOWED_TAGS = /^<(\/?details( open)?|\/?summary|\/?code|!-- planspec:[A-Za-z0-9._:/-]+ --)>$/

/**
 * Removes code spans the way CommonMark finds them: a backtick run not escaped by a backslash
 * opens a span that the next run of the same length closes (backslashes inside are literal).
 */
export function stripCodeSpans(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (c === '\\') {
      out += text.slice(i, i + 2)
      i += 2
      continue
    }
    if (c !== '`') {
      out += c
      i += 1
      continue
    }
    let n = 0
    while (text[i + n] === '`') n++
    let j = i + n
    let close = -1
    while (j < text.length) {
      if (text[j] !== '`') {
        j++
        continue
      }
      let m = 0
      while (text[j + m] === '`') m++
      if (m === n) {
        close = j
        break
      }
      j += m
    }
    if (close < 0) {
      out += text.slice(i, i + n)
      i += n
    } else i = close + n
  }
  return out
}

/** Splits a table row into cells the way GFM does: on pipes not escaped by a backslash. */
function pipes(line: string): number {
  let count = 0
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++
    else if (line[i] === '|') count++
  }
  return count
}

/**
 * Asserts the structural safety of a rendered body: within `maxLength`; only our own HTML tags;
 * every `@` outside code and diagrams broken by a zero-width space; every table row with as many
 * cells as its header; Mermaid fences balanced.
 */
export function expectSafeMarkdown(body: string, maxLength = 65_535): void {
  expect(body.length).toBeLessThanOrEqual(maxLength)
  const withoutDiagrams = body.replace(/^```mermaid\n[\s\S]*?\n```$/gm, '')
  expect(withoutDiagrams).not.toMatch(/^```/m)
  const withoutCode = stripCodeSpans(withoutDiagrams)
  for (const tag of withoutCode.match(/<[^>]*>/g) ?? []) expect(tag).toMatch(ALLOWED_TAGS)
  const prose = withoutCode.replace(/<code>[^<]*<\/code>/g, '')
  expect(prose).not.toMatch(/@(?!&#8203;)/)
  expect(prose).not.toMatch(/#(?!&#8203;|\d+;|L\d)[0-9]/)
  let columns = -1
  for (const line of withoutDiagrams.split('\n')) {
    if (!line.startsWith('|')) {
      columns = -1
      continue
    }
    if (columns < 0) columns = pipes(line)
    expect(pipes(line), line).toBe(columns)
  }
}
