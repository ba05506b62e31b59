// Controls, DEL, C1 controls and line/paragraph separators: anything that would break a line.
const BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g
// Bidirectional overrides and isolates reorder what a reader sees (CVE-2021-42574, "Trojan Source").
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g
// ASCII punctuation that starts or ends Markdown syntax inside a line (CommonMark lets a backslash
// escape any of it): emphasis, code, links and images, tables, strikethrough, math.
const PUNCTUATION = /[\\`*_[\]|~!$]/g
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }
/** A zero-width space, as an entity: invisible, but it ends a mention or a reference. */
const BREAK = '&#8203;'

/**
 * Escapes user-controlled text (node names, descriptions, messages, titles) for an inline
 * Markdown position on GitHub: a table cell, a list item or a sentence, never the start of a
 * line. The result renders as the literal text, on one line, and can neither format, link, embed
 * HTML, ping anyone nor cross-reference an issue:
 * - control characters and line breaks become one space; bidi overrides become `�`;
 * - `&`, `<`, `>` become entities, so no HTML tag or entity survives;
 * - `` \ ` * _ [ ] | ~ ! $ `` get a backslash (no emphasis, code, link, image, table cell break,
 *   strikethrough or math);
 * - a zero-width space (`&#8203;`) goes after every `@` and `#`, inside `://` and `www.`, between
 *   `GH` and `-N`, and after the sixth character of a run of 7 to 40 hex digits: GitHub finds
 *   `@user`, `@org/team`, `#123`, `GH-123`, commit SHAs and URLs in the rendered text, so a
 *   backslash would not stop them, but a character in the middle does.
 *
 * `max` cuts the text first (in UTF-16 code units, never inside a surrogate pair), ending with `…`.
 *
 * @example
 * escapeMarkdown('@admin see <b>#12</b> | *now*') // '@&#8203;admin see &lt;b&gt;#&#8203;12&lt;/b&gt; \\| \\*now\\*'
 */
export function escapeMarkdown(text: string, max?: number): string {
  return truncate(flatten(text), max)
    .replace(/[&<>]/g, (c) => ENTITIES[c] as string)
    .replace(PUNCTUATION, '\\$&')
    .replace(/[@#]/g, `$&${BREAK}`)
    .replace(/:\/\//g, `:${BREAK}//`)
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}${BREAK}.`)
    .replace(/\b(gh)(-\d)/gi, `$1${BREAK}$2`)
    .replace(/\b([0-9a-f]{6})([0-9a-f]{1,34})\b/gi, (run, head: string, tail: string) => (/\d/.test(run) ? `${head}${BREAK}${tail}` : run))
}

/**
 * Wraps text in an inline code span: the way identifiers (node ids, subjects, providers,
 * reviewers, file paths) are shown. Inside code GitHub renders no Markdown, no HTML and no
 * mentions. The fence is one backtick longer than the longest run of backticks in the text, and a
 * space pads a text that starts or ends with a backtick. Line breaks and controls become spaces.
 * With `table`, `|` becomes `\|`: GitHub splits table cells on pipes even inside code spans and
 * removes the backslash there.
 *
 * @example
 * codeSpan('a`b') // '``a`b``'
 * codeSpan('x|y', { table: true }) // '`x\\|y`'
 */
export function codeSpan(text: string, options: { readonly table?: boolean; readonly max?: number } = {}): string {
  const flat = truncate(flatten(text), options.max)
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = /^`|`$/.test(flat) ? ' ' : ''
  const span = `${fence}${pad}${flat === '' ? ' ' : flat}${pad}${fence}`
  return options.table === true ? span.replace(/\|/g, '\\|') : span
}

/** Puts text on one line without controls or bidi overrides. */
function flatten(text: string): string {
  return text.replace(BREAKING, ' ').replace(BIDI, '\ufffd')
}

/** Cuts text to `max` UTF-16 code units with `…`, without splitting a surrogate pair. */
function truncate(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text
  let end = Math.max(0, max - 1)
  if (end > 0 && /[\ud800-\udbff]/.test(text.charAt(end - 1))) end -= 1
  return `${text.slice(0, end)}…`
}
