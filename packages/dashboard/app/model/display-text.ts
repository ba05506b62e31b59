/** Longest user string shown in full; longer ones are cut with an ellipsis (the whole text stays in the tooltip). */
export const MAX_SHOWN = 200

// Bidirectional controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM) and other
// invisible format characters, which could make text read differently from what it is.
const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g

/**
 * Makes a user string safe to read: control, bidirectional and zero-width characters become visible
 * `\u{…}` escapes, and text longer than `max` characters is cut with `…`. The result is still put
 * into a text node (never parsed as markup); this only stops it from misleading the reader.
 *
 * @example
 * displayText('deploy\u202Eexe.txt') // 'deploy\\u{202e}exe.txt'
 */
export function displayText(value: unknown, max = MAX_SHOWN): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value)
  const visible = text.replace(HIDDEN, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)
  const chars = [...visible]
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : visible
}

/** Formats an RFC 3339 time for people (local time, to the second), or `—`. */
export function formatTime(value: string | undefined): string {
  if (value === undefined) return '—'
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? '—' : new Date(ms).toLocaleString(undefined, { hour12: false })
}

/** Formats a duration in milliseconds as `1h2m`, `3m4s`, `5.2s` or `120ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60) return `${minutes}m${Math.floor((ms % 60_000) / 1000)}s`
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`
}

/** How long something took: from `start` to `end`, or to `nowMs` while it runs; undefined without a start. */
export function elapsedMs(start: string | undefined, end: string | undefined, nowMs: number): number | undefined {
  const from = start === undefined ? Number.NaN : Date.parse(start)
  if (Number.isNaN(from)) return undefined
  const to = end === undefined ? nowMs : Date.parse(end)
  return Number.isNaN(to) ? undefined : Math.max(0, to - from)
}
