import type { Diagnostic, ExecutionStatus, NormalizedGraph, SemanticDiff } from '@planspec/core'
import type { ValidationSummary } from '../types.js'

/** Options shared by the Markdown renderers (GitHub comments and job summaries). */
export interface MarkdownOptions {
  /** Sticky-comment id: the body starts with `stickyMarker(marker)`. */
  readonly marker?: string
  /**
   * Largest body, in UTF-16 code units. Default 65,535, GitHub's limit for an issue or pull request
   * comment; use about 32,000 for Bitbucket, or 1,048,576 for a job summary.
   */
  readonly maxLength?: number
  /** Where the full report lives (the job summary); the line that ends a shortened body links to it. */
  readonly detailsUrl?: string
  /**
   * Base of file links, e.g. `https://github.com/OWNER/REPO/blob/SHA/`: a finding at `plans/a.yaml`
   * line 12 links to `<base>plans/a.yaml#L12`. Without it, locations are code spans.
   */
  readonly fileLinkBase?: string
}

/** One node of a simulated run, shaped like the engine's `SimulatedNode`. */
export interface SimulatedNodeLike {
  readonly id: string
  readonly kind: string
  readonly provider?: string
  readonly layer: number
  readonly startMs: number
  readonly endMs: number
  readonly phase: string
  readonly note?: string
}

/** A Gate a simulated run waits on, shaped like the engine's `SimulatedGate`. */
export interface SimulatedGateLike {
  readonly node: string
  readonly gate: string
  readonly reviewers: readonly string[]
  readonly requiredApprovers: number
}

/** A problem that would stop a run, shaped like the engine's `SimulationProblem`. */
export interface SimulationProblemLike {
  readonly code: string
  readonly severity: string
  readonly node: string
  readonly message: string
}

/**
 * What the review reads of a simulated run: a structural subset of the engine's
 * `SimulationReport`, so that the reporter needs no engine import (STYLE §3: reporter → core only).
 */
export interface SimulationReportLike {
  readonly execution: string
  readonly plan: string
  /** Node ids by layer (layer 1 first). */
  readonly layers: readonly (readonly string[])[]
  /** Nodes in the order the simulated run started them. */
  readonly order: readonly string[]
  readonly nodes: readonly SimulatedNodeLike[]
  readonly criticalPath: { readonly nodes: readonly string[]; readonly durationMs: number }
  readonly gates: readonly SimulatedGateLike[]
  readonly problems: readonly SimulationProblemLike[]
  /** The phase the simulated run ended in. */
  readonly outcome: string
}

/** The simulation of one Execution the change touches, or why there is none. */
export interface ExecutionSimulation {
  /** Subject of the Execution, `execution/namespace/name`. */
  readonly execution: string
  /** Why it was simulated (`ExecutionImpact.reasons`). */
  readonly reasons?: readonly string[]
  readonly report?: SimulationReportLike
  /** Why it could not be simulated, when there is no report. */
  readonly error?: string
}

/** A revision of the change: the ref as given and the commit it resolved to. */
export interface RevisionLike {
  readonly ref: string
  readonly commit?: string
}

/** Everything a plan review shows. */
export interface ReviewMarkdownInput {
  readonly diff: SemanticDiff
  readonly base?: RevisionLike
  readonly head?: RevisionLike
  /** The validation of head: its findings are listed first. */
  readonly validation?: { readonly diagnostics: readonly Diagnostic[]; readonly summary: ValidationSummary }
  readonly simulations?: readonly ExecutionSimulation[]
  /** Why the touched Executions were not simulated (e.g. head has validation errors). */
  readonly simulationSkipped?: string
}

/** The Gate behind a Gate node, for the progress table. */
export interface ProgressGate {
  readonly gate: string
  readonly reviewers: readonly string[]
  readonly requiredApprovers: number
}

/** What the execution progress comment shows. */
export interface ProgressMarkdownInput {
  /** Subject of the Execution. */
  readonly execution: string
  /** The graph the run started with. */
  readonly graph: NormalizedGraph
  readonly status: ExecutionStatus
  /** RFC 3339 time of the rendering: running nodes show how long they have run. */
  readonly now?: string
  /** Gate node id → its Gate, to say who may approve. */
  readonly gates?: ReadonlyMap<string, ProgressGate>
}
