import { hardAncestors } from '../graph.js'
import type { NodeStatus } from '../model/generated.js'
import { containsTemplate, resolveInputs } from './resolve-template.js'
import { DISPATCH_KEY, NEXT_POLL_KEY, RETRY_AT_KEY, START_MS_KEY, patchNode } from './execution-extensions.js'
import { durationMs, finishNode, nodeStatusOf, type ExecNode, type StepContext } from './step-context.js'

/**
 * Starts a ready node (its hard predecessors are satisfied): a Gate goes `Blocked`
 * (`AwaitingApproval`), an External node goes `Blocked` (`AwaitingExternal`) with a poll due now,
 * and a Task resolves its inputs, evaluates `when`, checks its binding and, when all pass, is
 * recorded `Running` (or `Blocked`/`AwaitingClaim` for claimable work) with the next attempt and
 * the dispatch intent before the `dispatch` action is queued (THREATS T1).
 *
 * @example
 * ```ts
 * startNode(ctx, graph.nodeById.get('a') as ExecNode) // ctx.actions gains a dispatch for attempt 1
 * ```
 */
export function startNode(ctx: StepContext, node: ExecNode): void {
  const { o } = ctx
  const status = nodeStatusOf(ctx, node.id)
  if (node.kind === 'Gate') {
    setStarted(ctx, node.id, patchNode(status, { phase: 'Blocked', reason: 'AwaitingApproval', startTime: o.now }, {}, ['completionTime', 'message']))
    return
  }
  if (node.kind === 'External') {
    const extensions = { [START_MS_KEY]: o.nowMs, [NEXT_POLL_KEY]: o.nowMs }
    setStarted(ctx, node.id, patchNode(status, { phase: 'Blocked', reason: 'AwaitingExternal', startTime: o.now }, extensions, ['completionTime', 'message']))
    return
  }
  startTask(ctx, node, status)
}

/** Resolves, checks and dispatches a Task. */
function startTask(ctx: StepContext, node: ExecNode, status: NodeStatus): void {
  const { o } = ctx
  const rawInputs = node.inputs ?? {}
  // Ancestor variables cost a walk of the ancestors: build them only for nodes that read them.
  const reads = node.when !== undefined || containsTemplate(rawInputs)
  const variables = { params: o.parameters, goal: o.goalConstraints ?? {}, nodes: reads ? ancestorVariables(ctx, node.id) : {} }
  const inputs = resolveInputs(rawInputs, o.evaluate, { ...variables, inputs: rawInputs })
  if (!inputs.ok) {
    finishNode(ctx, node.id, 'Failed', 'InputError', inputs.message)
    return
  }
  if (node.when !== undefined) {
    const result = o.evaluate(node.when, { ...variables, inputs: inputs.value })
    if (!result.ok || typeof result.value !== 'boolean') {
      const why = result.ok ? `when returned ${typeof result.value}, not a boolean` : `when failed: ${result.message}`
      finishNode(ctx, node.id, 'Failed', 'WhenError', why)
      return
    }
    if (!result.value) {
      finishNode(ctx, node.id, 'Skipped', 'ConditionFalse', 'when is false')
      return
    }
  }
  const binding = o.bindings.get(node.id)
  if (binding?.outcome !== 'bound') {
    finishNode(ctx, node.id, 'Failed', 'Unbound', binding === undefined ? 'no provider binding observed' : binding.message)
    return
  }
  const attempt = (status.attempt ?? 0) + 1
  const runId = `${o.uid}/${node.id}/${attempt}`
  const timeoutMs = durationMs(node.timeout)
  const fields: NodeStatus = binding.claimable
    ? { phase: 'Blocked', reason: 'AwaitingClaim', attempt, startTime: o.now }
    : { phase: 'Running', attempt, startTime: o.now }
  const extensions = { [DISPATCH_KEY]: { runId, state: 'Dispatching' }, [START_MS_KEY]: o.nowMs, [RETRY_AT_KEY]: undefined }
  const remove: (keyof NodeStatus)[] = ['completionTime', 'message', 'outputs', ...(binding.claimable ? [] : (['reason'] as const))]
  // Intent first (T1): the status holding it is returned together with the action, and the shell
  // writes the status before performing any action.
  setStarted(ctx, node.id, patchNode(status, fields, extensions, remove))
  ctx.actions.push({
    type: 'dispatch',
    node: node.id,
    attempt,
    runId,
    provider: binding.provider,
    ...(binding.config === undefined ? {} : { config: binding.config }),
    inputs: inputs.value,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  })
}

/** Records a started node and notes that the run has begun. */
function setStarted(ctx: StepContext, id: string, status: NodeStatus): void {
  ctx.nodes[id] = status
  ctx.started = true
}

/** Builds `nodes.<id>.outputs` / `.phase` for the hard ancestors of a node only (DECISIONS §3). */
function ancestorVariables(ctx: StepContext, id: string): Record<string, { outputs: Record<string, unknown>; phase: string }> {
  const variables: Record<string, { outputs: Record<string, unknown>; phase: string }> = {}
  for (const ancestor of hardAncestors(ctx.o.graph, id)) {
    // Only reached once every hard predecessor finished, so ancestors all carry a phase.
    const status = nodeStatusOf(ctx, ancestor)
    variables[ancestor] = { outputs: { ...status.outputs }, phase: status.phase as string }
  }
  return variables
}
