import type { Diagnostic, FixEdit } from '@planspec/core'
import { isMap, isScalar, type Document, type Node } from 'yaml'
import type { ParsedFile } from './parse-yaml.js'
import { pointerSegments } from './positions.js'

/** What applying fixes to one file produced. */
export interface FixOutcome {
  /** The new text of the file (the old text when nothing applied). */
  readonly text: string
  /** How many fixes were applied. */
  readonly applied: number
}

/**
 * Applies the fixes carried by `diagnostics` of one file, keeping comments: only documents with a
 * fix are re-serialized, the others keep their original text byte for byte; scalar values are
 * changed in place so comments attached to them survive, and renamed keys keep their position.
 * Fixes whose paths no longer exist are skipped. Idempotent: fixing a fixed file changes nothing.
 *
 * @example
 * const { text, applied } = applyFixes(result.parsed.get('plan.yaml')!, result.diagnostics)
 */
export function applyFixes(parsed: ParsedFile, diagnostics: readonly Diagnostic[]): FixOutcome {
  const byDocument = new Map<number, FixEdit[][]>()
  // Last position first: a fix inside a key that another fix renames applies before the rename.
  const ordered = [...diagnostics].sort((a, b) => b.line - a.line || b.column - a.column)
  for (const diagnostic of ordered) {
    if (diagnostic.file !== parsed.file || !diagnostic.fix) continue
    const index = documentIndexOf(parsed, diagnostic)
    if (index < 0) continue
    let list = byDocument.get(index)
    if (!list) byDocument.set(index, (list = []))
    list.push([...diagnostic.fix.edits])
  }
  if (byDocument.size === 0) return { text: parsed.text, applied: 0 }
  let applied = 0
  let out = ''
  parsed.documents.forEach((parsedDocument, i) => {
    const start = i === 0 ? 0 : parsedDocument.document.range[0]
    const next = parsed.documents[i + 1]
    const end = next ? next.document.range[0] : parsed.text.length
    const fixes = byDocument.get(i)
    if (!fixes) {
      out += parsed.text.slice(start, end)
      return
    }
    const document = parsedDocument.document.clone() as Document.Parsed
    const seen = new Set<string>()
    for (const edits of fixes) {
      const key = JSON.stringify(edits)
      if (seen.has(key)) continue
      seen.add(key)
      if (edits.every((edit) => applyEdit(document, edit))) applied++
    }
    out += document.toString({ lineWidth: 0, flowCollectionPadding: false })
  })
  return { text: out, applied }
}

function documentIndexOf(parsed: ParsedFile, diagnostic: Diagnostic): number {
  // Diagnostics carry a line; the document that spans it is the one to edit.
  const offsetLine = (offset: number): number => parsed.lineCounter.linePos(offset).line
  for (let i = parsed.documents.length - 1; i >= 0; i--) {
    if (offsetLine(parsed.documents[i]!.document.range[0]) <= diagnostic.line) return i
  }
  return -1
}

function segmentsOf(path: string): (string | number)[] {
  return pointerSegments(path).map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s))
}

function applyEdit(document: Document.Parsed, edit: FixEdit): boolean {
  const segments = segmentsOf(edit.path)
  if (edit.op === 'remove') {
    if (!document.hasIn(segments)) return false
    document.deleteIn(segments)
    return true
  }
  if (edit.op === 'rename') {
    const parent = document.getIn(segments.slice(0, -1), true) as Node | undefined
    const last = segments[segments.length - 1]
    if (!isMap(parent)) return false
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last)
    if (!pair || !isScalar(pair.key)) return false
    if (parent.items.some((p) => isScalar(p.key) && p.key.value === edit.to)) return false
    pair.key.value = edit.to
    return true
  }
  const current = document.getIn(segments, true) as Node | undefined
  const value = edit.value
  if (isScalar(current) && (value === null || typeof value !== 'object')) {
    current.value = value
    return true
  }
  document.setIn(segments, document.createNode(value, { flow: isFlow(current) }))
  return true
}

function isFlow(node: Node | undefined): boolean {
  return Boolean(node && (node as { flow?: boolean }).flow)
}
