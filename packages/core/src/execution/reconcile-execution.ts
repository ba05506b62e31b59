import { findCondition, setCondition } from '../conditions.js'
import type { ExecutionStatus, NodeStatus } from '../model/generated.js'
import { executionOrder } from './execution-order.js'
import { FIRST_FAILURE_KEY, RETRY_AT_KEY, numberExtension, patchNode } from './execution-extensions.js'
import type { ExecutionObservation, ExecutionReconcileResult } from './execution-types.js'
import { cancelExecution } from './cancel-execution.js'
import { deriveGroupStatuses } from './derive-group-statuses.js'
import { reopenExecution } from './reopen-execution.js'
import { TERMINAL_EXECUTION_PHASES, transitionExecution } from './transition-execution.js'
import { isRetryable, isTerminalPhase, type ExecNode, type StepContext } from './step-context.js'
import { cancelWaits, stepNode } from './step-node.js'

/** Node reasons that name the Execution's failure reason; any other failure is `NodeFailed`. */
const EXECUTION_REASONS: ReadonlySet<string | undefined> = new Set(['GateRejected', 'GateNotFound', 'WhenError', 'Unbound'])

/**
 * Decides what an Execution does next (DECISIONS §3), level-based: the result depends only on the
 * observation. Returns the status to write, then the actions to perform, and when to come back.
 * The shell must durably write `status` before performing `actions`: every `dispatch` is already
 * recorded in it as an intent (`extensions['io.planspec.dispatch']`, THREATS T1), so reconciling
 * again with the returned status never dispatches the same attempt twice (idempotent).
 *
 * Order of decisions: spec immutability (`SpecChanged`), re-open on `retryRequested`, terminal
 * phases stay put, cancellation, first sight (`Accepted`, `runId`, `queuedTime`, `specHash`, `runDigest`, plan
 * generation and digest), unbound capabilities (fail before any node runs), then every node in
 * {@link executionOrder}, then the Execution phase: `Failed` once a node failed for good and no
 * started work remains, `Succeeded` when every non-Group node succeeded or was skipped, `Blocked`
 * when the only unfinished work waits on a Gate, an External node or a claim, else `Running`.
 *
 * @example
 * ```ts
 * const { status, actions } = reconcileExecution({ ...observation, status: undefined })
 * // status.phase === 'Running'; actions: one dispatch per ready Task
 * ```
 */
export function reconcileExecution(o: ExecutionObservation): ExecutionReconcileResult {
  let status = checkSpecHash(o.status === undefined ? {} : o.status, o)
  if (status.phase === 'Failed' && o.retryRequested !== undefined) status = reopenExecution(status, o.graph, o.retryRequested.nodes, o.now)
  if (TERMINAL_EXECUTION_PHASES.has(status.phase)) return { status, actions: [] }
  if (o.cancelRequested) {
    const cancelled = cancelExecution(status, o.graph, o.now)
    return { status: withGroups(cancelled.status, o), actions: cancelled.actions }
  }
  if (status.phase === undefined || status.phase === 'Pending') status = accept(status, o)

  const { order, cycle } = executionOrder(o.graph)
  if (cycle.length > 0) return failBeforeStart(status, o, 'ValidationFailed', `graph has a cycle through ${cycle.join(', ')}`)
  if (status.startTime === undefined) {
    for (const node of o.graph.nodes) {
      const binding = o.bindings.get(node.id)
      if (node.kind !== 'Task' || binding === undefined || binding.outcome === 'bound' || binding.optional === true) continue
      return failBeforeStart(status, o, 'Unbound', `node "${node.id}": ${binding.message}`)
    }
  }

  const ctx: StepContext = {
    o,
    nodes: { ...(status.nodeStatuses as Record<string, NodeStatus> | undefined) },
    hardPreds: hardPredecessors(o),
    actions: [],
    wakeups: [],
    firstFailure: firstFailureOf(status, o, order),
    started: false,
  }
  for (const id of order) stepNode(ctx, o.graph.nodeById.get(id) as ExecNode)
  // A failure found late in the pass cancels earlier waits; one more pass lets their dependants
  // skip (with a failure known nothing new starts, so this second pass cannot dispatch).
  if (ctx.firstFailure !== undefined && cancelWaits(ctx, order)) for (const id of order) stepNode(ctx, o.graph.nodeById.get(id) as ExecNode)

  status = { ...status, nodeStatuses: ctx.nodes, ...(ctx.started && status.startTime === undefined ? { startTime: o.now } : {}) }
  if (ctx.firstFailure !== undefined) status = { ...status, extensions: { ...status.extensions, [FIRST_FAILURE_KEY]: ctx.firstFailure } }
  status = settle(status, o, order, ctx.firstFailure)
  const terminal = TERMINAL_EXECUTION_PHASES.has(status.phase)
  const wake = ctx.wakeups.length === 0 || terminal ? undefined : Math.max(0, Math.min(...ctx.wakeups) - o.nowMs)
  return { status: withGroups(status, o), actions: ctx.actions, ...(wake === undefined ? {} : { requeueAfterMs: wake }) }
}

/** Sets or clears `SpecChanged` by comparing the recorded and the observed spec hash. */
function checkSpecHash(status: ExecutionStatus, o: ExecutionObservation): ExecutionStatus {
  if (status.specHash !== undefined && status.specHash !== o.specHash) {
    const message = `spec changed after the run started (recorded ${status.specHash}); the recorded run continues`
    return { ...status, conditions: setCondition(status.conditions, { type: 'SpecChanged', status: 'True', reason: 'ImmutableSpec', message }, o.now) }
  }
  if (findCondition(status.conditions, 'SpecChanged')?.status !== 'True') return status
  return { ...status, conditions: setCondition(status.conditions, { type: 'SpecChanged', status: 'False', reason: 'SpecRestored' }, o.now) }
}

