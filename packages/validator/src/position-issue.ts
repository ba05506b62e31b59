import type { Diagnostic, Severity } from '@planspec/core'
import type { Document, LineCounter } from 'yaml'
import { CODES } from './codes.js'
import type { Finding, PathIssue } from './finding.js'
import type { ParsedFile } from './parse-yaml.js'
import { locate, pointerSegments, type SourceRange } from './positions.js'

/** What a finding's severity depends on besides its code. */
export interface SeverityOptions {
  readonly closed?: boolean
}

/** The kind and name of the resource a finding is about, when known. */
export interface IssueSubject {
  readonly kind?: string
  readonly name?: string
}

/**
 * Turns a finding positioned by JSON pointer into a diagnostic with its exact line and column
 * range, from the parsed document of the careful path. `at` is the pointer of the resource inside
 * its document ("" or "/items/3"); the issue's path is relative to it.
 */
export function positionIssue(parsed: ParsedFile, document: Document.Parsed, issue: PathIssue, at: string, options: SeverityOptions, meta?: IssueSubject): Diagnostic {
  const path = at + issue.path
  let range: SourceRange = locate(document, path, { key: issue.key })
  if (issue.within && !issue.key) range = narrow(range, issue.within, valueAt(document, path), parsed.text)
  const start = parsed.lineCounter.linePos(range.from)
  const end = parsed.lineCounter.linePos(range.to)
  const severity = issue.severity ?? defaultSeverity(issue.code, options)
  return {
    code: issue.code,
    severity,
    message: issue.message,
    file: parsed.file,
    line: start.line,
    column: start.col,
    endLine: end.line,
    endColumn: end.col,
    path,
    kind: meta?.kind,
    name: meta?.name,
    fix: issue.fix && at ? { ...issue.fix, edits: issue.fix.edits.map((e) => ({ ...e, path: at + e.path })) } : issue.fix,
  }
}

/** Turns a parse finding (offsets into the text) into a diagnostic. */
export function positionFinding(file: string, lineCounter: LineCounter, f: Finding): Diagnostic {
  const start = lineCounter.linePos(f.from)
  const end = lineCounter.linePos(Math.max(f.from, f.to))
  return { code: f.code, severity: f.severity, message: f.message, file, line: start.line, column: start.col, endLine: end.line, endColumn: end.col, path: f.path ?? '' }
}

function defaultSeverity(code: keyof typeof CODES, options: SeverityOptions): Severity {
  if (code === 'PS4001') return options.closed ? 'error' : 'warning'
  return CODES[code].severity
}

/**
 * Narrows a string value's range to part of the value (an expression inside a template, say),
 * when the source shows that line of the value verbatim; otherwise keeps the whole value.
 */
function narrow(range: SourceRange, within: { start: number; end: number }, value: unknown, text: string): SourceRange {
  if (typeof value !== 'string') return range
  const lineStart = value.lastIndexOf('\n', within.start - 1) + 1
  const lineEnd = value.indexOf('\n', within.start)
  const line = value.slice(lineStart, lineEnd < 0 ? value.length : lineEnd)
  if (!line || within.end > lineStart + line.length) return range
  const base = text.indexOf(line, range.from)
  if (base < 0 || base + line.length > Math.max(range.to, range.from + 1) + 2) return range
  return { from: base + within.start - lineStart, to: Math.max(base + within.start - lineStart + 1, base + within.end - lineStart) }
}

function valueAt(document: Document.Parsed, pointer: string): unknown {
  const node = document.getIn(pointerSegments(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s)), true) as { value?: unknown } | undefined
  return node && typeof node === 'object' && 'value' in node ? node.value : undefined
}
