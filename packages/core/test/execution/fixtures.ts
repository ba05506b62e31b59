import { normalizeGraph } from '../../src/graph.js'
import type { GraphEdgeLike } from '../../src/graph-types.js'
import type { ExecutionStatus, NodeStatus } from '../../src/model/generated.js'
import type { ExecutionObservation, NodeBinding } from '../../src/execution/execution-types.js'
import { reconcileExecution } from '../../src/execution/reconcile-execution.js'
import { fakeCel } from './fake-cel.js'

export const T0 = 1_700_000_000_000
/** Formats epoch ms as RFC 3339 (test side only: core never touches Date). */
export const iso = (ms: number): string => new Date(ms).toISOString()
export const NOW = iso(T0)

export type TestNode = { id: string; kind: string; [key: string]: unknown }

export const bound = (provider = 'exec://run', claimable = false): NodeBinding => ({ outcome: 'bound', provider, claimable })

/** Builds an observation: every Task is bound to `exec://run` unless `bindings` says otherwise. */
export function observe(
  nodes: readonly TestNode[],
  over: Partial<ExecutionObservation> & { edges?: GraphEdgeLike[] } = {},
): ExecutionObservation {
  const { edges, ...rest } = over
  const graph = normalizeGraph({ nodes, ...(edges === undefined ? {} : { edges }) })
  const bindings = new Map(nodes.filter((n) => n.kind === 'Task').map((n) => [n.id, bound()] as const))
  return {
    uid: 'u1',
    graph,
    specHash: 'sha256:aaa',
    parameters: {},
    status: undefined,
    now: NOW,
    nowMs: T0,
    bindings,
    gates: new Map(),
    externals: new Map(),
    cancelRequested: false,
    evaluate: fakeCel,
    retryPolicy: { baseMs: 10_000, factor: 2, capMs: 600_000 },
    jitter: () => 0.5,
    ...rest,
  }
}

/** Reconciles, then reconciles again at `ms` later with the resulting status. */
export function at(o: ExecutionObservation, status: ExecutionStatus | undefined, ms: number, over: Partial<ExecutionObservation> = {}) {
  return reconcileExecution({ ...o, status, now: iso(T0 + ms), nowMs: T0 + ms, ...over })
}

export const task = (id: string, extra: Record<string, unknown> = {}): TestNode => ({ id, kind: 'Task', ...extra })

export const node = (status: ExecutionStatus, id: string): NodeStatus => status.nodeStatuses?.[id] ?? {}
export const phaseOf = (status: ExecutionStatus, id: string): string | undefined => status.nodeStatuses?.[id]?.phase
