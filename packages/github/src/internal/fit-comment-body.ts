/** GitHub's limit on an issue or pull request comment body, in characters (UTF-16 code units). */
export const COMMENT_LIMIT = 65_535

const NOTE = '\n\n… (cut: the report exceeded GitHub\'s 65,535-character comment limit)'

/**
 * Cuts a body to GitHub's comment limit, ending with a note, never inside a surrogate pair. The
 * reporter's renderers already fit their output; this is the last guard before the API answers 422.
 */
export function fitCommentBody(body: string, limit = COMMENT_LIMIT): string {
  if (body.length <= limit) return body
  let end = limit - NOTE.length
  if (/[\ud800-\udbff]/.test(body.charAt(end - 1))) end -= 1
  return `${body.slice(0, end)}${NOTE}`
}
