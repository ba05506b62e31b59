import type { NormalizedGraph } from '../graph-types.js'
import type { ExecutionStatus } from '../model/generated.js'

/** Outcome of an injected CEL evaluation: a value, or why evaluation failed. */
export type CelResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string }

/** Evaluates a CEL expression against variables; injected by the shell (core has no CEL library). */
export type CelEvaluate = (expression: string, variables: Readonly<Record<string, unknown>>) => CelResult

/**
 * The resolved provider of a Task node, or why there is none. `claimable` marks work completed by a
 * worker (`human://`, `agent://` without `config.command`): the node waits `Blocked` after dispatch.
 */
export type NodeBinding =
  | { readonly outcome: 'bound'; readonly provider: string; readonly config?: Record<string, unknown>; readonly claimable: boolean }
  | { readonly outcome: 'unbound' | 'conflict'; readonly reason: string; readonly message: string; readonly optional?: boolean }

/**
 * The observed state of the Gate a Gate node references. A decision counts only when it was made
 * for the Gate's current generation: `decisionGeneration` equal to `generation` (either absent
 * means "current").
 */
export interface GateNodeObservation {
  /** `NotFound`: the referenced Gate resource does not exist; the node fails (`GateNotFound`). */
  readonly phase: 'Pending' | 'Waiting' | 'Approved' | 'Rejected' | 'NotFound'
  readonly generation?: number
  readonly decisionGeneration?: number
  readonly message?: string
}

/** The latest observed state of an External node (webhook/uri poll body or referenced resource). */
export interface ExternalObservation {
  readonly state: 'pending' | 'succeeded' | 'failed'
  readonly outputs?: Record<string, unknown>
  readonly message?: string
}

/** Capped exponential backoff settings for Task retries (DECISIONS §3: base 10 s, factor 2, cap 10 min). */
export interface RetryPolicy {
  readonly baseMs: number
  readonly factor: number
  readonly capMs: number
}

/** Everything {@link reconcileExecution} decides from: the recorded status plus injected observations. */
export interface ExecutionObservation {
  /** Execution uid: the `runId` prefix. */
  readonly uid: string
  /** The plan graph the run started with. */
  readonly graph: NormalizedGraph
  /** Hash of the Execution spec, computed by the shell. */
  readonly specHash: string
  readonly planGeneration?: number
  readonly graphDigest?: string
  /** `sha256:` digest of the graph and resolved bindings (core's `runDigestContent`), hashed by the shell. */
  readonly runDigest?: string
  readonly parameters: Readonly<Record<string, unknown>>
  readonly goalConstraints?: Readonly<Record<string, unknown>>
  /** Current recorded status (undefined = never seen). */
  readonly status: ExecutionStatus | undefined
  /** Injected clock: RFC 3339 text and the same instant in epoch milliseconds. */
  readonly now: string
  readonly nowMs: number
  /** Per Task node: resolved provider, or why not. */
  readonly bindings: ReadonlyMap<string, NodeBinding>
  /** Per Gate node id: the referenced Gate's phase and decision. */
  readonly gates: ReadonlyMap<string, GateNodeObservation>
  /** Per External node id: latest poll or resource state. */
  readonly externals: ReadonlyMap<string, ExternalObservation>
  readonly cancelRequested: boolean
  /** Re-opens a Failed run; `nodes` narrows which failed nodes re-open. */
  readonly retryRequested?: { readonly nodes?: readonly string[] }
  readonly evaluate: CelEvaluate
  readonly retryPolicy: RetryPolicy
  /** Deterministic value in [0, 1) per runId, supplied by the shell (full jitter). */
  readonly jitter: (runId: string) => number
}

/** An effect the shell performs after durably writing the returned status. */
export type Action =
  | {
      readonly type: 'dispatch'
      readonly node: string
      readonly attempt: number
      readonly runId: string
      readonly provider: string
      readonly config?: Record<string, unknown>
      readonly inputs: Record<string, unknown>
      readonly timeoutMs?: number
    }
  | { readonly type: 'cancel-attempt'; readonly node: string; readonly runId: string; readonly reason: 'Timeout' | 'Cancelled' }
  | { readonly type: 'activate-gate'; readonly node: string; readonly gate: { readonly name: string; readonly namespace?: string } }
  | { readonly type: 'poll-external'; readonly node: string }

/** What {@link reconcileExecution} returns: the status to write first, then the actions to perform. */
export interface ExecutionReconcileResult {
  readonly status: ExecutionStatus
  readonly actions: Action[]
  /** When set, the shell should reconcile again after this many milliseconds. */
  readonly requeueAfterMs?: number
}

/** The result of one attempt, as a provider or a worker reports it. */
export interface AttemptResult {
  readonly node: string
  readonly attempt: number
  readonly outcome: 'succeeded' | 'failed'
  readonly outputs?: Record<string, unknown>
  readonly reason?: string
  readonly message?: string
  /** RFC 3339 time of the result: the node's `completionTime`. */
  readonly now: string
  /** The same instant in epoch ms; accepted for the shell's convenience, not needed by the record. */
  readonly nowMs?: number
  /** Output names the Task declares; when given, other keys (except reverse-domain and `x-`) are dropped. */
  readonly declaredOutputs?: readonly string[]
}
