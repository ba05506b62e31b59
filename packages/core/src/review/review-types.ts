import type { EdgeType } from '../graph-types.js'

/**
 * A resource as the validator returns it (`Resource` of `@planspec/validator`): identity, the
 * plain object after legacy shapes were normalized, and optionally the file it came from. The
 * review reads `value` defensively: a resource that failed the schema never makes it throw.
 */
export interface ReviewResourceLike {
  readonly kind: string
  readonly name: string
  readonly namespace: string
  readonly value: Readonly<Record<string, unknown>>
  readonly file?: string
}

/** What happened to a resource, a Plan or a Gate between base and head; finishes "… has been". */
export type ChangeAction = 'added' | 'removed' | 'changed'

/** What happened to a resource: a change, or a rename (same content under a new name). */
export type ResourceChangeAction = ChangeAction | 'renamed'

/** One resource that differs between base and head. */
export interface ResourceChange {
  /** `kind/namespace/name` (STYLE: the subject format never varies); the new name for a rename. */
  readonly subject: string
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly action: ResourceChangeAction
  /** The name in base, for a rename. */
  readonly previousName?: string
  /** For a rename: subjects of the resources whose only change is to refer to the new name. */
  readonly referencedBy?: readonly string[]
  /**
   * Dotted paths of the fields that differ, at most two levels deep (`spec.reviewers`,
   * `metadata.labels`, `apiVersion`); empty for added and removed resources. `status` and the
   * server-set metadata (`uid`, `resourceVersion`, `generation`, timestamps) never count.
   */
  readonly fields: readonly string[]
  /** The head file for added and changed resources, the base file for removed ones, when known. */
  readonly file?: string
}

/** How many resources of one kind were added, removed, changed and renamed. */
export interface KindCount {
  readonly kind: string
  readonly added: number
  readonly removed: number
  readonly changed: number
  readonly renamed: number
}

/** What happened to one node of a Plan graph. */
export type NodeChangeAction = ChangeAction | 'unchanged'

/**
 * One node of the union of the base and head graphs. `kind`, `name` and `children` come from the
 * head node, or from the base node when the node was removed.
 */
export interface NodeDiff {
  readonly id: string
  readonly kind: string
  readonly name?: string
  /** Member ids of a Group node. */
  readonly children?: readonly string[]
  readonly action: NodeChangeAction
  /**
   * Node fields that differ (action `changed` only), at most two levels deep: `description`,
   * `inputs.since`, `kind`, `gateRef.name`. `id` and `dependsOn` never appear: dependencies are
   * compared as edges.
   */
  readonly fields: readonly string[]
  /**
   * Whether the edges into this node changed (one added, removed or retyped) while the node
   * exists on both sides: what it waits for is different.
   */
  readonly rewired: boolean
}

/** What happened to one dependency (a `from → to` pair) of a Plan graph. */
export type EdgeChangeAction = 'added' | 'removed' | 'retyped' | 'unchanged'

/** One dependency of the union of the base and head graphs, after normalization (`dependsOn` is a hard edge). */
export interface EdgeDiff {
  readonly from: string
  readonly to: string
  readonly action: EdgeChangeAction
  /** The type in base; absent for added edges. */
  readonly before?: EdgeType
  /** The type in head; absent for removed edges. */
  readonly after?: EdgeType
}

/** Counts of a {@link PlanDiff}, for summaries. */
export interface PlanDiffCounts {
  readonly nodesAdded: number
  readonly nodesRemoved: number
  readonly nodesChanged: number
  readonly nodesRewired: number
  readonly edgesAdded: number
  readonly edgesRemoved: number
  readonly edgesRetyped: number
}

