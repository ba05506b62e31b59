import { matchesSubject, normalizeSubject } from './check-reviewer.js'

/** A request to move a run that is not a Gate decision. */
export type RunRequestKind = 'cancel' | 'retry' | 'claim' | 'complete'

/** Who may make run requests for one Execution: the facts the shell looked up. */
export interface RequesterPolicy {
  /** Author of the change that created the Execution. */
  readonly changeAuthor?: string
  /** The `reviewers` of every Gate the Execution's plan names (`user:`, `team:`, `email:`, `svc:`). */
  readonly gateReviewers: readonly string[]
  /** Members of each team named anywhere here, keyed as written (`team:ORG/SLUG`). */
  readonly teams: ReadonlyMap<string, readonly string[]>
  /** People with write access (git mode: the allowed-signers principals and `--teams` members). */
  readonly writers?: readonly string[]
  /** For claim and complete: the subjects the node's claimable target names ({@link claimSubjects}). */
  readonly assignees?: readonly string[]
}

/**
 * Checks whether `requester` may make a run request (DECISIONS §9, eligibility for every request):
 * - `cancel` / `retry`: the Execution's change author, a reviewer of a Gate of its plan, or a writer;
 * - `claim` / `complete`: a subject the node's `human://` or `agent://` target names (see
 *   {@link claimSubjects}), or a reviewer of a Gate of its plan.
 * Team entries match their members. Returns `NotEligible` or `undefined` (eligible). Pure.
 *
 * @example
 * ```ts
 * checkRequester('user:eve', 'cancel', { changeAuthor: 'user:amy', gateReviewers: ['user:bob'], teams: new Map() }) // 'NotEligible'
 * ```
 */
export function checkRequester(requester: string, kind: RunRequestKind, policy: RequesterPolicy): 'NotEligible' | undefined {
  const reviewer = matchesSubject(requester, policy.gateReviewers, policy.teams)
  if (kind === 'claim' || kind === 'complete') return reviewer || matchesSubject(requester, policy.assignees ?? [], policy.teams) ? undefined : 'NotEligible'
  const author = policy.changeAuthor !== undefined && normalizeSubject(policy.changeAuthor) === normalizeSubject(requester)
  return author || reviewer || matchesSubject(requester, policy.writers ?? [], policy.teams) ? undefined : 'NotEligible'
}

/**
 * Lists the subjects a claimable provider target names, who may claim and complete its work:
 * `config.assignees` (an array of subjects) when given; else for `human://QUEUE` the queue read as
 * a subject (`human://user:alice`, `human://team:acme/sre`; a bare queue name is the team
 * `team:QUEUE`), and for `agent://NAME` the service identity `svc:NAME`. Other schemes name nobody.
 * Pure.
 *
 * @example
 * ```ts
 * claimSubjects('human://appsec')      // ['team:appsec']
 * claimSubjects('agent://docs-writer') // ['svc:docs-writer']
 * ```
 */
export function claimSubjects(provider: string, config?: Readonly<Record<string, unknown>>): string[] {
  const assignees = config?.assignees
  if (Array.isArray(assignees)) return assignees.filter((value): value is string => typeof value === 'string' && value !== '')
  const match = /^(human|agent):\/\/(.+)$/.exec(provider)
  if (match === null) return []
  const [, scheme, rest] = match as unknown as [string, string, string]
  if (scheme === 'agent') return [`svc:${rest}`]
  return [rest.includes(':') ? rest : `team:${rest}`]
}
