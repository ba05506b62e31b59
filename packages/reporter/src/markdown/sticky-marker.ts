/**
 * Returns the hidden marker that identifies a sticky comment: `<!-- planspec:<id> -->`. A
 * reporter finds its own comment by this marker and updates it in place instead of posting a new
 * one (STYLE §4: the reporter reconciles too). Characters of `id` outside `[A-Za-z0-9._:/-]`
 * become `-` and runs of `-` collapse to one, so the id can never close the comment early
 * (`-->`) or carry markup; an empty id becomes `default`.
 *
 * @example
 * stickyMarker('review/pr-42') // '<!-- planspec:review/pr-42 -->'
 */
export function stickyMarker(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._:/-]/g, '-').replace(/-{2,}/g, '-')
  return `<!-- planspec:${safe === '' ? 'default' : safe} -->`
}

/**
 * Tells whether a comment body carries the sticky marker of `id` (as {@link stickyMarker}
 * writes it), i.e. whether it is the comment to update.
 *
 * @example
 * comments.find((c) => hasStickyMarker(c.body, 'review'))
 */
export function hasStickyMarker(body: string, id: string): boolean {
  return body.includes(stickyMarker(id))
}
