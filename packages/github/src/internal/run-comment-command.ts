import { decideGate, findCondition, type GateStatus, type ReviewActionInput, type WaitingExecution } from '@planspec/core'
import { authorizeGateAction, resolveReviewerFacts, type RepositoryAccessLookup } from '../authorize-gate-action.js'
import type { CommandComment, CommandOrigin, CommandRequest, CommandResolver, CommandResult, OnCommand, ResolvedExecution, ResolvedGate } from '../comment-command-types.js'
import type { CommandTarget, CommentCommand } from '../parse-comment-commands.js'

/** What running one command needs. */
export interface CommandDeps {
  readonly comment: CommandComment
  readonly resolver: CommandResolver
  readonly onCommand: OnCommand
  readonly lookup: RepositoryAccessLookup
}

/**
 * Runs one parsed command: resolves what it names, authorizes the commenter, asks `onCommand` to
 * record it, and says what happened. Never throws: a failed lookup or recording becomes a
 * `failed` result with the error's code.
 */
export async function runCommentCommand(command: CommentCommand, deps: CommandDeps): Promise<CommandResult> {
  const text = describeCommand(command)
  const base = { line: command.line, command: text }
  try {
    if ('gate' in command) return { ...base, ...(await runGateCommand(command, deps)) }
    if (!('node' in command)) {
      const execution = await deps.resolver.findExecution(command.execution)
      if (execution === undefined) return { ...base, outcome: 'refused', reason: 'UnknownExecution', message: `there is no Execution ${target(command.execution)}` }
      return { ...base, ...(await recordForWriter(deps, { kind: 'execution', action: command.verb, execution: identity(execution), ...origin(deps.comment, command.line) })) }
    }
    const found = await findNodeExecution(command.node, command.execution, deps.resolver)
    if ('reason' in found) return { ...base, outcome: 'refused', ...found }
    return {
      ...base,
      ...(await recordForWriter(deps, { kind: 'done', execution: identity(found.execution), node: command.node, outputs: command.outputs, ...origin(deps.comment, command.line) })),
    }
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'PLANSPEC_ERR_GITHUB_REQUEST'
    return { ...base, outcome: 'failed', errorCode: code, message: `could not be handled (${code}); nothing was recorded, try again later` }
  }
}

type Outcome = Omit<CommandResult, 'line' | 'command'>

async function runGateCommand(command: Extract<CommentCommand, { verb: 'approve' | 'reject' }>, deps: CommandDeps): Promise<Outcome> {
  const { comment, lookup } = deps
  const resolved = await deps.resolver.findGate(command.gate)
  if (resolved === undefined) return { outcome: 'refused', reason: 'UnknownGate', message: `there is no Gate ${target(command.gate)}` }
  const authors = [comment.pullRequestAuthor, ...(resolved.changeAuthor === undefined ? [] : [resolved.changeAuthor])]
  const authorization = await authorizeGateAction({ gate: resolved.gate, actor: comment.author, author: authors, ...bind(lookup) })
  if (!authorization.allowed) {
    return authorization.reason === 'SelfApproval'
      ? { outcome: 'refused', reason: 'SelfApproval', message: 'the author of a change cannot approve or reject its own Gate (separation of duties)' }
      : { outcome: 'refused', reason: 'NotEligible', message: `not a reviewer of this Gate (reviewers: ${describeReviewers(resolved)})` }
  }
  const review: ReviewActionInput = {
    reviewer: authorization.reviewer,
    action: command.verb,
    timestamp: comment.createdAt,
    targetGeneration: resolved.gate.metadata.generation ?? 1,
    source: comment.url,
    ...(command.comment === undefined ? {} : { comment: command.comment }),
  }
  const request: CommandRequest = { kind: 'gate', gate: identity(resolved), review, ...origin(comment, command.line) }
  const recorded = await deps.onCommand(request)
  if (recorded.outcome === 'refused') return { outcome: 'refused', reason: 'Declined', message: recorded.message ?? 'declined by the agent', request }
  return { outcome: 'recorded', request, message: await quorumAfter(resolved, review, deps).catch(() => recorded.message ?? 'recorded') }
}

