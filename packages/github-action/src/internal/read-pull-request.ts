/** What the Action reads of the pull request from the event payload. */
export interface PullRequestInfo {
  readonly number: number
  readonly headSha: string
  readonly baseSha: string
  readonly baseRef: string
  readonly headRef: string
  readonly author: string
  /** Whether the head branch lives in a fork (its token is read-only on `pull_request`). */
  readonly fromFork: boolean
}

/**
 * Reads the pull request of a `pull_request` or `pull_request_target` event payload; undefined
 * for other events or a payload without one. Read defensively: nothing is trusted to have a shape.
 */
export function readPullRequest(payload: unknown, repository: { readonly owner: string; readonly repo: string }): PullRequestInfo | undefined {
  const pr = field(payload, 'pull_request')
  const number = field(pr, 'number')
  const head = field(pr, 'head')
  const base = field(pr, 'base')
  const headSha = field(head, 'sha')
  const baseSha = field(base, 'sha')
  if (typeof number !== 'number' || typeof headSha !== 'string' || typeof baseSha !== 'string') return undefined
  const headRepo = field(head, 'repo')
  const fullName = field(headRepo, 'full_name')
  const fromFork = field(headRepo, 'fork') === true || (typeof fullName === 'string' && fullName.toLowerCase() !== `${repository.owner}/${repository.repo}`.toLowerCase())
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback)
  return {
    number,
    headSha,
    baseSha,
    baseRef: text(field(base, 'ref'), 'base'),
    headRef: text(field(head, 'ref'), 'head'),
    author: text(field(field(pr, 'user'), 'login'), ''),
    fromFork,
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined
}
