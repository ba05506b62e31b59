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
export { backoffDelay } from './backoff-delay.js'
export type { BackoffPolicy } from './backoff-delay.js'
export type { PlanSpecErrorJSON, PlanSpecErrorOptions } from './errors.js'
export { DURATION_RANGE_ERROR_CODE, formatDuration, formatDurationCompact, parseDuration } from './duration.js'
export type { DurationParseResult } from './duration.js'
export { canonicalJson } from './canonical-json.js'
export { sanitizeTerminalText } from './sanitize-terminal-text.js'
export { matchesLabelSelector, matchesLabels } from './label-selector.js'
export { parseLabelSelector, splitSelectorTerms } from './parse-label-selector.js'
export type { LabelSelectorParseResult } from './parse-label-selector.js'
export type { LabelSelectorLike, LabelSelectorRequirementLike, LabelsLike } from './label-selector.js'
export { DEFAULT_NAMESPACE, namespaceOf, resolveReference } from './reference.js'
export { formatObjectKey, parseObjectKey, subjectOf } from './object-key.js'
export type { ObjectKey } from './object-key.js'
export { kindFacts, kindNames, resolveKind } from './kinds.js'
export { PROVIDER_SCHEMES, providerScheme, schemesOf } from './provider-schemes.js'
export type { ProviderFamily, ProviderScheme } from './provider-schemes.js'
export { KIND_TABLE, STATUS_KINDS } from './model/kind-table.js'
export type { KindFacts, KindName, StatusKindName } from './model/kind-table.js'
export { StoreAlreadyExistsError, StoreConflictError, StoreGoneError, StoreNotFoundError } from './store/store.js'
export type { ListResult, Store, StoredResource, WatchEvent } from './store/store.js'
export type { ChangeAuthor, Lease, RefusedRequestNote, StatusBranchView, StatusDoc, TamperedFile } from './store/status-branch.js'
export type { ObjectReferenceLike, ResolvedReference } from './reference.js'
export { ancestors, findCycle, hardAncestors, hardAncestorTest, isHardAncestor, normalizeGraph, topologicalLayers } from './graph.js'
export { findGroupCycle, groupMembership } from './group-membership.js'
export { criticalPath } from './critical-path.js'
export type { CriticalPath } from './critical-path.js'
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
export { createRedactor, looksSecret, REDACTED, redactSecrets, secretEnvValues, secretForms } from './redact-secrets.js'
export type { Redactor } from './redact-secrets.js'
export type { Condition, ConditionStatus, ConditionUpdate } from './conditions.js'
export type * from './model/generated.js'
export { initialStatus } from './controllers/initial-status.js'
export type { StatusByKind, StatusKind } from './controllers/initial-status.js'
export { PLAN_ISSUES_IN_MESSAGE, reconcilePlan } from './controllers/reconcile-plan.js'
export type { PlanObservation, PlanReconcileResult, PlanReconcileTarget, ValidationIssueLike } from './controllers/reconcile-plan.js'
export { DEFAULT_DEPRECATION_MESSAGE, reconcileCapability } from './controllers/reconcile-capability.js'
export type {
  CapabilityAvailability,
  CapabilityObservation,
  CapabilityReconcileResult,
  CapabilityReconcileTarget,
} from './controllers/reconcile-capability.js'
export { UNBOUND_CAPABILITIES_MAX, reconcileBinding } from './controllers/reconcile-binding.js'
export type { BindingObservation, BindingReconcileResult, BindingUse } from './controllers/reconcile-binding.js'
export { reconcileGoal } from './controllers/reconcile-goal.js'
export type { GoalExecutionLike, GoalObservation, GoalReconcileResult, GoalReconcileTarget } from './controllers/reconcile-goal.js'
export { checkReviewer, matchesSubject, normalizeSubject } from './controllers/check-reviewer.js'
export { checkRequester, claimSubjects } from './controllers/check-requester.js'
export { AGENT_VIA_PREFIX, checkAgentReview, isAgentVia } from './controllers/check-agent-review.js'
export { checkClaim, checkCompletion } from './controllers/check-claim.js'
export type { ClaimRefusal } from './controllers/check-claim.js'
export type { RequesterPolicy, RunRequestKind } from './controllers/check-requester.js'
export { gateNodeObservation } from './controllers/gate-node-observation.js'
export type { GateNodeSubject } from './controllers/gate-node-observation.js'
export type { ReviewRefusalReason, ReviewerPolicy } from './controllers/check-reviewer.js'
export { REVIEW_HISTORY_MAX, capReviewHistory } from './controllers/cap-review-history.js'
export { decideGate } from './controllers/decide-gate.js'
export type {
  GateDecisionResult,
  GateDecisionTarget,
  GateObservation,
  GateRefusal,
  ReviewActionInput,
  WaitingExecution,
} from './controllers/decide-gate.js'
export { compareResources, hasLabels, indexResources, metadataOf, referencedBy, specOf } from './controllers/resource-index.js'
export type { IndexedResource, ResourceIndex } from './controllers/resource-index.js'
export { CANCEL_ANNOTATION, missingTarget, RECONCILED_KINDS, reconcileResources } from './controllers/reconcile-resources.js'
export { waitingExecutions } from './controllers/internal/waiting-executions.js'
export type { GateAction, ReconcileFacts, ResourcesReconcileResult } from './controllers/reconcile-resources.js'
export { reconcileExecution } from './execution/reconcile-execution.js'
export { runDigestContent } from './execution/run-digest-content.js'
export { recordAttemptResult } from './execution/record-attempt-result.js'
export { resolveInputs, resolveTemplate } from './execution/resolve-template.js'
export type { TemplateResult } from './execution/resolve-template.js'
export { retryDelay } from './execution/retry-delay.js'
export { executionOrder } from './execution/execution-order.js'
export { capLogText, createLogFollower, DEFAULT_LOG_ATTEMPTS_KEPT, DEFAULT_LOG_MAX_BYTES, LOG_STREAMS, LOGS_KEY, logRefsOf, mergeAttemptLogs, renderAttemptLogs, selectAttemptLogs, tailLines } from './execution/attempt-logs.js'
export type { AttemptLog, AttemptLogRef, CappedText, LogFollower, LogQuery, LogStream } from './execution/attempt-logs.js'
export {
  ATTEMPT_BASE_KEY,
  DISPATCH_KEY,
  ACCEPTANCE_KEY,
  FIRST_FAILURE_KEY,
  INPUTS_KEY,
  LOG_KEY,
  NEXT_POLL_KEY,
  RETRY_AT_KEY,
  START_MS_KEY,
  dispatchIntentOf,
} from './execution/execution-extensions.js'
export type { DispatchIntent } from './execution/execution-extensions.js'
export type {
  Action,
  AttemptResult,
  CelEvaluate,
  CelResult,
  ExecutionObservation,
  ExecutionReconcileResult,
  ExternalObservation,
  GateNodeObservation,
  NodeBinding,
  RetryPolicy,
} from './execution/execution-types.js'
export { deriveGroupStatuses } from './execution/derive-group-statuses.js'
export { abandonAttempt } from './execution/abandon-attempt.js'
export { diffResources } from './review/diff-resources.js'
export { diffPlan } from './review/diff-plan.js'
export { diffGate } from './review/diff-gate.js'
export { diffBindingResolutions } from './review/diff-binding-resolutions.js'
export { findTouchedExecutions } from './review/find-touched-executions.js'
export type {
  BindingResolutionChange,
  ChangeAction,
  EdgeChangeAction,
  EdgeDiff,
  ExecutionImpact,
  ExecutionImpactReason,
  GateDiff,
  KindCount,
  NodeChangeAction,
  NodeDiff,
  PlanDiff,
  PlanDiffCounts,
  ProviderResolution,
  ResourceChange,
  ResourceChangeAction,
  ReviewResourceLike,
  SemanticDiff,
} from './review/review-types.js'
