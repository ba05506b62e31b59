import { checkReviewer, normalizeSubject } from '@planspec/core'
import type { Viewer } from '../api-client.js'

/** An entry of a Gate's `status.executions`, as the page reads it. */
export interface GateExecutionEntry {
  readonly name: string
  readonly namespace: string
  readonly uid: string
  readonly digest: string
  readonly changeAuthor?: string
  readonly phase: string
}

/** Whether the viewer may decide one Execution's entry, and why not. */
export type Eligibility = { readonly eligible: true } | { readonly eligible: false; readonly reason: string }

/**
 * Decides whether the viewer may approve or reject a Gate for one waiting Execution, exactly as the
 * server will: the API's RBAC (`approve` on `gates`, from a SelfSubjectAccessReview) AND core's
 * `checkReviewer` (a listed reviewer, or a member of a listed team, or, when the Gate lists
 * nobody, anyone RBAC lets approve; never the Execution's change author). An entry that does not
 * wait is decided already. The buttons are only offered when this says yes, so the page never
 * offers an action the API would refuse.
 */
export function gateEligibility(viewer: Viewer, reviewers: readonly string[], entry: GateExecutionEntry, rbacAllowed: boolean): Eligibility {
  if (entry.phase !== 'Waiting') return { eligible: false, reason: `already ${entry.phase.toLowerCase()}` }
  if (!rbacAllowed) return { eligible: false, reason: 'your role does not allow approving gates here' }
  const mine = new Set(viewer.teams.map(normalizeSubject))
  const teams = new Map(reviewers.filter((r) => normalizeSubject(r).startsWith('team:')).map((r) => [r, mine.has(normalizeSubject(r)) ? [viewer.subject] : []]))
  const refusal = checkReviewer(viewer.subject, { reviewers, teams, writers: [viewer.subject], ...(entry.changeAuthor === undefined ? {} : { changeAuthor: entry.changeAuthor }) })
  if (refusal === 'SelfApproval') return { eligible: false, reason: 'you authored the change that created this run (separation of duties)' }
  if (refusal === 'NotEligible') return { eligible: false, reason: 'you are not one of its reviewers' }
  return { eligible: true }
}
