/**
 * Returns the reviewer subject of an e-mail identity: `user:LOGIN` for GitHub's no-reply
 * addresses (`LOGIN@users.noreply.github.com`, `ID+LOGIN@…`, which the GitHub comment commands
 * use), else `email:ADDRESS` (lower case).
 *
 * @example
 * reviewerOf({ email: '583231+octocat@users.noreply.github.com' }) // 'user:octocat'
 */
export function reviewerOf(author: { readonly email: string }): string {
  const github = /^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$/i.exec(author.email)
  return github ? `user:${(github[1] as string).toLowerCase()}` : `email:${author.email.toLowerCase()}`
}
