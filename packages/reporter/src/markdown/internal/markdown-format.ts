import { formatDurationCompact } from '@planspec/core'
import { pluralize } from '../../internal/pluralize.js'
import { codeSpan, escapeMarkdown } from '../escape-markdown.js'
import type { MarkdownOptions } from '../markdown-types.js'

/** GitHub's limit for an issue or pull request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_535

/** Longest user text in a table cell, before escaping. */
export const CELL_MAX = 300

/** Formats virtual or real milliseconds: `0s`, `1m30s`, `2h`; `?` for a value that is not finite. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?'
  return ms === 0 ? '0s' : formatDurationCompact(ms)
}

/** The line that ends a shortened body, pointing to the full report. */
export function overflowNote(options: MarkdownOptions): string {
  const where = options.detailsUrl === undefined ? 'the job summary' : `[the job summary](${safeUrl(options.detailsUrl)})`
  return `> [!NOTE]\n> Some sections were shortened to fit the comment size limit (${pluralize(options.maxLength ?? GITHUB_COMMENT_LIMIT, 'character')}); the full report is in ${where}.`
}

// A high surrogate without its low half, or a low one without its high half.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * Makes a URL safe as a Markdown link destination: ASCII controls, spaces, parentheses, angle
 * brackets and backslashes, which could end the destination or the line, are percent-encoded.
 */
export function safeUrl(url: string): string {
  return url.replace(/[\u0000-\u0020\u007f()<>\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/**
 * Builds the link to a line of a repository file: `base` + the path with each segment
 * percent-encoded + `#L<line>`. Returns undefined for a path a blob URL cannot name (absolute,
 * with `..` or empty segments, or a Windows drive).
 */
export function fileUrl(base: string, file: string, line: number): string | undefined {
  const path = file.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '')
  const segments = path.split('/')
  if (/^[A-Za-z]:/.test(path) || segments.some((s) => s === '' || s === '..' || s === '.')) return undefined
  const encoded = segments.map((s) => encodeURIComponent(s.replace(LONE_SURROGATE, '\ufffd'))).join('/')
  return safeUrl(`${base}${base.endsWith('/') ? '' : '/'}${encoded}#L${line}`)
}

/** Counts with their noun, joined by commas: `1 added, 2 removed`; zero counts are left out. */
export function countList(counts: readonly (readonly [number, string])[]): string {
  return counts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`).join(', ')
}

/** Escapes text for a table cell, cut to {@link CELL_MAX}. */
export function cell(text: string): string {
  return escapeMarkdown(text, CELL_MAX)
}

/**
 * A list of identifiers as code spans, at most `max` of them, then `+N more`; `—` when empty.
 * `table: false` for a list outside a table; `separator` between items (default `, `).
 */
export function idList(ids: readonly string[], max: number, options: { readonly table?: boolean; readonly separator?: string } = {}): string {
  if (ids.length === 0) return '—'
  const shown = ids.slice(0, max).map((text) => codeSpan(text, { table: options.table ?? true, max: 200 })).join(options.separator ?? ', ')
  return ids.length > max ? `${shown} +${ids.length - max} more` : shown
}
