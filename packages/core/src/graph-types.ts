/** Strength of a dependency: `hard` blocks the target, `soft` only orders ready nodes. */
export type EdgeType = 'hard' | 'soft'

/** The four node kinds of a Plan graph. */
export type NodeKind = 'Task' | 'Gate' | 'Group' | 'External'

/**
 * The fields of a Plan node that graph functions read. Generated resource types satisfy it;
 * everything else on a node is carried along untouched.
 */
export interface GraphNodeLike {
  readonly id: string
  readonly kind: string
  readonly name?: string
  readonly description?: string
  readonly dependsOn?: readonly string[]
  readonly children?: readonly string[]
  readonly mode?: string
  readonly gateRef?: { readonly name: string; readonly namespace?: string }
  readonly when?: string
}

/** An edge as written in `spec.graph.edges`. */
export interface GraphEdgeLike {
  readonly from: string
  readonly to: string
  readonly type?: string
}

/** The graph as written in `spec.graph`. */
export interface PlanGraphLike {
  readonly nodes: readonly GraphNodeLike[]
  readonly edges?: readonly GraphEdgeLike[]
}

/**
 * One edge of the normalized graph. `source` tells where it came from: an explicit entry of
 * `edges` (with its index) or a `dependsOn` item (with the node's index and the item's index).
 */
export interface NormalizedEdge {
  readonly from: string
  readonly to: string
  readonly type: EdgeType
  readonly source:
    | { readonly kind: 'edge'; readonly index: number }
    | { readonly kind: 'dependsOn'; readonly nodeIndex: number; readonly itemIndex: number }
}

/**
 * A Plan graph after normalization (RESOURCES 2.8): `dependsOn` turned into hard edges,
 * explicit edges kept as written (they win over `dependsOn`), duplicates collapsed.
 */
export interface NormalizedGraph {
  /** Nodes in file order; a duplicated id keeps its first node. */
  readonly nodes: readonly GraphNodeLike[]
  /** Node by id (first occurrence). */
  readonly nodeById: ReadonlyMap<string, GraphNodeLike>
  /** Deduplicated edges, explicit edges first in file order, then dependsOn edges. */
  readonly edges: readonly NormalizedEdge[]
  /** Edges dropped as duplicates of an earlier one (same from, to and effective type). */
  readonly duplicates: readonly NormalizedEdge[]
}
