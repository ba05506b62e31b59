import { checkReviewer, normalizeSubject, type ReviewerPolicy } from '@planspec/core'

/** Who a GitHub login is, looked up through the API (see `createRepositoryAccessLookup`). */
export interface RepositoryAccessLookup {
  /** Whether `login` is an active member of the team `org/slug`. */
  lookupTeamMembership(org: string, slug: string, login: string): Promise<boolean>
  /** Whether `login` has write access (write, maintain or admin) to the repository. */
  lookupWriteAccess(login: string): Promise<boolean>
}

/** The Gate fields authorization reads. */
export interface GateReviewersLike {
  readonly spec: { readonly reviewers?: readonly string[] }
}

/** Arguments of {@link authorizeGateAction}. */
export interface AuthorizeGateActionOptions extends RepositoryAccessLookup {
  readonly gate: GateReviewersLike
  /** The GitHub login that asks to approve or reject. */
  readonly actor: string
  /** Author(s) of the change: the pull request author and the author of the change that created the Execution. */
  readonly author?: string | readonly string[]
}

/** Whether an approve or reject counts, as the subject the Gate records (`user:<login>`). */
export type GateAuthorization =
  | { readonly allowed: true; readonly reviewer: string }
  | { readonly allowed: false; readonly reviewer: string; readonly reason: 'NotEligible' | 'SelfApproval' }

/**
 * Decides whether a GitHub user may approve or reject a Gate (DECISIONS §5), with the facts
 * looked up first and the rule applied by core's `checkReviewer`:
 * - an author of the change is refused (`SelfApproval`, separation of duties), before any lookup;
 * - `spec.reviewers` entries match `user:LOGIN`, or `team:ORG/SLUG` when the login is an active
 *   member (GET /orgs/{org}/teams/{team_slug}/memberships/{username}); `email:` and `svc:` entries
 *   name identities of the CLI and API, never a GitHub commenter;
 * - an empty or absent list admits anyone with write access
 *   (GET /repos/{owner}/{repo}/collaborators/{username}/permission).
 * Logins compare case-insensitively. Lookups stop at the first team that admits the login.
 * Quorum is not decided here: core's `decideGate` counts distinct eligible approvals.
 * Throws what a lookup throws (a `GitHubApiError` for the API lookups).
 *
 * @example
 * const access = createRepositoryAccessLookup({ octokit, owner, repo })
 * await authorizeGateAction({ gate, actor: 'bob', author: 'amy', ...access })
 * // { allowed: true, reviewer: 'user:bob' }
 */
export async function authorizeGateAction(options: AuthorizeGateActionOptions): Promise<GateAuthorization> {
  const reviewer = normalizeSubject(`user:${options.actor}`)
  const authors = options.author === undefined ? [] : typeof options.author === 'string' ? [options.author] : options.author
  const reviewers = options.gate.spec.reviewers ?? []
  const empty: ReviewerPolicy = { reviewers, teams: new Map() }
  if (authors.some((author) => checkReviewer(reviewer, { ...empty, changeAuthor: author }) === 'SelfApproval')) {
    return { allowed: false, reviewer, reason: 'SelfApproval' }
  }
  const facts = await resolveReviewerFacts({ gate: options.gate, subjects: [reviewer], lookup: options })
  const refusal = checkReviewer(reviewer, { reviewers, ...facts })
  return refusal === undefined ? { allowed: true, reviewer } : { allowed: false, reviewer, reason: refusal }
}

/** The facts core's `checkReviewer` and `decideGate` need about a set of reviewers. */
export interface ReviewerFacts {
  /** Members among `subjects` of each `team:` entry of the Gate, keyed as written there. */
  readonly teams: ReadonlyMap<string, readonly string[]>
  /** Those of `subjects` with write access; only looked up when the Gate lists no reviewers. */
  readonly writers: readonly string[]
}

/**
 * Looks up, for the GitHub users among `subjects` (`user:LOGIN` or bare logins), which of the
 * Gate's `team:` entries they belong to and, when the Gate lists no reviewers, whether they have
 * write access: the `teams` and `writers` that core's `decideGate` takes. Other subjects
 * (`email:`, `svc:`) are not looked up. A login is matched against a team only until one admits it.
 *
 * @example
 * const facts = await resolveReviewerFacts({ gate, subjects: history.map((a) => a.reviewer), lookup })
 * decideGate({ gate, activated: true, actions, now, ...facts, changeAuthor })
 */
export async function resolveReviewerFacts(options: {
  readonly gate: GateReviewersLike
  readonly subjects: readonly string[]
  readonly lookup: RepositoryAccessLookup
}): Promise<ReviewerFacts> {
  const reviewers = options.gate.spec.reviewers ?? []
  const logins = [...new Set(options.subjects.map(normalizeSubject).filter((s) => s.startsWith('user:')).map((s) => s.slice('user:'.length)))]
  const teamEntries = reviewers.filter((entry) => normalizeSubject(entry).startsWith('team:'))
  const teams = new Map<string, string[]>(teamEntries.map((entry) => [entry, []]))
  const writers: string[] = []
  for (const login of logins) {
    if (reviewers.length === 0) {
      if (await options.lookup.lookupWriteAccess(login)) writers.push(login)
      continue
    }
    if (reviewers.some((entry) => normalizeSubject(entry) === `user:${login}`)) continue
    for (const entry of teamEntries) {
      const [org = '', slug = ''] = normalizeSubject(entry).slice('team:'.length).split('/')
      if (org === '' || slug === '') continue
      if (await options.lookup.lookupTeamMembership(org, slug, login)) {
        teams.get(entry)?.push(login)
        break
      }
    }
  }
  return { teams, writers }
}