/** The semantic diff of one Plan that was added, removed or changed. */
export interface PlanDiff {
  readonly subject: string
  readonly namespace: string
  readonly name: string
  readonly action: ChangeAction
  readonly file?: string
  /** Head nodes in file order, then the removed nodes in base order. Includes unchanged nodes. */
  readonly nodes: readonly NodeDiff[]
  /** Head edges in normalized order, then the removed edges in base order. Includes unchanged edges. */
  readonly edges: readonly EdgeDiff[]
  readonly counts: PlanDiffCounts
  /** Whether any node or edge differs (false when only, say, labels or the description changed). */
  readonly graphChanged: boolean
}

/** The provider a capability use resolves to, or why it resolves to none. */
export type ProviderResolution =
  | {
      readonly outcome: 'bound'
      readonly provider: string
      /** Subject of the Binding that served the use. */
      readonly binding: string
      readonly ruleIndex: number
    }
  | {
      readonly outcome: 'unbound'
      /** `NoBinding`: the Execution names no Binding for the node, or it does not exist. */
      readonly reason: 'NoBinding' | 'NoMatchingRule'
      readonly binding?: string
    }
  | { readonly outcome: 'conflict'; readonly binding: string; readonly ruleIndexes: readonly number[] }

/**
 * A capability use of a head Execution whose resolution is new or differs from base. A use is
 * (Execution, Task node, capability); a Task without capabilityRefs has one use without a
 * capability, resolved as `planspec run` resolves it.
 */
export interface BindingResolutionChange {
  /** Subject of the Execution that names the Binding (bindingRef or nodeBindings). */
  readonly execution: string
  readonly plan: string
  readonly nodeId: string
  /** `namespace/name` of the capability; absent for a Task that lists none. */
  readonly capability?: string
  /** `added`: no such use in base (new Execution, node or capability); `changed`: it resolves differently. */
  readonly action: 'added' | 'changed'
  readonly before?: ProviderResolution
  readonly after: ProviderResolution
  /** Whether the provider stayed the same but the rule's `target.config` changed. */
  readonly configChanged: boolean
}

/** A Gate whose reviewers or required approvals differ (or that was added or removed). */
export interface GateDiff {
  readonly subject: string
  readonly namespace: string
  readonly name: string
  readonly action: ChangeAction
  readonly reviewers: {
    /** `spec.reviewers` in base (empty when absent or for an added Gate): empty means anyone with write access. */
    readonly before: readonly string[]
    readonly after: readonly string[]
    /** Entries of `after` that `before` lacks, compared case-insensitively (`user:` implied). */
    readonly added: readonly string[]
    readonly removed: readonly string[]
  }
  /** Effective `spec.requiredApprovers` (default 1); absent on the side where the Gate does not exist. */
  readonly requiredApprovers: { readonly before?: number; readonly after?: number }
}

/** Why an Execution of head should be simulated again. */
export type ExecutionImpactReason = 'added' | 'changed' | 'plan' | 'binding' | 'gate' | 'goal'

/** A head Execution touched by the change, directly or through what it references. */
export interface ExecutionImpact {
  readonly subject: string
  readonly namespace: string
  readonly name: string
  /** Subject of the Plan it runs (namespace resolved); absent when `spec.planRef` is malformed. */
  readonly plan?: string
  readonly reasons: readonly ExecutionImpactReason[]
}

/** The semantic diff between two sets of resources (base and head of a change). */
export interface SemanticDiff {
  /** Every resource added, removed or changed, by kind order then namespace and name. */
  readonly resources: readonly ResourceChange[]
  /** Per kind with at least one change, in the same kind order. */
  readonly counts: readonly KindCount[]
  /** Every Plan added, removed or changed, with its graph diff. */
  readonly plans: readonly PlanDiff[]
  /** Capability uses of head Executions whose provider is new or different. */
  readonly bindings: readonly BindingResolutionChange[]
  /** Gates whose reviewers or required approvals differ, or that were added or removed. */
  readonly gates: readonly GateDiff[]
  /** Head Executions that the change touches: the ones worth simulating. */
  readonly executions: readonly ExecutionImpact[]
}
