import type { DesiredResource } from '@planspec/git-store'
import type { ChangeAuthor } from '@planspec/agent'
import { PlanSpecError, type ExecutionStatus, type GateStatus } from '@planspec/core'
import type { CommandResolver, CommandTarget, ResolvedExecution, ResolvedGate } from '@planspec/github'
import type { ProgressGate } from '@planspec/reporter'
import type { AgentSnapshot } from './observe-agent-repo.js'

/** What {@link createSnapshotResolver} reads. */
export interface SnapshotResolverOptions {
  /** The agent's latest snapshots (see `observeAgentRepo`). */
  readonly snapshot: () => AgentSnapshot
  /** The author of the change that created a resource (separation of duties, DECISIONS §9). */
  readonly changeAuthor: (item: DesiredResource) => Promise<ChangeAuthor | undefined>
  /** The latest status each run reported (fresher than the status branch), by subject `execution/ns/name`. */
  readonly runs: ReadonlyMap<string, ExecutionStatus>
}

/** The comment commands' view of the repository, plus what the bridge checks before recording. */
export interface SnapshotResolver extends CommandResolver {
  /** The latest status of an Execution: what its run reported last, else the status branch. */
  executionStatus(namespace: string, name: string): ExecutionStatus | undefined
  /** Who may approve a Gate and how many approvals it needs, for the progress comment. */
  progressGate(namespace: string, name: string): ProgressGate | undefined
}

/** Thrown while the agent has not read the repository yet: the command is answered "try again later". */
export class AgentNotReadyError extends PlanSpecError {
  constructor() {
    super('the agent has not read the repository yet', { code: 'PLANSPEC_ERR_GITHUB_AGENT_NOT_READY' })
  }
}

const DEFAULT_NAMESPACE = 'default'

/**
 * Creates the resolver of PR comment commands over the agent's latest snapshots: a Gate with its
 * generation, reviewers, quorum, status and the author of the change that created its Execution
 * (`user:LOGIN` for GitHub no-reply addresses, as the agent maps it), an Execution with the node
 * ids of its Plan. A name without a namespace matches the only resource of that name, else the
 * one in `default`. Throws {@link AgentNotReadyError} before the agent's first round.
 *
 * @example
 * const resolver = createSnapshotResolver({ snapshot: observed.latest, changeAuthor, runs })
 * await resolver.findGate({ name: 'changelog-approval' })
 */
export function createSnapshotResolver(options: SnapshotResolverOptions): SnapshotResolver {
  const items = (): readonly DesiredResource[] => {
    const desired = options.snapshot().desired
    if (desired === undefined) throw new AgentNotReadyError()
    return [...desired.resources.values()]
  }
  const find = (kind: string, target: CommandTarget): DesiredResource | undefined => {
    const named = items().filter((item) => item.kind === kind && item.name === target.name)
    if (target.namespace !== undefined) return named.find((item) => item.namespace === target.namespace)
    return named.length === 1 ? named[0] : named.find((item) => item.namespace === DEFAULT_NAMESPACE)
  }
  const statusOf = (item: DesiredResource): unknown => options.snapshot().status?.docs.get(item.subject)?.status
  const executionStatus = (item: DesiredResource): ExecutionStatus | undefined => options.runs.get(item.subject) ?? (statusOf(item) as ExecutionStatus | undefined)
  const resolveExecution = (item: DesiredResource): ResolvedExecution => ({ namespace: item.namespace, name: item.name, nodes: planNodes(item, items()) })

  return {
    async findGate(target): Promise<ResolvedGate | undefined> {
      const gate = find('Gate', target)
      if (gate === undefined) return undefined
      const spec = record(gate.object.spec)
      const status = statusOf(gate) as GateStatus | undefined
      const execution = targetExecution(gate, items())
      const author = execution === undefined ? undefined : await options.changeAuthor(execution)
      return {
        namespace: gate.namespace,
        name: gate.name,
        gate: {
          metadata: { generation: gate.identity.generation },
          spec: { reviewers: strings(spec.reviewers), ...(typeof spec.requiredApprovers === 'number' ? { requiredApprovers: spec.requiredApprovers } : {}) },
          ...(status === undefined ? {} : { status }),
        },
        ...(author === undefined ? {} : { changeAuthor: author.subject }),
      }
    },
    async findExecution(target) {
      const execution = find('Execution', target)
      return execution === undefined ? undefined : resolveExecution(execution)
    },
    async findExecutionsWithNode(node) {
      // Work waits for a person only on a Blocked node (a claim, an external system).
      return items()
        .filter((item) => item.kind === 'Execution' && executionStatus(item)?.nodeStatuses?.[node]?.phase === 'Blocked')
        .map(resolveExecution)
    },
    executionStatus(namespace, name) {
      const execution = find('Execution', { namespace, name })
      return execution === undefined ? undefined : executionStatus(execution)
    },
    progressGate(namespace, name) {
      const desired = options.snapshot().desired
      const gate = desired?.resources.get(`gate/${namespace}/${name}`)
      if (gate === undefined) return undefined
      const spec = record(gate.object.spec)
      return { gate: name, reviewers: strings(spec.reviewers), requiredApprovers: typeof spec.requiredApprovers === 'number' ? spec.requiredApprovers : 1 }
    },
  }
}

/** The Execution a Gate's `targetRef` names, if any. */
function targetExecution(gate: DesiredResource, all: readonly DesiredResource[]): DesiredResource | undefined {
  const target = record(record(gate.object.spec).targetRef)
  if (target.kind !== 'Execution' || typeof target.name !== 'string') return undefined
  const namespace = typeof target.namespace === 'string' ? target.namespace : gate.namespace
  return all.find((item) => item.kind === 'Execution' && item.name === target.name && item.namespace === namespace)
}

/** Node ids of the Plan an Execution runs (undefined when the Plan is not there). */
function planNodes(execution: DesiredResource, all: readonly DesiredResource[]): string[] | undefined {
  const ref = record(record(execution.object.spec).planRef)
  const namespace = typeof ref.namespace === 'string' ? ref.namespace : execution.namespace
  const plan = all.find((item) => item.kind === 'Plan' && item.name === ref.name && item.namespace === namespace)
  if (plan === undefined) return undefined
  const nodes = record(record(plan.object.spec).graph).nodes
  return Array.isArray(nodes) ? nodes.map((node) => record(node).id).filter((id): id is string => typeof id === 'string') : undefined
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []
}