/** Records first sight: runId, queue time, spec hash, plan generation and digest, run digest, `Accepted`. */
function accept(status: ExecutionStatus, o: ExecutionObservation): ExecutionStatus {
  return {
    ...status,
    runId: status.runId ?? o.uid,
    queuedTime: status.queuedTime ?? o.now,
    specHash: status.specHash ?? o.specHash,
    ...(status.planGeneration === undefined && o.planGeneration !== undefined ? { planGeneration: o.planGeneration } : {}),
    ...(status.graphDigest === undefined && o.graphDigest !== undefined ? { graphDigest: o.graphDigest } : {}),
    ...(status.runDigest === undefined && o.runDigest !== undefined ? { runDigest: o.runDigest } : {}),
    conditions: setCondition(status.conditions, { type: 'Accepted', status: 'True', reason: 'Accepted' }, o.now),
  }
}

/** Ends the run `Failed` before any node started; every node is recorded `Cancelled` (`NotStarted`). */
function failBeforeStart(status: ExecutionStatus, o: ExecutionObservation, reason: string, message: string): ExecutionReconcileResult {
  const closed = { ...status, nodeStatuses: closeRemaining(status.nodeStatuses, o) }
  return { status: withGroups(transitionExecution(closed, 'Failed', reason, message, o.now), o), actions: [] }
}

/** Records every non-terminal, non-Group node as `Cancelled` with reason `NotStarted`. */
function closeRemaining(nodes: ExecutionStatus['nodeStatuses'], o: ExecutionObservation): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = { ...(nodes as Record<string, NodeStatus> | undefined) }
  for (const node of o.graph.nodes) {
    const current = out[node.id] ?? { phase: 'Pending', attempt: 0 }
    if (node.kind === 'Group' || isTerminalPhase(current.phase)) continue
    out[node.id] = patchNode(current, { phase: 'Cancelled', reason: 'NotStarted', completionTime: o.now, message: 'the execution failed first' })
  }
  return out
}

/** Hard predecessor lists per graph: immutable graphs, asked again every round (see executionOrder). */
const hardPredecessorIndex = new WeakMap<ExecutionObservation['graph'], ReadonlyMap<string, readonly string[]>>()

/** Lists the hard predecessors of every node (memoised per graph). */
function hardPredecessors(o: ExecutionObservation): ReadonlyMap<string, readonly string[]> {
  const cached = hardPredecessorIndex.get(o.graph)
  if (cached !== undefined) return cached
  const preds = new Map<string, string[]>()
  for (const edge of o.graph.edges) {
    if (edge.type !== 'hard' || !o.graph.nodeById.has(edge.from)) continue
    const list = preds.get(edge.to)
    if (list === undefined) preds.set(edge.to, [edge.from])
    else list.push(edge.from)
  }
  hardPredecessorIndex.set(o.graph, preds)
  return preds
}

/** Returns the recorded first failure, or the first node (in order) that already failed for good. */
function firstFailureOf(status: ExecutionStatus, o: ExecutionObservation, order: readonly string[]): string | undefined {
  const recorded = status.extensions?.[FIRST_FAILURE_KEY]
  if (typeof recorded === 'string') return recorded
  return order.find((id) => {
    const node = status.nodeStatuses?.[id]
    return node?.phase === 'Failed' && !isRetryable(o.graph.nodeById.get(id) as ExecNode, node)
  })
}

/** Chooses the Execution phase from the node statuses after the pass. */
function settle(status: ExecutionStatus, o: ExecutionObservation, order: readonly string[], firstFailure: string | undefined): ExecutionStatus {
  const nodes = status.nodeStatuses as Record<string, NodeStatus>
  const phases = order.map((id): NodeStatus => nodes[id] ?? { phase: 'Pending', attempt: 0 })
  const running = phases.some((n) => n.phase === 'Running' || (n.phase === 'Pending' && numberExtension(n, RETRY_AT_KEY) !== undefined))
  const blocked = order.find((id) => nodes[id]?.phase === 'Blocked')
  if (firstFailure !== undefined && !running && blocked === undefined) {
    const failed = nodes[firstFailure] as NodeStatus
    const reason = EXECUTION_REASONS.has(failed.reason) ? (failed.reason as string) : 'NodeFailed'
    const message = `node "${firstFailure}" failed${failed.reason === undefined ? '' : ` (${failed.reason})`}${failed.message === undefined ? '' : `: ${failed.message}`}`
    return transitionExecution({ ...status, nodeStatuses: closeRemaining(nodes, o) }, 'Failed', reason, message, o.now)
  }
  if (phases.every((n) => n.phase === 'Succeeded' || n.phase === 'Skipped')) {
    return transitionExecution(status, 'Succeeded', 'Succeeded', 'every node succeeded or was skipped', o.now)
  }
  if (!running && blocked !== undefined) {
    return transitionExecution(status, 'Blocked', nodes[blocked]?.reason ?? 'Blocked', `waiting on node "${blocked}"`, o.now)
  }
  return transitionExecution(status, 'Running', 'NodesRunning', 'nodes are running', o.now)
}

/** Adds the derived Group statuses; every caller has set `nodeStatuses`. */
function withGroups(status: ExecutionStatus, o: ExecutionObservation): ExecutionStatus {
  return { ...status, nodeStatuses: deriveGroupStatuses(o.graph, status.nodeStatuses as Record<string, NodeStatus>) }
}
