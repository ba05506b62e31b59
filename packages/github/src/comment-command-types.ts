import type { GateDecisionTarget, ReviewActionInput, WaitingExecution } from '@planspec/core'
import type { CommandTarget } from './parse-comment-commands.js'

/** A pull request comment that may carry commands, as the webhook or the poller saw it. */
export interface CommandComment {
  readonly id: number
  readonly owner: string
  readonly repo: string
  /** The pull request number. */
  readonly issueNumber: number
  readonly body: string
  /** The commenter's login. */
  readonly author: string
  /** `Bot` comments are never read as commands (PlanSpec's own replies among them). */
  readonly authorType?: string
  /** The comment's web URL, recorded as the source of each action. */
  readonly url: string
  /** RFC 3339 time the comment was created: the time of each action. */
  readonly createdAt: string
  /** The pull request's author: never eligible to approve (separation of duties). */
  readonly pullRequestAuthor: string
}

/** A Gate a command names, as the agent knows it. */
export interface ResolvedGate {
  readonly namespace: string
  readonly name: string
  /** Generation, reviewers, required approvals and the current status (for the quorum in the reply). */
  readonly gate: GateDecisionTarget
  /** Author of the change that created the Executions waiting on the Gate, when not recorded per Execution. */
  readonly changeAuthor?: string
  /** The Executions waiting on the Gate (default: the `Waiting` entries of `gate.status.executions`). */
  readonly waiting?: readonly WaitingExecution[]
}

/** An Execution a command names, as the agent knows it. */
export interface ResolvedExecution {
  readonly namespace: string
  readonly name: string
  /** Node ids of its Plan, to refuse `/planspec done` on an unknown node. */
  readonly nodes?: readonly string[]
}

/** How the handler finds what commands name (the agent reads its store or the status branch). */
export interface CommandResolver {
  findGate(target: CommandTarget): Promise<ResolvedGate | undefined>
  findExecution(target: CommandTarget): Promise<ResolvedExecution | undefined>
  /** Executions with claimable work at `node`, for `/planspec done NODE` without an Execution. */
  findExecutionsWithNode(node: string): Promise<readonly ResolvedExecution[]>
}

/** Where a request came from: the comment, and a key unique per command (for idempotent recording). */
export interface CommandOrigin {
  /** `github-comment/<comment id>/<line>`: the same command handled twice has the same id. */
  readonly id: string
  /** `user:<login>`. */
  readonly actor: string
  /** The comment URL. */
  readonly source: string
  /** RFC 3339 time of the comment. */
  readonly timestamp: string
}

/** An authorized command for the agent to record (e.g. as a request file on the status branch). */
export type CommandRequest =
  | (CommandOrigin & { readonly kind: 'gate'; readonly gate: { readonly namespace: string; readonly name: string }; readonly review: ReviewActionInput })
  | (CommandOrigin & { readonly kind: 'execution'; readonly action: 'retry' | 'cancel'; readonly execution: { readonly namespace: string; readonly name: string } })
  | (CommandOrigin & {
      readonly kind: 'done'
      readonly execution: { readonly namespace: string; readonly name: string }
      readonly node: string
      readonly outputs: Readonly<Record<string, string>>
    })

/** What recording did: `refused` when the agent declines (the Execution is not Failed, say), with why. */
export interface CommandRecordResult {
  readonly outcome: 'recorded' | 'refused'
  readonly message?: string
}

/** Records an authorized command; the reply shows its result. May throw: the reply then says it failed. */
export type OnCommand = (request: CommandRequest) => Promise<CommandRecordResult>

/** Why a command was not recorded. */
export type CommandRefusalReason =
  | 'Invalid'
  | 'UnknownGate'
  | 'UnknownExecution'
  | 'UnknownNode'
  | 'AmbiguousNode'
  | 'NotEligible'
  | 'SelfApproval'
  | 'NotAuthorized'
  | 'Declined'

/** What happened to one command of a comment. */
export interface CommandResult {
  readonly line: number
  /** The command in canonical form, e.g. `approve default/prod-gate`, or the raw line when invalid. */
  readonly command: string
  /** `failed`: a lookup or the recording threw (`error` says which code). */
  readonly outcome: 'recorded' | 'refused' | 'failed'
  readonly reason?: CommandRefusalReason
  /** Detail for the reply: the quorum after an approval, why a command was refused or failed. */
  readonly message?: string
  readonly request?: CommandRequest
  readonly errorCode?: string
}
