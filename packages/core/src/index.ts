export type { Diagnostic, DiagnosticFix, FixEdit, Severity } from './diagnostic.js'
export type {
  EdgeType,
  GraphEdgeLike,
  GraphNodeLike,
  NodeKind,
  NormalizedEdge,
  NormalizedGraph,
  PlanGraphLike,
} from './graph-types.js'
