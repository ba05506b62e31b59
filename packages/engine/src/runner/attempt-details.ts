import { ACCEPTANCE_KEY, INPUTS_KEY, LOG_KEY, LOG_STREAMS, LOGS_KEY, logRefsOf, type Action, type AttemptLog, type AttemptLogRef, type ExecutionStatus } from '@planspec/core'
import type { AttemptOutput } from '../types.js'
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

/** Adds what people read about a finished attempt to its node: the log tail of a failure, the references to its kept output and the acceptance results. */
export function withAttemptDetails(status: ExecutionStatus, c: Completion): ExecutionStatus {
  const node = status.nodeStatuses?.[c.node]
  const log = c.result.outcome === 'failed' ? c.result.log : undefined
  const output = c.result.outcome === 'pending' ? undefined : c.result.output
  if (node === undefined || (log === undefined && c.acceptance === undefined && output === undefined)) return status
  const extensions: Record<string, unknown> = { ...node.extensions }
  if (output !== undefined) {
    const refs: AttemptLogRef[] = LOG_STREAMS.map((stream) => ({ attempt: c.attempt, stream, bytes: output[stream].bytes, truncated: output[stream].truncated }))
    extensions[LOGS_KEY] = [...logRefsOf(node.extensions).filter((r) => r.attempt !== c.attempt), ...refs]
  }
  if (log !== undefined) extensions[LOG_KEY] = { attempt: c.attempt, text: log }
  if (c.acceptance !== undefined) extensions[ACCEPTANCE_KEY] = c.acceptance.map((r) => ({ name: r.name, required: r.required, passed: r.passed, message: r.message }))
  return { ...status, nodeStatuses: { ...status.nodeStatuses, [c.node]: { ...node, extensions } } }
}

/** The kept output of a finished attempt, one log per stream (none when its provider printed nothing to keep). */
export function attemptLogs(c: Pick<Completion, 'node' | 'attempt' | 'result'>): AttemptLog[] {
  const output = c.result.outcome === 'pending' ? undefined : c.result.output
  return output === undefined ? [] : outputLogs(c.node, c.attempt, output)
}

/** One log per stream of what an attempt printed. */
export function outputLogs(node: string, attempt: number, output: AttemptOutput): AttemptLog[] {
  return LOG_STREAMS.map((stream) => ({ node, attempt, stream, ...output[stream] }))
}
