import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml'

/** A source range as offsets: `from` inclusive, `to` exclusive. */
export interface SourceRange {
  readonly from: number
  readonly to: number
}

/** Splits a JSON pointer (RFC 6901) into unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Builds a JSON pointer from segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

/**
 * Finds the source range of the value at `pointer` in a parsed document. With `key: true` the
 * range of the mapping key is returned instead (for findings about the key itself, such as an
 * unknown field). A pointer that does not exist in the source resolves to its nearest existing
 * ancestor, so a finding is always positioned at the offending node or as close as possible.
 *
 * @example
 * locate(doc, '/spec/graph/nodes/2/dependsOn/0') // range of that list item
 */
export function locate(document: Document.Parsed, pointer: string, options: { key?: boolean } = {}): SourceRange {
  let node: Node | null | undefined = document.contents
  let best: SourceRange = rangeOf(node) ?? { from: document.range[0], to: document.range[0] + 1 }
  const segments = pointerSegments(pointer)
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    const last = i === segments.length - 1
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : undefined) === segment)
      if (!pair) return best
      if (last && options.key) return rangeOf(pair.key as Node) ?? best
      const value = pair.value as Node | null
      // An empty value (`key:`) has no range of its own: point at the key.
      node = value
      best = rangeOf(value) ?? rangeOf(pair.key as Node) ?? best
      if (!value) return best
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined
      if (!item) return best
      node = item
      best = rangeOf(item) ?? best
    } else return best
  }
  return best
}

function rangeOf(node: Node | null | undefined): SourceRange | undefined {
  const range = node?.range
  if (!range) return undefined
  // For collections, point at the first line only: the whole block would underline too much.
  return { from: range[0], to: Math.max(range[0] + 1, range[1]) }
}
