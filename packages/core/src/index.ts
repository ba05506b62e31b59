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
export { PlanSpecError, TERMINAL_ERROR_CODE, isTerminal, terminal } from './errors.js'
export type { PlanSpecErrorJSON, PlanSpecErrorOptions } from './errors.js'
export { DURATION_RANGE_ERROR_CODE, formatDuration, formatDurationCompact, parseDuration } from './duration.js'
export type { DurationParseResult } from './duration.js'
export { matchesLabelSelector, matchesLabels } from './label-selector.js'
export type { LabelSelectorLike, LabelSelectorRequirementLike, LabelsLike } from './label-selector.js'
export { DEFAULT_NAMESPACE, namespaceOf, referenceKey, resolveReference, subjectOf } from './reference.js'
export type { ObjectReferenceLike, ResolvedReference } from './reference.js'
export { ancestors, findCycle, hardAncestors, normalizeGraph, topologicalLayers } from './graph.js'
export { findGroupCycle, groupMembership } from './group-membership.js'
export { compareVersions } from './version.js'
export { resolveCapabilityUse, selectorShape, specificityOf } from './binding-resolution.js'
export type {
  BindingLike,
  BindingResolution,
  BindingRuleLike,
  BindingSelectorLike,
  BindingTargetLike,
  CapabilityUse,
  InvalidSelectorReason,
  SelectorShape,
  SelectorShapeResult,
} from './binding-resolution.js'
export { selectPlanForGoal } from './plan-selection.js'
export type { GoalSelectionLike, PlanLike, PlanSelection } from './plan-selection.js'
export { findCondition, setCondition } from './conditions.js'
export type { Condition, ConditionStatus, ConditionUpdate } from './conditions.js'
export type * from './model/generated.js'
