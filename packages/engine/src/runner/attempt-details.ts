import { ACCEPTANCE_KEY, INPUTS_KEY, LOG_KEY, type Action, type ExecutionStatus } from '@planspec/core'
import type { Completion } from './run-execution.js'

/** Most bytes of a node's inputs kept in its status for people; larger inputs are summarized. */
const INPUTS_MAX_CHARS = 2048

/** Notes, in each dispatched node's status, the inputs its attempt gets (what the node panel shows). */
export function withDispatchedInputs(status: ExecutionStatus, actions: readonly Action[]): ExecutionStatus {
  const dispatched = actions.filter((a): a is Extract<Action, { type: 'dispatch' }> => a.type === 'dispatch')
  if (dispatched.length === 0) return status
  const nodes = { ...status.nodeStatuses }
  for (const action of dispatched) {
    const node = nodes[action.node]
    if (node === undefined) continue
    const text = JSON.stringify(action.inputs)
    const inputs = text.length <= INPUTS_MAX_CHARS ? action.inputs : { 'x-truncated': `${text.length} characters of inputs; the first ${INPUTS_MAX_CHARS}: ${text.slice(0, INPUTS_MAX_CHARS)}` }
    nodes[action.node] = { ...node, extensions: { ...node.extensions, [INPUTS_KEY]: inputs } }
  }
  return { ...status, nodeStatuses: nodes }
}

/** Adds what people read about a finished attempt to its node: the log tail of a failure and the acceptance results. */
export function withAttemptDetails(status: ExecutionStatus, c: Completion): ExecutionStatus {
  const node = status.nodeStatuses?.[c.node]
  const log = c.result.outcome === 'failed' ? c.result.log : undefined
  if (node === undefined || (log === undefined && c.acceptance === undefined)) return status
  const extensions: Record<string, unknown> = { ...node.extensions }
  if (log !== undefined) extensions[LOG_KEY] = { attempt: c.attempt, text: log }
  if (c.acceptance !== undefined) extensions[ACCEPTANCE_KEY] = c.acceptance.map((r) => ({ name: r.name, required: r.required, passed: r.passed, message: r.message }))
  return { ...status, nodeStatuses: { ...status.nodeStatuses, [c.node]: { ...node, extensions } } }
}
