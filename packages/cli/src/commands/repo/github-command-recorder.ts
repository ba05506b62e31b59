import type { AgentRepo, AgentRequest } from '@planspec/agent'
import { normalizeSubject, type GateDecisionTarget } from '@planspec/core'
import { resolveReviewerFacts, type CommandRecordResult, type CommandRequest, type OnCommand, type RepositoryAccessLookup } from '@planspec/github'
import type { SnapshotResolver } from './snapshot-resolver.js'

/** What {@link createCommandRecorder} needs. */
export interface CommandRecorderOptions {
  /** Appends a request file to the status branch (the agent repository's `appendRequest`). */
  readonly appendRequest: AgentRepo['appendRequest']
  readonly resolver: SnapshotResolver
  /** A fresh GitHub lookup (team membership, write access), made per recorded command. */
  readonly lookup: () => RepositoryAccessLookup
  /**
   * The team members the agent checks Gate reviewers against (the very map passed to
   * `createAgent`, which reads it every round): members verified through GitHub are added here.
   */
  readonly teams: Map<string, string[]>
  /** Likewise the agent's `writers` (eligible when a Gate lists no reviewers). */
  readonly writers: string[]
  /** Told after a request file was written (to wake the agent). */
  readonly onRecorded?: (request: CommandRequest, id: string) => void
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])
/** Command ids remembered, so a redelivered webhook or an overlapping poll records nothing twice. */
const REMEMBERED = 10_000

/**
 * Creates the `onCommand` of the GitHub comment commands: it records an authorized command as an
 * append-only request file on the status branch, authored by the commenter's GitHub no-reply
 * identity (`LOGIN <LOGIN@users.noreply.github.com>`, which the agent reads back as `user:LOGIN`).
 * `approve|reject` become Gate requests at the generation the reviewer saw; `retry` is declined
 * unless the Execution Failed, `cancel` once it finished, and `done` unless the node is Blocked
 * (they then become `retry`, `cancel` and `complete` requests).
 *
 * Before an approval is recorded, the reviewer's team memberships (and write access, for a Gate
 * without reviewers) are looked up again and added to `teams` (`writers`), so the agent counts
 * the approval the GitHub side authorized; a membership found gone is removed. Members from the
 * agent's own `--teams` file are kept. Idempotent per command id (`github-comment/<id>/<line>`):
 * handling a comment twice records it once. Throws what `appendRequest` or a lookup throws.
 *
 * @example
 * const onCommand = createCommandRecorder({ appendRequest: repo.appendRequest, resolver, lookup, teams, writers })
 */
export function createCommandRecorder(options: CommandRecorderOptions): OnCommand {
  const baseTeams = new Map([...options.teams].map(([team, members]) => [team, [...members]]))
  const baseWriters = [...options.writers]
  const learnedTeams = new Map<string, Set<string>>()
  const learnedWriters = new Set<string>()
  const recorded = new Map<string, Promise<CommandRecordResult>>()

  const learn = async (gate: GateDecisionTarget, reviewer: string): Promise<void> => {
    const facts = await resolveReviewerFacts({ gate, subjects: [reviewer], lookup: options.lookup() })
    const login = reviewer.slice('user:'.length)
    for (const [team, members] of facts.teams) {
      const learned = learnedTeams.get(team) ?? new Set<string>()
      learnedTeams.set(team, learned)
      if (members.includes(login)) learned.add(reviewer)
      else learned.delete(reviewer)
      options.teams.set(team, [...(baseTeams.get(team) ?? []), ...learned])
    }
    if ((gate.spec.reviewers ?? []).length === 0) {
      if (facts.writers.includes(login)) learnedWriters.add(reviewer)
      else learnedWriters.delete(reviewer)
      options.writers.splice(0, options.writers.length, ...baseWriters, ...learnedWriters)
    }
  }

  const append = async (request: CommandRequest, file: Omit<AgentRequest, 'id' | 'author' | 'time'>): Promise<CommandRecordResult> => {
    const login = normalizeSubject(request.actor).slice('user:'.length)
    const id = await options.appendRequest(file, { name: login, email: `${login}@users.noreply.github.com` })
    options.onRecorded?.(request, id)
    return { outcome: 'recorded', message: `request ${id}` }
  }

  const record = async (request: CommandRequest): Promise<CommandRecordResult> => {
    if (request.kind === 'gate') {
      const { review } = request
      if (review.action === 'comment') return { outcome: 'refused', message: 'only approve and reject are recorded' }
      const resolved = await options.resolver.findGate(request.gate)
      if (resolved === undefined) return { outcome: 'refused', message: 'the Gate is gone from the tracked branch' }
      await learn(resolved.gate, normalizeSubject(review.reviewer))
      return append(request, {
        action: review.action,
        target: { kind: 'Gate', ...request.gate },
        targetGeneration: review.targetGeneration,
        ...(review.comment === undefined ? {} : { comment: review.comment }),
      })
    }
    const phase = options.resolver.executionStatus(request.execution.namespace, request.execution.name)?.phase
    const target = { kind: 'Execution', ...request.execution }
    if (request.kind === 'execution') {
      if (request.action === 'retry' && phase !== 'Failed') return { outcome: 'refused', message: `only a Failed Execution can be retried; it is ${phase ?? 'not started'}` }
      if (request.action === 'cancel' && phase !== undefined && TERMINAL.has(phase)) return { outcome: 'refused', message: `the Execution has ended: ${phase}` }
      return append(request, { action: request.action, target })
    }
    const node = options.resolver.executionStatus(request.execution.namespace, request.execution.name)?.nodeStatuses?.[request.node]?.phase
    if (phase !== undefined && TERMINAL.has(phase)) return { outcome: 'refused', message: `the Execution has ended: ${phase}` }
    if (node !== 'Blocked') return { outcome: 'refused', message: `node ${request.node} is ${node ?? 'Pending'}; only a waiting node can be completed` }
    return append(request, { action: 'complete', target: { ...target, node: request.node }, outputs: { ...request.outputs } })
  }

  return (request) => {
    const known = recorded.get(request.id)
    if (known !== undefined) return known.then((result) => (result.outcome === 'recorded' ? { outcome: 'recorded', message: 'already recorded' } : result))
    const pending = record(request)
    recorded.set(request.id, pending)
    if (recorded.size > REMEMBERED) recorded.delete(recorded.keys().next().value as string)
    // A failure is not remembered: the command may be tried again.
    pending.catch(() => recorded.delete(request.id))
    return pending
  }
}
