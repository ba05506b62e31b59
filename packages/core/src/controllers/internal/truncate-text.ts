/**
 * Shortens `text` to at most `max` UTF-16 code units, ending with `…` when cut, so that status
 * messages stay within their schema limits. `max` must be at least 1.
 */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
