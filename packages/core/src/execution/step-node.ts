import { retryDelay } from './retry-delay.js'
import { startNode } from './start-node.js'
import { NEXT_POLL_KEY, RETRY_AT_KEY, START_MS_KEY, dispatchIntentOf, numberExtension, patchNode } from './execution-extensions.js'
import { durationMs, finishNode, isRetryable, nodeStatusOf, type ExecNode, type StepContext } from './step-context.js'

/** Default External poll interval (DECISIONS §3: `pollInterval` default 1m). */
const DEFAULT_POLL_MS = 60_000

/**
 * Advances one non-Group node by the rules of DECISIONS §3, in this order: schedule the retry of a
 * retryable failure; start a `Pending` node whose hard predecessors are satisfied (or skip it
 * with `UpstreamFailed`); then watch an active node (Task timeout, Gate decision, External
 * result, poll and timeout). A node that fails for good becomes the first failure if none is
 * known. Callers visit nodes in {@link executionOrder}, so predecessors are settled first.
 *
 * @example
 * ```ts
 * for (const id of executionOrder(graph).order) stepNode(ctx, graph.nodeById.get(id) as ExecNode)
 * ```
 */
export function stepNode(ctx: StepContext, node: ExecNode): void {
  scheduleRetry(ctx, node)
  if (nodeStatusOf(ctx, node.id).phase === 'Pending') stepPending(ctx, node)
  watchActive(ctx, node)
  // A failure seen while watching (a timeout) is retried in the same pass when already due, so a
  // second reconcile with the returned status has nothing left to dispatch (idempotence).
  if (scheduleRetry(ctx, node)) {
    stepPending(ctx, node)
    watchActive(ctx, node)
    scheduleRetry(ctx, node)
  }
  const status = nodeStatusOf(ctx, node.id)
  if (status.phase === 'Failed' && ctx.firstFailure === undefined) ctx.firstFailure = node.id
}

/** Turns a retryable `Failed` Task back to `Pending` with `retryAt` = now + backoff; tells whether it did. */
function scheduleRetry(ctx: StepContext, node: ExecNode): boolean {
  const status = nodeStatusOf(ctx, node.id)
  if (!isRetryable(node, status)) return false
  const attempt = status.attempt ?? 0
  const delay = retryDelay(ctx.o.retryPolicy, attempt, ctx.o.jitter(`${ctx.o.uid}/${node.id}/${attempt}`))
  ctx.nodes[node.id] = patchNode(status, { phase: 'Pending' }, { [RETRY_AT_KEY]: ctx.o.nowMs + delay }, ['completionTime'])
  ctx.wakeups.push(ctx.o.nowMs + delay)
  return true
}

/** Skips, waits for or starts a `Pending` node. */
function stepPending(ctx: StepContext, node: ExecNode): void {
  const status = nodeStatusOf(ctx, node.id)
  let satisfied = true
  for (const pred of ctx.hardPreds.get(node.id) ?? []) {
    const predStatus = nodeStatusOf(ctx, pred)
    const ok = predStatus.phase === 'Succeeded' || (predStatus.phase === 'Skipped' && predStatus.reason === 'ConditionFalse')
    if (ok) continue
    if (predStatus.phase === 'Failed' || predStatus.phase === 'Cancelled' || predStatus.phase === 'Skipped') {
      finishNode(ctx, node.id, 'Skipped', 'UpstreamFailed', `upstream node "${pred}" ended ${predStatus.phase}`)
      return
    }
    satisfied = false
  }
  const retryAt = numberExtension(status, RETRY_AT_KEY)
  // Failure policy: once a node failed for good, nothing new starts; scheduled retries go on.
  if (!satisfied || (ctx.firstFailure !== undefined && retryAt === undefined)) return
  if (retryAt !== undefined && ctx.o.nowMs < retryAt) {
    ctx.wakeups.push(retryAt)
    return
  }
  startNode(ctx, node)
}

/** Watches a `Running` or `Blocked` node. */
function watchActive(ctx: StepContext, node: ExecNode): void {
  const status = nodeStatusOf(ctx, node.id)
  if (status.phase !== 'Running' && status.phase !== 'Blocked') return
  if (node.kind === 'Gate') watchGate(ctx, node)
  else if (node.kind === 'External') watchExternal(ctx, node)
  else watchTask(ctx, node)
}

