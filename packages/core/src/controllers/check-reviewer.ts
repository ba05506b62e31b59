/**
 * Why a review action does not count: `NotEligible` and `SelfApproval` from {@link checkReviewer};
 * `StaleGeneration`, `DigestMismatch`, `NotWaiting` and `AlreadyDecided` from `decideGate`; any
 * other PascalCase reason is one a shell decided before (`Unsigned`, `UnknownSigner`, ...).
 */
export type ReviewRefusalReason = 'NotEligible' | 'SelfApproval' | 'StaleGeneration' | 'DigestMismatch' | 'NotWaiting' | 'AlreadyDecided' | (string & {})

/** Who may decide a Gate: its `spec.reviewers` and the facts the shell looked up. */
export interface ReviewerPolicy {
  /** `spec.reviewers`: `user:LOGIN`, `team:ORG/SLUG`, `email:ADDR`, `svc:NAME`. Empty or absent: anyone in `writers`. */
  readonly reviewers?: readonly string[]
  /** Author of the change that created the Execution; never eligible (separation of duties). */
  readonly changeAuthor?: string
  /** Members of each team named in `reviewers`, keyed as written there (`team:ORG/SLUG`); logins or `user:LOGIN`. */
  readonly teams: ReadonlyMap<string, readonly string[]>
  /** People with write access (logins or subjects), eligible when `reviewers` is empty. Absent: nobody. */
  readonly writers?: readonly string[]
}

/**
 * Normalizes a reviewer subject for comparison: lower-cased (logins, team slugs and e-mail
 * addresses compare case-insensitively), and a bare value without a `prefix:` is read as
 * `user:VALUE`.
 *
 * @example
 * ```ts
 * normalizeSubject('Alice')      // 'user:alice'
 * normalizeSubject('svc:Policy') // 'svc:policy'
 * ```
 */
export function normalizeSubject(subject: string): string {
  const lower = subject.toLowerCase()
  return lower.includes(':') ? lower : `user:${lower}`
}

/**
 * Checks whether `reviewer` may approve or reject under `policy` (DECISIONS §5). Returns
 * `SelfApproval` when the reviewer is the change author (checked first, so an author listed in
 * `reviewers` is still refused), `NotEligible` when the reviewer matches no entry of `reviewers`
 * (a `team:` entry matches its members from `teams`; a team missing from the map has no members),
 * or, for an empty list, is not in `writers`. A service (`svc:NAME`) is eligible only where
 * `reviewers` names it: never as a writer or a team member. Returns `undefined` when the reviewer is eligible.
 * Comparison uses {@link normalizeSubject}. Pure.
 *
 * @example
 * ```ts
 * checkReviewer('user:bob', { reviewers: ['team:acme/sre'], teams: new Map([['team:acme/sre', ['bob']]]) }) // undefined
 * checkReviewer('user:amy', { reviewers: [], writers: ['amy'], changeAuthor: 'amy', teams: new Map() })   // 'SelfApproval'
 * ```
 */
export function checkReviewer(reviewer: string, policy: ReviewerPolicy): 'NotEligible' | 'SelfApproval' | undefined {
  const subject = normalizeSubject(reviewer)
  if (policy.changeAuthor !== undefined && normalizeSubject(policy.changeAuthor) === subject) return 'SelfApproval'
  const reviewers = policy.reviewers ?? []
  // A service (an AI agent, a bot) decides only a Gate that names it with `svc:`: never through
  // write access (empty `reviewers`) or a team it was put in.
  if (subject.startsWith('svc:')) return reviewers.some((entry) => normalizeSubject(entry) === subject) ? undefined : 'NotEligible'
  const allowed = reviewers.length === 0 ? matchesSubject(subject, policy.writers ?? [], policy.teams) : matchesSubject(subject, reviewers, policy.teams)
  return allowed ? undefined : 'NotEligible'
}

/**
 * Tells whether `subject` is one of `entries` (`user:`, `email:`, `svc:` compared with
 * {@link normalizeSubject}) or a member of one of its `team:` entries (members from `teams`, keyed
 * as the entry is written; a team missing from the map has no members). Pure.
 *
 * @example
 * ```ts
 * matchesSubject('Bob', ['team:acme/sre'], new Map([['team:acme/sre', ['user:bob']]])) // true
 * ```
 */
export function matchesSubject(subject: string, entries: readonly string[], teams: ReadonlyMap<string, readonly string[]>): boolean {
  const normalized = normalizeSubject(subject)
  return entries.some((entry) => {
    const candidate = normalizeSubject(entry)
    if (!candidate.startsWith('team:')) return candidate === normalized
    const members = teams.get(entry) ?? []
    return members.some((member) => normalizeSubject(member) === normalized)
  })
}