/** Says where the Gate stands once `review` counts, as core's Gate controller decides it. */
async function quorumAfter(resolved: ResolvedGate, review: ReviewActionInput, deps: CommandDeps): Promise<string> {
  const generation = resolved.gate.metadata.generation ?? 1
  const history = (resolved.gate.status?.reviewHistory ?? []).filter((entry) => entry.targetGeneration === generation)
  const facts = await resolveReviewerFacts({ gate: resolved.gate, subjects: [...history.map((entry) => entry.reviewer), review.reviewer], lookup: bind(deps.lookup) })
  const fallbackAuthor = resolved.changeAuthor ?? deps.comment.pullRequestAuthor
  const waiting = (resolved.waiting ?? waitingOf(resolved.gate.status)).map((w) => (w.changeAuthor !== undefined || fallbackAuthor === undefined ? w : { ...w, changeAuthor: fallbackAuthor }))
  const { status } = decideGate({ gate: resolved.gate, waiting, actions: [review], now: review.timestamp, ...facts })
  if (status.phase === 'Approved') return 'the Gate is now approved'
  if (status.phase === 'Rejected') return 'the Gate is now rejected'
  const ready = findCondition(status.conditions, 'Ready')
  return ready?.message === undefined ? 'recorded' : ready.message
}

/** The Executions a Gate's status records as waiting, as core's `decideGate` observes them. */
function waitingOf(status: GateStatus | undefined): WaitingExecution[] {
  return (status?.executions ?? [])
    .filter((entry) => entry.phase === 'Waiting')
    .map((entry) => ({ name: entry.name, namespace: entry.namespace, uid: entry.uid, digest: entry.digest, ...(entry.changeAuthor === undefined ? {} : { changeAuthor: entry.changeAuthor }) }))
}

/** Retry, cancel and done need write access to the repository (they count as `update` on the Execution). */
async function recordForWriter(deps: CommandDeps, request: CommandRequest): Promise<Outcome> {
  if (!(await deps.lookup.lookupWriteAccess(deps.comment.author))) {
    return { outcome: 'refused', reason: 'NotAuthorized', message: 'needs write access to the repository' }
  }
  const recorded = await deps.onCommand(request)
  return recorded.outcome === 'refused'
    ? { outcome: 'refused', reason: 'Declined', message: recorded.message ?? 'declined by the agent', request }
    : { outcome: 'recorded', request, message: recorded.message ?? 'recorded' }
}

async function findNodeExecution(
  node: string,
  named: CommandTarget | undefined,
  resolver: CommandResolver,
): Promise<{ execution: ResolvedExecution } | { reason: 'UnknownExecution' | 'UnknownNode' | 'AmbiguousNode'; message: string }> {
  if (named !== undefined) {
    const execution = await resolver.findExecution(named)
    if (execution === undefined) return { reason: 'UnknownExecution', message: `there is no Execution ${target(named)}` }
    if (execution.nodes !== undefined && !execution.nodes.includes(node)) return { reason: 'UnknownNode', message: `Execution ${target(named)} has no node ${node}` }
    return { execution }
  }
  const candidates = await resolver.findExecutionsWithNode(node)
  const [only, ...more] = candidates
  if (only === undefined) return { reason: 'UnknownNode', message: `no Execution waits on a node ${node}` }
  if (more.length > 0) return { reason: 'AmbiguousNode', message: `${candidates.length} Executions have a node ${node}: write EXECUTION/${node}` }
  return { execution: only }
}

function origin(comment: CommandComment, line: number): CommandOrigin {
  return { id: `github-comment/${comment.id}/${line}`, actor: `user:${comment.author.toLowerCase()}`, source: comment.url, timestamp: comment.createdAt }
}

function identity(resource: { readonly namespace: string; readonly name: string }): { namespace: string; name: string } {
  return { namespace: resource.namespace, name: resource.name }
}

function bind(lookup: RepositoryAccessLookup): RepositoryAccessLookup {
  return { lookupTeamMembership: (org, slug, login) => lookup.lookupTeamMembership(org, slug, login), lookupWriteAccess: (login) => lookup.lookupWriteAccess(login) }
}

function describeReviewers(resolved: ResolvedGate): string {
  const reviewers = resolved.gate.spec.reviewers ?? []
  return reviewers.length === 0 ? 'anyone with write access' : reviewers.join(', ')
}

function target(t: CommandTarget): string {
  return t.namespace === undefined ? t.name : `${t.namespace}/${t.name}`
}

/** The command in canonical form (names are DNS labels, so the text is safe in a code span). */
export function describeCommand(command: CommentCommand): string {
  if ('gate' in command) return `${command.verb} ${target(command.gate)}`
  if (!('node' in command)) return `${command.verb} ${target(command.execution)}`
  return `done ${command.execution === undefined ? '' : `${target(command.execution)}/`}${command.node}`
}