/** Fails a Task attempt that outlived its `timeout`, asking the shell to cancel it. */
function watchTask(ctx: StepContext, node: ExecNode): void {
  const status = nodeStatusOf(ctx, node.id)
  const timeoutMs = durationMs(node.timeout)
  const startMs = numberExtension(status, START_MS_KEY)
  if (timeoutMs === undefined || startMs === undefined) return
  const deadline = startMs + timeoutMs
  if (ctx.o.nowMs < deadline) {
    ctx.wakeups.push(deadline)
    return
  }
  const intent = dispatchIntentOf(status)
  if (intent !== undefined) ctx.actions.push({ type: 'cancel-attempt', node: node.id, runId: intent.runId, reason: 'Timeout' })
  finishNode(ctx, node.id, 'Failed', 'Timeout', `attempt ${status.attempt ?? 0} exceeded timeout ${node.timeout as string}`)
}

/** Applies the referenced Gate's decision, or (re)activates the Gate while it is still `Pending`. */
function watchGate(ctx: StepContext, node: ExecNode): void {
  const gate = ctx.o.gates.get(node.id)
  const current = gate !== undefined && (gate.generation === undefined || gate.decisionGeneration === undefined || gate.generation === gate.decisionGeneration)
  if (current && gate.phase === 'Approved') {
    finishNode(ctx, node.id, 'Succeeded', undefined, gate.message)
  } else if (current && gate.phase === 'Rejected') {
    finishNode(ctx, node.id, 'Failed', 'GateRejected', gate.message ?? `gate "${(node.gateRef as { name: string }).name}" rejected`)
  } else if (gate?.phase === 'NotFound') {
    finishNode(ctx, node.id, 'Failed', 'GateNotFound', gate.message ?? `gate "${(node.gateRef as { name: string }).name}" does not exist`)
  } else if (gate === undefined || gate.phase === 'Pending') {
    // Level-based: ask again until the Gate is seen Waiting, so a lost activation heals itself.
    const ref = node.gateRef as { readonly name: string; readonly namespace?: string }
    ctx.actions.push({ type: 'activate-gate', node: node.id, gate: { name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) } })
  }
}

/** Applies an External node's observed result, its timeout, or polls it when due. */
function watchExternal(ctx: StepContext, node: ExecNode): void {
  const status = nodeStatusOf(ctx, node.id)
  const seen = ctx.o.externals.get(node.id)
  const timeoutMs = durationMs(node.timeout)
  const startMs = numberExtension(status, START_MS_KEY) ?? ctx.o.nowMs
  const deadline = timeoutMs === undefined ? undefined : startMs + timeoutMs
  if (seen?.state === 'succeeded') {
    finishNode(ctx, node.id, 'Succeeded', undefined, seen.message)
    ctx.nodes[node.id] = { ...nodeStatusOf(ctx, node.id), ...(seen.outputs === undefined ? {} : { outputs: seen.outputs }) }
  } else if (seen?.state === 'failed') {
    finishNode(ctx, node.id, 'Failed', 'ExternalFailed', seen.message)
  } else if (deadline !== undefined && ctx.o.nowMs >= deadline) {
    finishNode(ctx, node.id, 'Failed', 'Timeout', `no result within ${node.timeout as string}`)
  } else {
    let nextPoll = numberExtension(status, NEXT_POLL_KEY) ?? ctx.o.nowMs
    if (ctx.o.nowMs >= nextPoll) {
      ctx.actions.push({ type: 'poll-external', node: node.id })
      nextPoll = ctx.o.nowMs + (durationMs(node.pollInterval) ?? DEFAULT_POLL_MS)
      ctx.nodes[node.id] = patchNode(status, {}, { [NEXT_POLL_KEY]: nextPoll })
    }
    ctx.wakeups.push(deadline === undefined ? nextPoll : Math.min(nextPoll, deadline))
  }
}

/**
 * Cancels the Gate and External nodes still waiting once a node failed for good (reason
 * `ExecutionFailing`: their wait can no longer lead anywhere), and drops the actions this pass
 * queued for them. Runs after the pass over every node, so a failure found late in the pass
 * settles the waits in the same reconcile (idempotence). Tells whether it cancelled any node.
 *
 * @example
 * ```ts
 * if (ctx.firstFailure !== undefined && cancelWaits(ctx, order)) for (const id of order) stepNode(ctx, graph.nodeById.get(id) as ExecNode)
 * ```
 */
export function cancelWaits(ctx: StepContext, order: readonly string[]): boolean {
  const cancelled = new Set<string>()
  for (const id of order) {
    const kind = ctx.o.graph.nodeById.get(id)?.kind
    if ((kind !== 'Gate' && kind !== 'External') || nodeStatusOf(ctx, id).phase !== 'Blocked') continue
    finishNode(ctx, id, 'Cancelled', 'ExecutionFailing', `node "${ctx.firstFailure as string}" failed`)
    cancelled.add(id)
  }
  const kept = ctx.actions.filter((action) => !cancelled.has(action.node))
  ctx.actions.splice(0, ctx.actions.length, ...kept)
  return cancelled.size > 0
}
