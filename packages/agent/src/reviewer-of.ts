/**
 * Returns the reviewer subject of an e-mail identity: `user:LOGIN` for GitHub's no-reply
 * addresses (`LOGIN@users.noreply.github.com`, `ID+LOGIN@…`, which the GitHub comment commands
 * use), `svc:NAME` for a service principal of the allowed-signers file (`svc:NAME`, the identity
 * an AI agent's key is listed under), else `email:ADDRESS` (lower case).
 *
 * @example
 * reviewerOf({ email: '583231+octocat@users.noreply.github.com' }) // 'user:octocat'
 * reviewerOf({ email: 'svc:docs-writer' })                         // 'svc:docs-writer'
 */
export function reviewerOf(author: { readonly email: string }): string {
  const service = /^svc:([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/i.exec(author.email)
  if (service) return `svc:${(service[1] as string).toLowerCase()}`
  const github = /^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$/i.exec(author.email)
  return github ? `user:${(github[1] as string).toLowerCase()}` : `email:${author.email.toLowerCase()}`
}
