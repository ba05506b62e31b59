import type { GraphNodeLike } from '../graph-types.js'
import type { NodeStatus } from '../model/generated.js'
import { parseDuration } from '../duration.js'
import type { Action, ExecutionObservation } from './execution-types.js'
import { ATTEMPT_BASE_KEY, DISPATCH_KEY, numberExtension, patchNode } from './execution-extensions.js'

/** The node fields the execution reads beyond {@link GraphNodeLike}. */
export interface ExecNode extends GraphNodeLike {
  readonly inputs?: Readonly<Record<string, unknown>>
  readonly outputs?: readonly string[]
  readonly retries?: number
  readonly timeout?: string
  readonly pollInterval?: string
}

/** Mutable working state of one reconcile pass. */
export interface StepContext {
  readonly o: ExecutionObservation
  readonly nodes: Record<string, NodeStatus>
  readonly hardPreds: ReadonlyMap<string, readonly string[]>
  readonly actions: Action[]
  /** Epoch-ms instants at which the shell should come back. */
  readonly wakeups: number[]
  /** The first node that failed for good, once known. */
  firstFailure: string | undefined
  /** Whether a node left Pending during this pass. */
  started: boolean
}

/** Reasons that a retry cannot fix: the attempt is not retried. */
const FINAL_REASONS: ReadonlySet<string> = new Set(['WhenError', 'InputError', 'Unbound', 'GateRejected', 'UnknownProvider', 'Cancelled'])

/** Node phases from which a node does not move on its own. */
const TERMINAL: ReadonlySet<string | undefined> = new Set(['Succeeded', 'Skipped', 'Cancelled', 'Failed'])

/**
 * Tells whether a node phase is terminal (a `Failed` node is terminal once its retry, if any,
 * has been scheduled: the pass turns retryable failures back to `Pending` first).
 *
 * @example
 * ```ts
 * isTerminalPhase('Skipped') // true
 * ```
 */
export function isTerminalPhase(phase: string | undefined): boolean {
  return TERMINAL.has(phase)
}

/**
 * Returns the recorded status of a node, or a fresh `Pending` one.
 *
 * @example
 * ```ts
 * nodeStatusOf(ctx, 'a').phase // 'Pending' when never recorded
 * ```
 */
export function nodeStatusOf(ctx: StepContext, id: string): NodeStatus {
  return ctx.nodes[id] ?? { phase: 'Pending', attempt: 0 }
}

/**
 * Tells whether a `Failed` Task may be retried: a retryable reason and attempts left since the
 * last re-open (`attempt - attemptBase <= retries`).
 *
 * @example
 * ```ts
 * isRetryable({ id: 'a', kind: 'Task', retries: 1 }, { phase: 'Failed', attempt: 1 }) // true
 * ```
 */
export function isRetryable(node: ExecNode, status: NodeStatus): boolean {
  if (node.kind !== 'Task' || status.phase !== 'Failed') return false
  if (status.reason !== undefined && FINAL_REASONS.has(status.reason)) return false
  const used = (status.attempt ?? 0) - (numberExtension(status, ATTEMPT_BASE_KEY) ?? 0)
  return used <= (node.retries ?? 0)
}

/**
 * Records a node as finished (`Succeeded`, `Failed`, `Skipped` or `Cancelled`) with a reason,
 * clearing its dispatch intent. `message` absent removes an older message.
 *
 * @example
 * ```ts
 * finishNode(ctx, 'a', 'Skipped', 'ConditionFalse', 'when is false')
 * ```
 */
export function finishNode(ctx: StepContext, id: string, phase: NonNullable<NodeStatus['phase']>, reason: string | undefined, message?: string): void {
  const remove: (keyof NodeStatus)[] = reason === undefined ? ['reason'] : []
  if (message === undefined) remove.push('message')
  ctx.nodes[id] = patchNode(
    nodeStatusOf(ctx, id),
    { phase, completionTime: ctx.o.now, ...(reason === undefined ? {} : { reason }), ...(message === undefined ? {} : { message }) },
    { [DISPATCH_KEY]: undefined },
    remove,
  )
}

/**
 * Parses a node duration field, or returns undefined when absent or invalid (the validator reports
 * invalid durations; at run time they are ignored).
 *
 * @example
 * ```ts
 * durationMs('1m') // 60_000
 * ```
 */
export function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const parsed = parseDuration(text)
  return parsed.ok ? parsed.ms : undefined
}
